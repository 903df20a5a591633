import type { ReplyCacheLimits } from './udp-reply-cache.js';
import type { UdpCounters } from './udp-stats.js';

/** A udp transport's options, checked and with defaults filled in, built once by `udp()`. */
export interface UdpSettings {
  readonly host: string;
  readonly port: number;
  /** `udp://host:port` as asked for, for errors and the client connection's peer. */
  readonly address: string;
  readonly maxMessageSize: number;
  readonly maxDatagramSize: number;
  readonly retryWindow: number;
  /** Client: how long to wait for OPENED. */
  readonly connectTimeout: number;
  /** Server: how long a silent client is kept. */
  readonly idleTimeout: number;
  /** Per connection: bytes of partial and held messages. */
  readonly maxBufferedBytes: number;
  /** Server: the same bound over all connections together. */
  readonly maxServerBufferedBytes: number;
  /** Server: bounds of the reply cache. */
  readonly replyCache: ReplyCacheLimits;
  /** Server: methods that may run again besides those declared `@idempotent`. */
  readonly idempotent: ((method: string) => boolean) | undefined;
  readonly counters: UdpCounters;
}
