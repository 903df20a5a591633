import type { Socket } from 'node:dgram';
import { Code, FrameType, RpcError, type ConnectionHandlers } from '@conduit/runtime';
import { rpcErrorFromOs } from '../os-errors.js';
import { CallProbes } from './udp-call-probes.js';
import { DatagramKind, keepaliveDatagram, namesConnection, probeDatagram, readDatagram, type Datagram } from './udp-datagram.js';
import { isReply, readFrameHead, type FrameHead } from './udp-frame-head.js';
import { MIN_SWEEP_INTERVAL_MS, SWEEP_INTERVAL_MS } from './udp-limits.js';
import type { TimeoutRefresh } from './udp-reliable-sender.js';
import { UdpSession, type SessionOptions } from './udp-session.js';
import type { UdpCounters } from './udp-stats.js';

export interface ClientConnectionOptions extends Omit<SessionOptions, 'transmit'> {
  /** This connection's own socket, connected to the server. */
  readonly socket: Socket;
  /** The server forgets clients silent this long (it said so in OPENED). */
  readonly idleTimeout: number;
}

/**
 * The calling end of a udp connection, on a socket of its own connected to the server: so only the
 * server's datagrams reach it, and ICMP port unreachable (a dead server) surfaces as ECONNREFUSED.
 * Adds to the shared session the probing of calls that wait for their reply, RERUN, and a
 * KEEPALIVE when it has had nothing to send for a quarter of the server's idle timeout.
 */
export class UdpClientConnection extends UdpSession {
  readonly #socket: Socket;
  readonly #counters: UdpCounters;
  readonly #probes: CallProbes;
  readonly #keepaliveAfter: number;
  readonly #sweep: NodeJS.Timeout;

  constructor(options: ClientConnectionOptions, handlers: ConnectionHandlers) {
    const { socket } = options;
    // ICMP port unreachable is reported once, to whichever comes first: the next receive (an
    // 'error' event) or the next send (only to a send callback; Node drops it otherwise).
    const onSent = (error: Error | null) => {
      if (error !== null) this.#unreachable(error);
    };
    super({ ...options, transmit: (datagram) => socket.send(datagram as Buffer | Buffer[], onSent) });
    this.#socket = socket;
    this.#counters = options.counters;
    this.#probes = new CallProbes({
      retryWindow: options.retryWindow,
      rtt: this.rtt,
      probe: (seq, callId) => this.transmit(probeDatagram(this.identity, seq, callId)),
      lastHeardAt: () => this.lastHeardAt,
      onUnanswered: (problem) => this.end(new RpcError(Code.Unavailable, `${this.peer} stopped answering: ${problem}`)),
    });
    this.#keepaliveAfter = options.idleTimeout / 4;
    socket.on('message', (bytes: Buffer) => this.#onDatagram(bytes));
    socket.on('error', (error) => this.#unreachable(error));
    // Often enough to keep alive a connection to a server with a short idle timeout, never a busy loop.
    this.#sweep = setInterval(() => this.#housekeep(), Math.max(MIN_SWEEP_INTERVAL_MS, Math.min(SWEEP_INTERVAL_MS, this.#keepaliveAfter))).unref();
    this.start(handlers);
  }

  override close(reason?: RpcError): void {
    // The runtime has settled every call by now: no reply is waited for any more.
    this.#probes.stop();
    super.close(reason);
  }

  protected sent(head: FrameHead, seq: number, message: Buffer, refresh: TimeoutRefresh | undefined): void {
    if (head.type === FrameType.Call && !head.noReply) {
      this.#probes.expect(head.id, seq, message, refresh);
    } else if (head.type === FrameType.Cancel) {
      // At the deadline or on abort: a CALL the server never acknowledged is not sent again.
      const callSeq = this.#probes.forget(head.id);
      if (callSeq !== undefined) this.sender.abandon(callSeq);
    }
  }

  protected acknowledged(seq: number, tag: number): void {
    if (tag !== 0) this.#probes.acknowledged(tag, seq);
  }

  protected completed(message: Buffer): void {
    const head = readFrameHead(message, 0);
    if (head === undefined || !isReply(head.type)) return;
    const callSeq = this.#probes.answered(head.id);
    if (callSeq !== undefined) this.sender.acknowledge(callSeq);
  }

  protected delivered(): void {
    // Replies were noted when they became whole (completed); nothing waits for their delivery.
  }

  protected control(datagram: Datagram): void {
    // A PROBE_ACK without RERUN only shows the server alive (lastHeardAt); a late OPENED repeats what connect heard.
    if (datagram.kind !== DatagramKind.ProbeAck || !datagram.rerun) return;
    const call = this.#probes.rerun(datagram.callId, datagram.seq);
    if (call !== undefined) this.#probes.resent(datagram.callId, this.sender.enqueue(call.message, datagram.callId, call.refresh));
  }

  protected ended(): void {
    this.#probes.stop();
    clearInterval(this.#sweep);
    this.#socket.close();
  }

  #onDatagram(bytes: Buffer): void {
    this.#counters.datagramsReceived++;
    const datagram = readDatagram(bytes);
    if (typeof datagram === 'string') return this.#counters.drop(datagram, this.peer);
    if (!namesConnection(bytes, this.identity)) {
      return this.#counters.drop('unknown-connection', this.peer);
    }
    this.receive(datagram);
  }

  /** The socket failed, almost always because ICMP said nobody listens there any more (ECONNREFUSED). */
  #unreachable(error: Error): void {
    this.end(rpcErrorFromOs(error, `sending to ${this.peer}`));
  }

  #housekeep(): void {
    const now = performance.now();
    this.sweep(now);
    if (now - this.lastSentAt >= this.#keepaliveAfter) this.transmit(keepaliveDatagram(this.identity));
  }
}
