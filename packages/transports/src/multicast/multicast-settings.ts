import type { MulticastCounters } from './multicast-stats.js';

/** A multicast transport's options, checked and with defaults filled in, built once by `multicast()`. */
export interface MulticastSettings {
  readonly group: string;
  readonly port: number;
  /** `multicast://group:port`, for errors and the client connection's peer. */
  readonly address: string;
  /** The local address whose interface sends and joins the group. */
  readonly interface: string;
  readonly ttl: number;
  readonly loopback: boolean;
  /** Member: the most it waits before replying (a random part of it, so members do not answer at once). */
  readonly replyDelay: number;
  /** Client: how long a call with no deadline waits for a first reply. */
  readonly replyTimeout: number;
  readonly maxDatagramSize: number;
  readonly counters: MulticastCounters;
}
