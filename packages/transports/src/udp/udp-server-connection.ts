import { Code, FrameType, methodOfCallHead, RpcError, type ConnectionHandlers } from '@conduit/runtime';
import { DATA_HEADER_BYTES, DatagramKind, probeAckDatagram, type Datagram } from './udp-datagram.js';
import { isReply, readFrameHead, type FrameHead } from './udp-frame-head.js';
import type { CallTable, ReplyCache } from './udp-reply-cache.js';
import { UdpSession, type SessionOptions } from './udp-session.js';

export interface ServerConnectionOptions extends SessionOptions {
  /** The client's address and port: datagrams naming this connection from anywhere else are refused. */
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly replyCache: ReplyCache;
  /**
   * Which methods may run again rather than have their reply kept (see UdpOptions.idempotent),
   * besides those the server says were declared `@idempotent`.
   */
  readonly idempotent: ((method: string) => boolean) | undefined;
  readonly onEnded: () => void;
}

/**
 * The serving end of one client's connection, sharing the listener's socket. Adds to the shared
 * session the duplicate-request cache: calls are remembered from delivery to acknowledged reply,
 * a PROBE of a finished call sends its reply again, and a PROBE of an idempotent call whose reply
 * was evicted is answered with RERUN.
 */
export class UdpServerConnection extends UdpSession {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly #calls: CallTable;
  readonly #idempotent: ((method: string) => boolean) | undefined;
  /** The server's own word on each method (`@idempotent` in the service), once started. */
  #declaredIdempotent: ((path: string) => boolean) | undefined;
  readonly #onEnded: () => void;

  constructor(options: ServerConnectionOptions) {
    super(options);
    this.remoteAddress = options.remoteAddress;
    this.remotePort = options.remotePort;
    this.#idempotent = options.idempotent;
    this.#onEnded = options.onEnded;
    this.#calls = options.replyCache.table({
      abandon: (replySeq) => this.sender.abandon(replySeq),
      askAgain: (callSeq, callId) => this.transmit(probeAckDatagram(this.identity, callSeq, callId, true)),
    });
  }

  override start(handlers: ConnectionHandlers): void {
    super.start(handlers);
    this.#declaredIdempotent = handlers.isIdempotent?.bind(handlers);
  }

  isFrom(address: string, port: number): boolean {
    return address === this.remoteAddress && port === this.remotePort;
  }

  /** The client has been silent for `idleTimeout`: forget it. */
  expireIdle(idleTimeout: number): void {
    this.end(new RpcError(Code.Unavailable, `${this.peer} sent nothing for ${idleTimeout} ms`));
  }

  override sweep(now: number): void {
    super.sweep(now);
    this.#calls.expire(now);
  }

  protected sent(head: FrameHead, seq: number, message: Buffer): void {
    if (isReply(head.type)) this.#calls.replied(head.id, seq, message.length - DATA_HEADER_BYTES);
  }

  protected acknowledged(seq: number, tag: number): void {
    if (tag !== 0) this.#calls.acknowledged(tag, seq);
  }

  protected completed(): void {
    // A call is remembered from its delivery on; until then a PROBE of it has nothing to find.
  }

  protected delivered(message: Buffer, seq: number): void {
    const head = readFrameHead(message, 0);
    if (head?.type === FrameType.Call && !head.noReply) {
      this.#calls.started(head.id, seq, this.#mayRunAgain(message), head.timeout);
    } else if (head?.type === FrameType.Cancel) {
      this.#calls.cancelled(head.id);
    }
  }

  /** Whether the call in `message` is to a method declared idempotent, by the service or the options. */
  #mayRunAgain(message: Buffer): boolean {
    if (this.#declaredIdempotent === undefined && this.#idempotent === undefined) return false;
    const method = methodOfCallHead(message);
    return method !== undefined && (this.#declaredIdempotent?.(method) === true || this.#idempotent?.(method) === true);
  }

  protected control(datagram: Datagram): void {
    // KEEPALIVE is only there to be heard (lastHeardAt); OPEN again is the listener's.
    if (datagram.kind !== DatagramKind.Probe) return;
    const answer = this.#calls.probe(datagram.callId, datagram.seq);
    if (answer.resend !== undefined) this.sender.retransmitNow(answer.resend);
    this.transmit(probeAckDatagram(this.identity, datagram.seq, datagram.callId, answer.rerun));
  }

  protected ended(): void {
    this.#calls.clear();
    this.#onEnded();
  }
}
