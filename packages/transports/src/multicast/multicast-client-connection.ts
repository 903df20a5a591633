import type { RemoteInfo, Socket } from 'node:dgram';
import { asBuffer, Code, decodeFrame, encodeFrame, FrameType, RpcError, type Connection, type ConnectionHandlers, type OneToMany } from '@conduit/runtime';
import { rpcErrorFromOs } from '../os-errors.js';
import { CALL_TIMEOUT_OFFSET, readFrameHead } from '../udp/udp-frame-head.js';
import { bindSocket, createUdpSocket } from '../udp/udp-socket.js';
import { udpUrl } from '../udp/udp-url.js';
import { DatagramKind, newIncarnation, readDatagram, requestHeader } from './multicast-datagram.js';
import { RESEND_AFTER_MS } from './multicast-limits.js';
import type { MulticastSettings } from './multicast-settings.js';

/** Opens a client's side: a socket of its own, sending to the group, hearing members' unicast replies. */
export async function connectMulticast(settings: MulticastSettings, handlers: ConnectionHandlers): Promise<Connection> {
  const socket = createUdpSocket(4);
  await bindSocket(socket, 0, settings.interface).catch((reason: unknown) => {
    socket.close();
    throw rpcErrorFromOs(reason, `could not open a socket on ${settings.interface}`);
  });
  try {
    socket.setMulticastInterface(settings.interface);
    socket.setMulticastTTL(settings.ttl);
    socket.setMulticastLoopback(settings.loopback);
  } catch (reason) {
    socket.close();
    throw rpcErrorFromOs(reason, `could not send to multicast group ${settings.group} through ${settings.interface}`);
  }
  return new MulticastClientConnection(settings, socket, handlers);
}

/** A call whose request may still be sent again. */
interface OpenCall {
  readonly frame: Uint8Array;
  /** The call's timeout as its CALL carries it (milliseconds from the first send), or Infinity. */
  readonly until: number;
  /** `performance.now()` of the first send. */
  readonly sentAt: number;
  resends: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The client's connection to a group. The runtime sees an ordinary connection that happens to be
 * one-to-many: what is one peer's business on other transports (answering HELLO and PING) the
 * connection does itself, since a group has no single voice; CALL and CANCEL go to every member,
 * and each reply is delivered with the member that sent it.
 */
class MulticastClientConnection implements Connection {
  readonly peer: string;
  readonly headroom = 0;
  readonly oneToMany: OneToMany;
  readonly #settings: MulticastSettings;
  readonly #socket: Socket;
  readonly #handlers: ConnectionHandlers;
  readonly #incarnation = newIncarnation();
  readonly #incarnationHex = this.#incarnation.toString('hex');
  /** Set by the runtime's HELLO, which names the codec every member must decode with. */
  #header: Buffer | undefined;
  readonly #open = new Map<number, OpenCall>();
  #closed = false;

  constructor(settings: MulticastSettings, socket: Socket, handlers: ConnectionHandlers) {
    this.peer = settings.address;
    this.oneToMany = { replyTimeout: settings.replyTimeout };
    this.#settings = settings;
    this.#socket = socket;
    this.#handlers = handlers;
    socket.on('message', (bytes, from) => this.#receive(bytes, from));
    socket.on('error', (error) => this.close(rpcErrorFromOs(error, `multicast socket failed`)));
  }

  send(message: Uint8Array): void {
    if (this.#closed) throw new RpcError(Code.Unavailable, `the connection to ${this.peer} is closed`);
    switch (message[0]) {
      case FrameType.Hello: {
        const hello = decodeFrame(message);
        if (hello.type === FrameType.Hello) this.#header = requestHeader(this.#incarnation, hello.codec);
        return;
      }
      case FrameType.Ping: {
        // The group is as alive as this socket: answer for it, a turn later, as a peer would.
        const pong = encodeFrame({ type: FrameType.Pong, id: asBuffer(message).readUInt32BE(1) }, 0);
        setImmediate(() => this.#closed || this.#handlers.onMessage(pong, this.peer));
        return;
      }
      case FrameType.Call:
        this.#call(message);
        return;
      case FrameType.Cancel:
        this.#cancel(message);
        return;
      default:
        // Stream frames never come (the transport has no streams); PONG and GOAWAY have no group to go to.
        return;
    }
  }

  #call(frame: Uint8Array): void {
    const header = this.#header;
    if (header === undefined) throw new RpcError(Code.Internal, 'a call was sent before the HELLO that names its codec');
    const size = header.length + frame.length;
    if (size > this.#settings.maxDatagramSize) {
      throw new RpcError(
        Code.ResourceExhausted,
        `the call is ${size} bytes as a datagram, over the multicast limit of ${this.#settings.maxDatagramSize} (maxDatagramSize): a group call must fit one datagram`,
      );
    }
    this.#transmit(frame);
    const head = readFrameHead(asBuffer(frame), 0);
    if (head === undefined || head.noReply) return; // a notification is sent once
    const call: OpenCall = { frame, until: head.timeout ?? Infinity, sentAt: performance.now(), resends: 0, timer: undefined };
    this.#open.set(head.id, call);
    this.#scheduleResend(head.id, call);
  }

  #scheduleResend(id: number, call: OpenCall): void {
    const after = RESEND_AFTER_MS[call.resends];
    if (after === undefined || after >= call.until) {
      this.#open.delete(id);
      return;
    }
    const since = call.resends === 0 ? 0 : (RESEND_AFTER_MS[call.resends - 1] as number);
    call.timer = setTimeout(() => {
      if (this.#closed) return;
      if (call.until !== Infinity) {
        // A member hearing the call first now gets the time that is left, not the whole timeout again.
        const left = Math.round(call.until - (performance.now() - call.sentAt));
        if (left < 1) return void this.#open.delete(id);
        asBuffer(call.frame).writeUInt32BE(left, CALL_TIMEOUT_OFFSET);
      }
      call.resends++;
      this.#settings.counters.resends++;
      this.#transmit(call.frame);
      this.#scheduleResend(id, call);
    }, after - since);
  }

  /** The call ended here (first reply, gather done, deadline, caller's cancel): no more resends; members stop too. */
  #cancel(frame: Uint8Array): void {
    const id = asBuffer(frame).readUInt32BE(1);
    const call = this.#open.get(id);
    if (call !== undefined) {
      clearTimeout(call.timer);
      this.#open.delete(id);
    }
    this.#transmit(frame);
  }

  #transmit(frame: Uint8Array): void {
    this.#settings.counters.datagramsSent++;
    this.#socket.send([this.#header as Buffer, frame], this.#settings.port, this.#settings.group, (error) => {
      // A send that fails (no route, say) is one lost datagram; the call's resends and deadline cover it.
      if (error !== null && error !== undefined) this.#settings.counters.sendFailures++;
    });
  }

  #receive(bytes: Buffer, from: RemoteInfo): void {
    const counters = this.#settings.counters;
    counters.datagramsReceived++;
    const sender = udpUrl(from.address, from.port);
    const datagram = readDatagram(bytes);
    if (typeof datagram === 'string') {
      counters.drop(datagram, sender);
      return;
    }
    if (datagram.kind !== DatagramKind.Reply) {
      counters.drop('unexpected-kind', sender);
      return;
    }
    if (datagram.incarnation !== this.#incarnationHex) {
      counters.drop('not-ours', sender);
      return;
    }
    this.#handlers.onMessage(datagram.frame, sender);
  }

  close(reason?: RpcError): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const call of this.#open.values()) clearTimeout(call.timer);
    this.#open.clear();
    this.#socket.close();
    this.#handlers.onClose(reason);
  }
}
