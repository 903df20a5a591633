import type { Call } from '../measure.js';

/** Size of the large-message row's echo. */
export const ECHO_BYTES = 1024 * 1024;

/** A connected client of one bench target, as the measurement loops see it. */
export interface BenchClient {
  /** One round trip: `add(1, 2)`, or one 64-byte echo for raw TCP. */
  readonly call: Call;
  /** One echo of `ECHO_BYTES` (Conduit targets that serve `Bench.echo`), for the large-message row. */
  readonly echo?: Call;
  /** Throws unless one round trip returns what it should; run once before measuring. */
  verify(): Promise<void>;
  close(): Promise<void>;
}
