import { DATA_HEADER_BYTES, skipDatagram, unwrapSequence, writeDataHeader, type AckEntry } from './udp-datagram.js';
import { ackedFragment, fragmentCount } from './udp-fragments.js';
import { REORDER_TOLERANCE, SEND_WINDOW_DATAGRAMS } from './udp-limits.js';
import { retransmitDelay, type RttEstimator } from './udp-retransmit.js';
import type { UdpCounters } from './udp-stats.js';

export interface SenderOptions {
  readonly identity: Buffer;
  readonly maxDatagramSize: number;
  /** Nothing acknowledged for this long while datagrams are in flight: the peer is gone. */
  readonly retryWindow: number;
  readonly rtt: RttEstimator;
  readonly counters: UdpCounters;
  /** Sends one datagram (one buffer, or a header and a slice of the message) to the peer. */
  readonly transmit: (datagram: Buffer | readonly Buffer[]) => void;
  /**
   * Asked as each DATA datagram leaves: the cumulative ack it is to carry (every message of the
   * peer's up to this sequence number arrived). The caller may count its acks of those as sent.
   */
  readonly cumulativeAckToCarry: () => number;
  /** Message `seq` arrived whole; `tag` is what `enqueue` was given. Not called for skipped messages. */
  readonly onAcknowledged: (seq: number, tag: number) => void;
  readonly onUnanswered: (problem: string) => void;
}

/** Where a CALL's remaining time sits in its message, rewritten on every send so it counts from that send. */
export interface TimeoutRefresh {
  /** Byte offset of the u32 timeout within the message, DATA header included. */
  readonly offset: number;
  /** Milliseconds the caller gave the call when the runtime sent it. */
  readonly timeout: number;
  /** `performance.now()` when the runtime sent it. */
  readonly since: number;
}

interface Outgoing {
  readonly seq: number;
  readonly tag: number;
  /** The DATA header's room, then the frame; emptied once the message is skipped. */
  message: Buffer;
  readonly size: number;
  readonly count: number;
  /** Per fragment, 1 once the receiver's latest word is that it has it. */
  readonly acked: Uint8Array;
  ackedCount: number;
  /** Per fragment: its transmission number while in flight, else 0. */
  readonly inFlight: Float64Array;
  /** Per fragment, how often it was sent (up to 255): from the second on, a retransmission. */
  readonly sends: Uint8Array;
  firstSentAt: number;
  /** Karn's rule: a message sent twice gives no round-trip sample, since the answer may be to either copy. */
  retransmitted: boolean;
  /** Given up by the sender (a call past its deadline): a SKIP travels in its place until acknowledged. */
  skipped: boolean;
  readonly refresh: TimeoutRefresh | undefined;
}

interface Transmission {
  readonly message: Outgoing;
  readonly index: number;
  readonly at: number;
}

interface FragmentRef {
  readonly message: Outgoing;
  readonly index: number;
}

const EMPTY = Buffer.alloc(0);

/**
 * The sending half of one direction of a connection: numbers each message, cuts it into
 * fragments, and sends them until the receiver acknowledges each, keeping at most
 * SEND_WINDOW_DATAGRAMS in flight. A fragment is sent again when its ack is overdue (one timer for
 * the connection, on the oldest fragment in flight, with exponential backoff) or when fragments
 * sent after it were acknowledged and it was not (fast retransmit). Acks name what the receiver
 * holds, so only the missing fragments of a large message travel again.
 */
export class ReliableSender {
  readonly #options: SenderOptions;
  readonly #fragmentBytes: number;
  readonly #messages = new Map<number, Outgoing>();
  /** Fragments in flight by transmission number: a Map iterates in insertion order, which is send order. */
  readonly #inFlight = new Map<number, Transmission>();
  readonly #fresh = new FragmentQueue();
  /** Fragments to send again, ahead of fresh ones: a message the receiver waits for blocks those behind it. */
  readonly #again = new FragmentQueue();
  #lastSeq = 0;
  #transmissions = 0;
  #highestAcknowledged = 0;
  #timer: NodeJS.Timeout | undefined;
  #armedDelay = 0;
  #backoff = 0;
  #lastProgressAt = 0;
  /** Called once no message is left to acknowledge: what a closing connection waits for. */
  onDrained: (() => void) | undefined;

  constructor(options: SenderOptions) {
    this.#options = options;
    this.#fragmentBytes = options.maxDatagramSize - DATA_HEADER_BYTES;
  }

  /** Messages not yet acknowledged (or skipped and not yet acknowledged). */
  get pending(): number {
    return this.#messages.size;
  }

