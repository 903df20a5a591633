import { asBuffer, Code, FrameType, RpcError, type Connection, type ConnectionHandlers } from '@conduit/runtime';
import { ackDatagrams, closeDatagram, CloseReason, DATA_HEADER_BYTES, DatagramKind, maxAckBitmapBytes, type Datagram } from './udp-datagram.js';
import { CALL_TIMEOUT_OFFSET, isReply, readFrameHead, type FrameHead } from './udp-frame-head.js';
import { ACK_DELAY_MS, CLOSE_FLUSH_MS, MIN_DATAGRAM_SIZE } from './udp-limits.js';
import { OrderedReceiver } from './udp-ordered-receiver.js';
import type { ReceiveBudget } from './udp-receive-budget.js';
import { ReliableSender, type TimeoutRefresh } from './udp-reliable-sender.js';
import { RttEstimator } from './udp-retransmit.js';
import type { UdpCounters } from './udp-stats.js';

export interface SessionOptions {
  /** `udp://host:port` of the other end. */
  readonly peer: string;
  /** Incarnation and connection id: the 12 bytes every datagram of this connection carries. */
  readonly identity: Buffer;
  readonly maxMessageSize: number;
  readonly maxDatagramSize: number;
  readonly retryWindow: number;
  readonly budget: ReceiveBudget;
  readonly counters: UdpCounters;
  /** Sends one datagram to the peer. */
  readonly transmit: (datagram: Buffer | readonly Buffer[]) => void;
  /** A round trip measured while opening the connection, to start the retransmission timeout from. */
  readonly firstRoundTrip?: number | undefined;
}

type State = 'open' | 'closing' | 'closed';

/**
 * One connection over UDP, the part both ends share: a reliable, ordered message stream in each
 * direction (ReliableSender out, OrderedReceiver in), acks carried on DATA or batched into ACKs, and
 * the connection's end: a flush then CLOSE when closed here, at once when the peer closes or stops
 * answering. The client and server sides add what calls need (probes, the reply cache) through
 * the hooks below.
 */
export abstract class UdpSession implements Connection {
  readonly peer: string;
  /** Room for the DATA header: a message that fits one datagram leaves as it is, without a copy. */
  readonly headroom = DATA_HEADER_BYTES;
  protected readonly identity: Buffer;
  protected readonly rtt = new RttEstimator();
  protected readonly sender: ReliableSender;
  readonly #receiver: OrderedReceiver;
  readonly #options: SessionOptions;
  #handlers: ConnectionHandlers | undefined;
  #state: State = 'open';
  #closeReason: RpcError | undefined;
  #flushTimer: NodeJS.Timeout | undefined;
  #acksScheduled = false;
  /** Due while acks wait for a DATA to carry them: then they go in an ACK of their own. */
  #ackDelayTimer: NodeJS.Timeout | undefined;
  /** `performance.now()` of the last datagram from the peer: how a silent peer is found. */
  lastHeardAt = performance.now();
  /** `performance.now()` of the last datagram sent: a client keeps an idle connection alive by it. */
  lastSentAt = performance.now();

