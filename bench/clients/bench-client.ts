import type { Call } from '../measure.js';

/** A connected client of one bench target, as the measurement loops see it. */
export interface BenchClient {
  /** One round trip: `add(1, 2)`, or one 64-byte echo for raw TCP. */
  readonly call: Call;
  /** Throws unless one round trip returns what it should; run once before measuring. */
  verify(): Promise<void>;
  close(): Promise<void>;
}
