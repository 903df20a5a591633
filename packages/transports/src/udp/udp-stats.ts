/** Why a datagram, or a partial message, was dropped. None of them ever ends a connection. */
export type UdpDropReason =
  /** Shorter than its kind's layout. */
  | 'truncated'
  /** Does not start with the Conduit UDP magic: another protocol, or noise. */
  | 'foreign'
  /** Conduit UDP, in a version this end does not speak. */
  | 'version'
  | 'unknown-kind'
  /** Fields that contradict each other, or the earlier fragments of the same message. */
  | 'malformed'
  /**
   * No connection of this end has that incarnation and id. On a server (which then answers CLOSE):
   * it restarted, or forgot an idle client. On a client: a datagram meant for another connection.
   */
  | 'unknown-connection'
  /** Server: a known connection's id, from an address other than the one that opened it. */
  | 'wrong-address'
  /** A sequence number implausibly far beyond the next message to deliver. */
  | 'too-far-ahead'
  /** The receive memory bound was reached; the sender retransmits the fragment later. */
  | 'buffer-full'
  /** A partial message that got no fragment for a while was discarded (counts messages, not datagrams). */
  | 'reassembly-timeout';

/**
 * Live counters of one `udp()` transport object, over all its connections and its listener.
 * Read them whenever; they only grow.
 */
export interface UdpStats {
  readonly datagramsSent: number;
  readonly datagramsReceived: number;
  /**
   * Of `datagramsSent`, ACK datagrams: what a DATA's cumulative ack cannot say (partial messages,
   * messages ahead of a missing one), or acks no DATA going back carried within the ack delay.
   */
  readonly acksSent: number;
  /** DATA datagrams sent again because the first copy went unacknowledged. */
  readonly retransmissions: number;
  /** DATA datagrams that brought nothing new (the network or a retransmission duplicated them). */
  readonly duplicates: number;
  readonly dropped: Readonly<Record<UdpDropReason, number>>;
}

/** Hears each drop: the reason and who sent the datagram (`udp://host:port`). */
export type UdpDropListener = (reason: UdpDropReason, from: string) => void;

/** The writable side of UdpStats, shared by one transport's listener and connections. */
export class UdpCounters {
  datagramsSent = 0;
  datagramsReceived = 0;
  acksSent = 0;
  retransmissions = 0;
  duplicates = 0;
  readonly dropped: Record<UdpDropReason, number> = {
    truncated: 0,
    foreign: 0,
    version: 0,
    'unknown-kind': 0,
    malformed: 0,
    'unknown-connection': 0,
    'wrong-address': 0,
    'too-far-ahead': 0,
    'buffer-full': 0,
    'reassembly-timeout': 0,
  };
  readonly #onDrop: UdpDropListener | undefined;

  constructor(onDrop: UdpDropListener | undefined) {
    this.#onDrop = onDrop;
  }

  drop(reason: UdpDropReason, from: string): void {
    this.dropped[reason]++;
    this.#onDrop?.(reason, from);
  }
}
