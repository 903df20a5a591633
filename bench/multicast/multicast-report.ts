import type { SequentialRound } from '../measure.js';

/** Members each multicast call goes to; a call is timed until all of them replied. */
export const MEMBERS = 3;

export const multicastTargetIds = ['conduit-multicast', 'raw-multicast'] as const;
export type MulticastTargetId = (typeof multicastTargetIds)[number];

/** One multicast row as measure-multicast.ts reports it: times in microseconds, like the unary rows. */
export type MulticastTargetResult =
  | { id: MulticastTargetId; p50Us: number; p99Us: number; rounds: SequentialRound[] }
  | { id: MulticastTargetId; error: string };

/** The one JSON line measure-multicast.ts prints on stdout. */
export interface MulticastReport {
  members: number;
  windowMs: number;
  results: MulticastTargetResult[];
}
