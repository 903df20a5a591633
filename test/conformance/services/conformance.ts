/**
 * The service the transport conformance suite calls. Each method exists to show one behaviour
 * of a call from the outside, the same on every transport: an answer, a failure with a code, a
 * hang the caller gives up on, an abort the server saw, metadata, one-way delivery, a stream.
 */
export interface Conformance {
  /** Adds two numbers. */
  add(a: number, b: number): Promise<number>;
  /** Returns its argument unchanged; large messages up to the transport's limit use it. */
  echo(text: string): Promise<string>;
  /**
   * Throws `RpcError(code, message)` with details `{ code, list: [1, 2, 3] }` and sets the
   * response metadata `x-failed: yes`, to show that all of them reach the caller.
   */
  fail(code: number, message: string): Promise<void>;
  /** Throws a plain `Error('handler bug')`, which the caller sees as Internal. */
  crash(): Promise<void>;
  /** Never answers; when its signal aborts, the server records `tag:code` (see `aborted`). */
  hang(tag: string): Promise<void>;
  /** What `hang`, `ticks` and `echoStream` calls saw abort so far, as `tag:code`, oldest first. */
  aborted(): Promise<string[]>;
  /** Returns the request metadata as [key, value] pairs and sets `x-echo` (from `x-request`) in the response. */
  metadata(): Promise<string[][]>;
  /** A one-way note; `notes()` lists what arrived. */
  note(line: string): void;
  /** The one-way notes that arrived so far, oldest first. */
  notes(): Promise<string[]>;
  /** Names this server instance (process id and a random part): a restarted server answers differently. */
  whoami(): Promise<string>;
  /** Server stream: `from`, `from - 1`, …, 1, then the end. */
  countdown(from: number): AsyncIterable<number>;
  /** Client stream: the sum of every value sent. */
  total(values: AsyncIterable<number>): Promise<number>;
  /** Bidirectional stream: answers each line with `echo: <line>` as it arrives. */
  echoStream(lines: AsyncIterable<string>): AsyncIterable<string>;
  /**
   * Server stream: 0, 1, …, `count - 1`, one every `intervalMs`. Records `tag:code` when its
   * signal aborts (a `break` on the client, a deadline, a lost peer), so cancellation is visible.
   */
  ticks(tag: string, count: number, intervalMs: number): AsyncIterable<number>;
  /** Server stream: 0, 1, …, `count - 1`, then throws `RpcError(code, 'failed after <count>')`. */
  failAfter(count: number, code: number): AsyncIterable<number>;
}