  constructor(options: SessionOptions) {
    this.#options = options;
    this.peer = options.peer;
    this.identity = options.identity;
    if (options.firstRoundTrip !== undefined) this.rtt.sample(options.firstRoundTrip);
    this.sender = new ReliableSender({
      identity: options.identity,
      maxDatagramSize: options.maxDatagramSize,
      retryWindow: options.retryWindow,
      rtt: this.rtt,
      counters: options.counters,
      transmit: (datagram) => this.transmit(datagram),
      cumulativeAckToCarry: () => this.#carryCumulativeAck(),
      onAcknowledged: (seq, tag) => this.acknowledged(seq, tag),
      onUnanswered: (problem) => this.end(new RpcError(Code.Unavailable, `${this.peer} stopped answering: ${problem}`)),
    });
    this.#receiver = new OrderedReceiver({
      peer: options.peer,
      maxMessageSize: options.maxMessageSize,
      minFragmentBytes: MIN_DATAGRAM_SIZE - DATA_HEADER_BYTES,
      maxBitmapBytes: maxAckBitmapBytes(options.maxDatagramSize),
      budget: options.budget,
      counters: options.counters,
      deliver: (message, seq) => {
        this.delivered(message, seq);
        this.#handlers?.onMessage(message);
      },
      oversized: (head, size) => this.#handlers?.onOversized(head, size),
      completed: (message) => this.completed(message),
    });
  }

  start(handlers: ConnectionHandlers): void {
    this.#handlers = handlers;
  }

  send(message: Uint8Array): void {
    if (this.#state !== 'open') throw new RpcError(Code.Unavailable, `the connection to ${this.peer} is closed`);
    const size = message.length - DATA_HEADER_BYTES;
    if (size > this.#options.maxMessageSize) {
      throw new RpcError(Code.ResourceExhausted, `message of ${size} bytes exceeds the ${this.#options.maxMessageSize}-byte limit`);
    }
    const bytes = asBuffer(message);
    const head = readFrameHead(bytes, DATA_HEADER_BYTES);
    const tag = head !== undefined && (head.type === FrameType.Call || isReply(head.type)) ? head.id : 0;
    const refresh = timeoutRefresh(head);
    const seq = this.sender.enqueue(bytes, tag, refresh);
    if (head !== undefined) this.sent(head, seq, bytes, refresh);
  }

  /** Sends what the peer has not acknowledged yet (for at most CLOSE_FLUSH_MS), then CLOSE. */
  close(reason?: RpcError): void {
    if (this.#state !== 'open') return;
    this.#state = 'closing';
    this.#closeReason = reason;
    if (this.sender.pending === 0) return this.#sayGoodbye();
    this.sender.onDrained = () => this.#sayGoodbye();
    this.#flushTimer = setTimeout(() => this.#sayGoodbye(), CLOSE_FLUSH_MS).unref();
  }

  /** One datagram from the peer, already checked to be this connection's. */
  receive(datagram: Datagram): void {
    if (this.#state === 'closed') return;
    const now = performance.now();
    this.lastHeardAt = now;
    switch (datagram.kind) {
      case DatagramKind.Data:
        // The message first: a reply that is whole settles its call at once (no probe is armed
        // for a call whose reply is here), and then the ack it carries finds the call done.
        this.#receiver.data(datagram, now);
        this.sender.acknowledgeThrough(datagram.ack);
        this.#scheduleAcks();
        return;
      case DatagramKind.Skip:
        this.#receiver.skip(datagram.seq);
        this.#scheduleAcks();
        return;
      case DatagramKind.Ack:
        this.sender.ack(datagram.entries);
        return;
      case DatagramKind.Close:
        this.end(new RpcError(Code.Unavailable, closeProblem(datagram.reason, this.peer)));
        return;
      default:
        this.control(datagram);
    }
  }

  /** Housekeeping: partial messages that stopped growing give their memory back. */
  sweep(now: number): void {
    this.#receiver.expire(now);
  }

  /** Sends one datagram; nothing once the connection has ended (its socket may be gone). */
  protected transmit(datagram: Buffer | readonly Buffer[]): void {
    if (this.#state === 'closed') return;
    this.lastSentAt = performance.now();
    this.#options.counters.datagramsSent++;
    this.#options.transmit(datagram);
  }

  /** Ends the connection now, without flushing: the peer is gone, or said goodbye. `onClose` fires once. */
  protected end(reason: RpcError): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#flushTimer);
    this.#stopAckDelay();
    this.sender.stop();
    this.#receiver.release();
    this.ended();
    this.#handlers?.onClose(reason);
  }

  /** The runtime sent a frame; it went out as message `seq` (a CALL with a deadline: its timeout rewritten per send). */
  protected abstract sent(head: FrameHead, seq: number, message: Buffer, refresh: TimeoutRefresh | undefined): void;
  /** The peer received our message `seq` whole; `tag` is the call id of a call or reply, else 0. */
  protected abstract acknowledged(seq: number, tag: number): void;
  /** A message from the peer is whole (it may still wait for earlier ones before delivery). */
  protected abstract completed(message: Buffer): void;
  /** A message from the peer is about to reach the runtime, in order. */
  protected abstract delivered(message: Buffer, seq: number): void;
  /** A datagram of a kind only one side handles (PROBE, PROBE_ACK, KEEPALIVE, OPENED). */
  protected abstract control(datagram: Datagram): void;
  /** The connection has ended: release the socket or the listener's entry. */
  protected abstract ended(): void;

  #sayGoodbye(): void {
    if (this.#state === 'closed') return;
    this.transmit(closeDatagram(this.identity, CloseReason.Closed));
    this.end(this.#closeReason ?? new RpcError(Code.Unavailable, `the connection to ${this.peer} was closed`));
  }

  /**
   * Once per turn of the event loop, covering every datagram read in it: acks a cumulative ack
   * cannot carry (partial messages, messages ahead of a missing one) leave at once in ACKs; the
   * rest wait up to ACK_DELAY_MS for a DATA to carry them (a reply, the next call) and only then
   * go in an ACK of their own.
   */
  #scheduleAcks(): void {
    if (this.#acksScheduled) return;
    this.#acksScheduled = true;
    setImmediate(() => {
      this.#acksScheduled = false;
      if (this.#receiver.acksUrgent) this.#sendAcks();
      else if (this.#receiver.acksDue) this.#ackDelayTimer ??= setTimeout(() => this.#sendAcks(), ACK_DELAY_MS).unref();
    });
  }

  #sendAcks(): void {
    this.#stopAckDelay();
    for (const datagram of ackDatagrams(this.identity, this.#receiver.takeAcks(), this.#options.maxDatagramSize)) {
      this.#options.counters.acksSent++;
      this.transmit(datagram);
    }
  }

  /** A DATA is leaving: it acknowledges every message delivered so far, so no ACK need wait for them. */
  #carryCumulativeAck(): number {
    const ack = this.#receiver.carryCumulativeAck();
    if (!this.#receiver.acksDue) this.#stopAckDelay();
    return ack;
  }

  #stopAckDelay(): void {
    clearTimeout(this.#ackDelayTimer);
    this.#ackDelayTimer = undefined;
  }
}

/** A CALL with a deadline carries the time left; a retransmission must say how much is left then. */
function timeoutRefresh(head: FrameHead | undefined): TimeoutRefresh | undefined {
  if (head?.type !== FrameType.Call || head.timeout === undefined) return undefined;
  return { offset: DATA_HEADER_BYTES + CALL_TIMEOUT_OFFSET, timeout: head.timeout, since: performance.now() };
}

/** What a CLOSE from `peer` means, in words for the error its connection ends with. */
export function closeProblem(reason: number, peer: string): string {
  switch (reason) {
    case CloseReason.UnknownConnection:
      return `${peer} does not know this connection (the server restarted, or forgot this client after it went silent)`;
    case CloseReason.NotAccepting:
      return `${peer} is not accepting connections`;
    default:
      return `${peer} closed the connection`;
  }
}
