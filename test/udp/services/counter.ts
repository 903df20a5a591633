/**
 * A service whose calls must each run exactly once: the udp tests count what the server did and
 * compare it with what the callers were told.
 */
export interface Counter {
  /** Adds `by` to the counter and returns the new total. Not idempotent: a call run twice counts twice. */
  increment(by: number): Promise<number>;
  /**
   * Adds `by` like `increment`, but is declared idempotent, as if running it twice did no harm: the
   * udp server may then run it again for a caller whose reply it dropped, and the total shows it.
   * @idempotent
   */
  retryableIncrement(by: number): Promise<number>;
  /** The counter's value. */
  total(): Promise<number>;
  /** Returns its argument; used for messages of many fragments. */
  echo(data: Uint8Array): Promise<Uint8Array>;
  /** Fails with an RpcError of `code` and `message`, with `{ code }` as details. */
  fail(code: number, message: string): Promise<void>;
}
