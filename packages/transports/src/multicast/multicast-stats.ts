import type { MulticastDropReason } from './multicast-datagram.js';

/** Live counters of one `multicast()` transport object, over its connections and its member. They only grow. */
export interface MulticastStats {
  readonly datagramsSent: number;
  readonly datagramsReceived: number;
  /** Client: requests sent again because the call was still open (see README.md: resends). */
  readonly resends: number;
  /** Member: requests that were a copy of one already taken (a resend, or the network's duplicate). */
  readonly duplicates: number;
  /** Datagrams the socket refused to send (no route, a full buffer): lost like any other. */
  readonly sendFailures: number;
  readonly dropped: Readonly<Record<MulticastDropReason, number>>;
}

/** Hears each dropped datagram: the reason and who sent it (`udp://host:port`). */
export type MulticastDropListener = (reason: MulticastDropReason, from: string) => void;

/** The writable side of MulticastStats, shared by one transport's member and connections. */
export class MulticastCounters implements MulticastStats {
  datagramsSent = 0;
  datagramsReceived = 0;
  resends = 0;
  duplicates = 0;
  sendFailures = 0;
  readonly dropped: Record<MulticastDropReason, number> = { truncated: 0, foreign: 0, 'unexpected-kind': 0, malformed: 0, 'not-ours': 0, busy: 0 };
  readonly #onDrop: MulticastDropListener | undefined;

  constructor(onDrop: MulticastDropListener | undefined) {
    this.#onDrop = onDrop;
  }

  drop(reason: MulticastDropReason, from: string): void {
    this.dropped[reason]++;
    this.#onDrop?.(reason, from);
  }
}