  /**
   * Sends `message`: DATA_HEADER_BYTES of room, then the frame. The buffer is kept until the
   * message is acknowledged, and its room is where fragment 0's header is written at each send
   * (no copy). Returns the message's sequence number.
   */
  enqueue(message: Buffer, tag: number, refresh: TimeoutRefresh | undefined): number {
    const seq = ++this.#lastSeq;
    const size = message.length - DATA_HEADER_BYTES;
    const count = fragmentCount(size, this.#fragmentBytes);
    // The retry window counts from the last acknowledgement, or from when there was something to
    // acknowledge again: not from each retransmission, or a peer that never answers keeps it open.
    if (this.#messages.size === 0) this.#lastProgressAt = performance.now();
    const outgoing: Outgoing = {
      seq,
      tag,
      message,
      size,
      count,
      acked: new Uint8Array(count),
      ackedCount: 0,
      inFlight: new Float64Array(count),
      sends: new Uint8Array(count),
      firstSentAt: 0,
      retransmitted: false,
      skipped: false,
      refresh,
    };
    this.#messages.set(seq, outgoing);
    for (let index = 0; index < count; index++) this.#fresh.push({ message: outgoing, index });
    this.#pump();
    return seq;
  }

  /** What the receiver said it holds. */
  ack(entries: readonly AckEntry[]): void {
    const now = performance.now();
    let progress = false;
    for (const entry of entries) {
      const message = this.#messages.get(unwrapSequence(entry.seq, this.#lastSeq));
      if (message === undefined) continue;
      if (entry.complete) {
        this.#complete(message, now);
        progress = true;
        continue;
      }
      if (message.skipped) continue;
      for (let index = 0; index < message.count; index++) {
        const holds = ackedFragment(entry.base, entry.bitmap, index);
        if (holds === undefined) break;
        if (holds && message.acked[index] === 0) {
          message.acked[index] = 1;
          message.ackedCount++;
          this.#landed(message, index);
          progress = true;
        } else if (!holds && message.acked[index] === 1) {
          // The receiver dropped what it had (a reassembly timeout): send it again.
          message.acked[index] = 0;
          message.ackedCount--;
          if (message.inFlight[index] === 0) this.#again.push({ message, index });
        }
      }
      if (message.ackedCount === message.count) this.#complete(message, now);
    }
    this.#loseOvertaken();
    if (progress) this.#progressed(now);
    this.#pump();
  }

  /**
   * The receiver has every message up to and including the one whose low 32 bits are `wireSeq`
   * (a DATA's cumulative ack): each counts as acknowledged whole, as a form-0 ACK entry would.
   */
  acknowledgeThrough(wireSeq: number): void {
    const through = unwrapSequence(wireSeq, this.#lastSeq);
    const now = performance.now();
    let progress = false;
    // Messages are kept in sequence order, so the covered ones come first.
    for (const message of this.#messages.values()) {
      if (message.seq > through) break;
      this.#complete(message, now);
      progress = true;
    }
    if (!progress) return;
    this.#loseOvertaken();
    this.#progressed(now);
    this.#pump();
  }

  /** Message `seq` is known to have arrived (the reply to a call proves the call did). */
  acknowledge(seq: number): void {
    const message = this.#messages.get(seq);
    if (message === undefined) return;
    const now = performance.now();
    this.#complete(message, now);
    this.#progressed(now);
    this.#pump();
  }

  /**
   * Stops sending message `seq` (a call past its deadline, an evicted reply): a SKIP goes in its
   * place until acknowledged, so the receiver delivers the messages behind it. Nothing happens
   * when it was acknowledged already.
   */
  abandon(seq: number): void {
    const message = this.#messages.get(seq);
    if (message === undefined || message.skipped) return;
    for (let index = 0; index < message.count; index++) {
      const order = message.inFlight[index] as number;
      if (order !== 0) this.#inFlight.delete(order);
      message.inFlight[index] = 0;
    }
    message.skipped = true;
    message.message = EMPTY;
    message.sends[0] = 0;
    this.#again.push({ message, index: 0 });
    this.#pump();
  }

  /** Sends the unacknowledged fragments of message `seq` again now: the peer asked for it (a probe). */
  retransmitNow(seq: number): void {
    const message = this.#messages.get(seq);
    if (message === undefined) return;
    for (let index = 0; index < message.count; index++) {
      if (message.acked[index] === 1) continue;
      const order = message.inFlight[index] as number;
      const transmission = this.#inFlight.get(order);
      if (transmission !== undefined) this.#lose(order, transmission);
      else this.#again.push({ message, index });
    }
    this.#pump();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#messages.clear();
    this.#inFlight.clear();
    this.#fresh.clear();
    this.#again.clear();
    this.onDrained = undefined;
  }

  #pump(): void {
    while (this.#inFlight.size < SEND_WINDOW_DATAGRAMS) {
      const next = this.#again.shift() ?? this.#fresh.shift();
      if (next === undefined) break;
      const { message, index } = next;
      // Queued fragments may have been acknowledged, skipped or sent again meanwhile.
      if (this.#messages.get(message.seq) !== message || message.inFlight[index] !== 0) continue;
      if (message.skipped ? index !== 0 : message.acked[index] === 1) continue;
      this.#send(message, index);
    }
    this.#arm();
  }

  #send(message: Outgoing, index: number): void {
    const now = performance.now();
    const { identity, transmit, counters, cumulativeAckToCarry } = this.#options;
    const sends = message.sends[index] as number;
    if (sends > 0) {
      message.retransmitted = true;
      if (!message.skipped) counters.retransmissions++;
    }
    if (message.firstSentAt === 0) message.firstSentAt = now;
    if (sends < 255) message.sends[index] = sends + 1;
    const order = ++this.#transmissions;
    message.inFlight[index] = order;
    this.#inFlight.set(order, { message, index, at: now });
    if (message.skipped) {
      transmit(skipDatagram(identity, message.seq));
      return;
    }
    const end = DATA_HEADER_BYTES + Math.min(message.size, (index + 1) * this.#fragmentBytes);
    const ack = cumulativeAckToCarry();
    if (index === 0) {
      // Into the room in front of the frame; a retransmission carries the ack current then.
      writeDataHeader(message.message, 0, identity, message.seq, ack, message.size, 0, message.count);
      const { refresh } = message;
      if (refresh !== undefined) {
        const left = Math.max(1, Math.round(refresh.timeout - (now - refresh.since)));
        message.message.writeUInt32BE(left, refresh.offset);
      }
      transmit(message.count === 1 ? message.message : message.message.subarray(0, end));
      return;
    }
    const header = Buffer.allocUnsafe(DATA_HEADER_BYTES);
    writeDataHeader(header, 0, identity, message.seq, ack, message.size, index, message.count);
    transmit([header, message.message.subarray(DATA_HEADER_BYTES + index * this.#fragmentBytes, end)]);
  }

  /** Fragment `index` is acknowledged: it leaves the flight. */
  #landed(message: Outgoing, index: number): void {
    const order = message.inFlight[index] as number;
    if (order === 0) return;
    this.#inFlight.delete(order);
    message.inFlight[index] = 0;
    // Only a fragment sent once says which copy arrived: an ack of a retransmitted one may be for
    // its first copy, and would make everything sent in between look overtaken.
    if (message.sends[index] === 1 && order > this.#highestAcknowledged) this.#highestAcknowledged = order;
  }

  #complete(message: Outgoing, now: number): void {
    for (let index = 0; index < message.count; index++) this.#landed(message, index);
    if (!message.retransmitted && !message.skipped && message.count === 1) this.#options.rtt.sample(now - message.firstSentAt);
    this.#messages.delete(message.seq);
    if (!message.skipped) this.#options.onAcknowledged(message.seq, message.tag);
    if (this.#messages.size === 0) this.onDrained?.();
  }

  /** Fragments sent well before one that was acknowledged are lost, not late: send them again now. */
  #loseOvertaken(): void {
    const threshold = this.#highestAcknowledged - REORDER_TOLERANCE;
    for (const [order, transmission] of this.#inFlight) {
      if (order >= threshold) break;
      this.#lose(order, transmission);
    }
  }

  #lose(order: number, { message, index }: Transmission): void {
    this.#inFlight.delete(order);
    message.inFlight[index] = 0;
    if (this.#messages.get(message.seq) === message) this.#again.push({ message, index });
  }

  #progressed(now: number): void {
    this.#backoff = 0;
    this.#lastProgressAt = now;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** One timer for the connection: due when the oldest fragment in flight has waited its retransmission delay. */
  #arm(): void {
    if (this.#timer !== undefined) return;
    const oldest = this.#inFlight.values().next().value as Transmission | undefined;
    if (oldest === undefined) return;
    this.#armedDelay = retransmitDelay(this.#options.rtt.timeout, this.#backoff);
    const wait = Math.max(0, oldest.at + this.#armedDelay - performance.now());
    this.#timer = setTimeout(() => this.#overdue(), Math.ceil(wait)).unref();
  }

  #overdue(): void {
    this.#timer = undefined;
    const now = performance.now();
    const { retryWindow } = this.#options;
    if (now - this.#lastProgressAt >= retryWindow) {
      this.#options.onUnanswered(`nothing was acknowledged for ${retryWindow} ms`);
      return;
    }
    // Every fragment that has waited the whole delay is lost; younger ones keep their chance.
    const cutoff = now - this.#armedDelay + 1;
    for (const [order, transmission] of this.#inFlight) {
      if (transmission.at > cutoff) break;
      this.#lose(order, transmission);
    }
    this.#backoff++;
    this.#pump();
  }
}

/** A FIFO of fragments that does not shift arrays element by element. */
class FragmentQueue {
  #items: FragmentRef[] = [];
  #head = 0;

  push(item: FragmentRef): void {
    this.#items.push(item);
  }

  shift(): FragmentRef | undefined {
    if (this.#head === this.#items.length) return undefined;
    const item = this.#items[this.#head++];
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
