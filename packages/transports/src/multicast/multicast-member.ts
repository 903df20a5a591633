import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import {
  asBuffer,
  Code,
  encodeFrame,
  FrameType,
  PROTOCOL_VERSION,
  RpcError,
  type Connection,
  type ConnectionHandlers,
  type Listener,
} from '@conduit/runtime';
import { rpcErrorFromOs } from '../os-errors.js';
import { isReply, readFrameHead } from '../udp/udp-frame-head.js';
import { bindSocket, createUdpSocket } from '../udp/udp-socket.js';
import { udpUrl } from '../udp/udp-url.js';
import { DatagramKind, HEADER_BYTES, readDatagram, replyHeader, type RequestDatagram } from './multicast-datagram.js';
import { CALLER_IDLE_MS, KEPT_REPLY_MS, MAX_KEPT_CALLS, SWEEP_INTERVAL_MS } from './multicast-limits.js';
import type { MulticastSettings } from './multicast-settings.js';

/**
 * Joins the group as a member: one socket bound to the group's address and port (so it hears that
 * group only, beside other members on the same port), and one unicast socket for replies, whose
 * address is the member's name in every reply (`reply.from`).
 */
export async function listenMulticast(settings: MulticastSettings, accept: (connection: Connection) => ConnectionHandlers): Promise<Listener> {
  const group = createSocket({ type: 'udp4', reuseAddr: true });
  const replies = createUdpSocket(4);
  try {
    await bindSocket(group, settings.port, settings.group);
    group.addMembership(settings.group, settings.interface);
    await bindSocket(replies, 0, settings.interface);
  } catch (reason) {
    group.close();
    replies.close();
    throw rpcErrorFromOs(reason, `could not join multicast group ${settings.group}:${settings.port} on ${settings.interface}`);
  }
  return new MulticastMember(settings, group, replies, accept);
}

/** A call a member took: running until `reply` is set, then kept to answer resends of it. */
interface KeptCall {
  readonly at: number;
  readonly caller: CallerConnection;
  reply: Uint8Array | undefined;
}

/**
 * A group member. Every caller (address, port and incarnation) becomes a connection of its own
 * for the server, opened by the member with the HELLO the caller's requests describe: the caller
 * sent its real HELLO to the group before this member may even have joined. Each call runs once
 * however often its request arrives; a repeat gets the kept reply.
 */
class MulticastMember implements Listener {
  readonly url: string;
  readonly #settings: MulticastSettings;
  readonly #group: Socket;
  readonly #replies: Socket;
  readonly #accept: (connection: Connection) => ConnectionHandlers;
  readonly #callers = new Map<string, CallerConnection>();
  /** Calls by `caller key#id`, oldest first. */
  readonly #kept = new Map<string, KeptCall>();
  readonly #sweep: NodeJS.Timeout;
  #closed = false;
  #repliesClosed = false;

  constructor(settings: MulticastSettings, group: Socket, replies: Socket, accept: (connection: Connection) => ConnectionHandlers) {
    this.url = settings.address;
    this.#settings = settings;
    this.#group = group;
    this.#replies = replies;
    this.#accept = accept;
    group.on('message', (bytes, from) => this.#receive(bytes, from));
    // A member's socket errors are per datagram (ICMP from a caller that left); the member goes on.
    group.on('error', () => {});
    replies.on('error', () => {});
    this.#sweep = setInterval(() => this.#forgetOld(), SWEEP_INTERVAL_MS).unref();
  }

  #receive(bytes: Buffer, from: RemoteInfo): void {
    const counters = this.#settings.counters;
    counters.datagramsReceived++;
    const sender = udpUrl(from.address, from.port);
    const datagram = readDatagram(bytes);
    if (typeof datagram === 'string') return counters.drop(datagram, sender);
    if (datagram.kind !== DatagramKind.Request) return counters.drop('unexpected-kind', sender);
    const head = readFrameHead(datagram.frame, 0);
    if (head === undefined || (head.type !== FrameType.Call && head.type !== FrameType.Cancel)) return counters.drop('malformed', sender);
    const caller = this.#caller(datagram, from, sender);
    if (caller === undefined) return counters.drop('malformed', sender);
    caller.lastHeard = Date.now();
    const key = `${caller.key}#${head.id}`;
    const kept = this.#kept.get(key);
    if (head.type === FrameType.Cancel) {
      if (kept !== undefined && kept.reply === undefined) caller.handlers.onMessage(datagram.frame);
      return;
    }
    if (kept !== undefined) {
      counters.duplicates++;
      if (kept.reply !== undefined) caller.reply(kept.reply, 0);
      return;
    }
    // Full: the oldest answered call makes room. A call still running is never forgotten (a resend
    // would run it again), so with every kept call running the request is dropped instead, and
    // the caller's resend or deadline covers it.
    if (this.#kept.size >= MAX_KEPT_CALLS && !this.#forgetOldestAnswered()) return counters.drop('busy', sender);
    this.#kept.set(key, { at: Date.now(), caller, reply: undefined });
    caller.handlers.onMessage(datagram.frame);
  }

  /** Forgets the oldest call that has its reply; false when every kept call is still running. */
  #forgetOldestAnswered(): boolean {
    for (const [key, kept] of this.#kept) {
      if (kept.reply === undefined) continue;
      this.#kept.delete(key);
      return true;
    }
    return false;
  }

  /** The connection for this caller, opened on its first request; undefined when a request contradicts it. */
  #caller(datagram: RequestDatagram, from: RemoteInfo, sender: string): CallerConnection | undefined {
    const key = `${sender}/${datagram.incarnation}`;
    const known = this.#callers.get(key);
    if (known !== undefined) return known.codec === datagram.codec ? known : undefined;
    if (this.#closed) return undefined;
    const caller = new CallerConnection(this, key, sender, from, Buffer.from(datagram.incarnation, 'hex'), datagram.codec);
    this.#callers.set(key, caller);
    caller.handlers = this.#accept(caller);
    caller.handlers.onMessage(encodeFrame({ type: FrameType.Hello, version: PROTOCOL_VERSION, codec: datagram.codec }, 0));
    return caller;
  }

  /** A caller's reply, kept to answer resends of its call. */
  keepReply(caller: CallerConnection, id: number, reply: Uint8Array): void {
    const kept = this.#kept.get(`${caller.key}#${id}`);
    if (kept !== undefined) kept.reply = reply;
  }

  sendReply(caller: CallerConnection, frame: Uint8Array): void {
    if (this.#repliesClosed) return;
    const counters = this.#settings.counters;
    counters.datagramsSent++;
    this.#replies.send([caller.header, frame], caller.port, caller.address, (error) => {
      if (error !== null && error !== undefined) counters.sendFailures++;
    });
  }

  get settings(): MulticastSettings {
    return this.#settings;
  }

  forget(caller: CallerConnection): void {
    this.#callers.delete(caller.key);
    for (const [key, kept] of this.#kept) if (kept.caller === caller) this.#kept.delete(key);
    if (this.#closed && this.#callers.size === 0) this.#closeReplies();
  }

  /** Once nobody can call any more: after the longest reply delay, so the last replies still leave. */
  #closeReplies(): void {
    clearInterval(this.#sweep);
    setTimeout(() => {
      this.#repliesClosed = true;
      this.#replies.close();
    }, this.#settings.replyDelay + 1);
  }

  #forgetOld(): void {
    const now = Date.now();
    for (const [key, kept] of this.#kept) {
      const age = now - kept.at;
      if (age < KEPT_REPLY_MS) break; // oldest first: the rest are younger
      // A call with no reply yet may still be running; one-way and cancelled calls never get one.
      if (kept.reply !== undefined || age > CALLER_IDLE_MS) this.#kept.delete(key);
    }
    for (const caller of this.#callers.values()) {
      if (now - caller.lastHeard > CALLER_IDLE_MS) caller.close(new RpcError(Code.Unavailable, `no request from ${caller.peer} for ${CALLER_IDLE_MS} ms`));
    }
  }

  /** Leaves the group. Callers' connections are the server's to end; their last replies still go out. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#group.close();
    if (this.#callers.size === 0) this.#closeReplies();
  }
}

/** One caller as the server sees it: its requests come through the member; its replies go back by unicast. */
class CallerConnection implements Connection {
  readonly peer: string;
  readonly headroom = 0;
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly header: Buffer;
  readonly codec: string;
  /** Set as soon as the server accepts this connection, before any message is delivered. */
  handlers!: ConnectionHandlers;
  lastHeard = Date.now();
  readonly #member: MulticastMember;
  #closed = false;

  constructor(member: MulticastMember, key: string, peer: string, from: RemoteInfo, incarnation: Buffer, codec: string) {
    this.#member = member;
    this.key = key;
    this.peer = peer;
    this.address = from.address;
    this.port = from.port;
    this.header = replyHeader(incarnation);
    this.codec = codec;
  }

  send(message: Uint8Array): void {
    if (this.#closed) throw new RpcError(Code.Unavailable, `the connection to ${this.peer} is closed`);
    if (!isReply(message[0] as number)) return; // HELLO's answer, GOAWAY, PONG: the caller's connection speaks for the group
    const { settings } = this.#member;
    if (HEADER_BYTES + message.length > settings.maxDatagramSize) {
      throw new RpcError(
        Code.ResourceExhausted,
        `the reply is ${HEADER_BYTES + message.length} bytes as a datagram, over the multicast limit of ${settings.maxDatagramSize} (maxDatagramSize)`,
      );
    }
    const id = asBuffer(message).readUInt32BE(1);
    this.#member.keepReply(this, id, message);
    this.reply(message, settings.replyDelay * Math.random());
  }

  reply(frame: Uint8Array, delay: number): void {
    if (delay < 1) {
      this.#member.sendReply(this, frame);
      return;
    }
    setTimeout(() => this.#member.sendReply(this, frame), delay);
  }

  close(reason?: RpcError): void {
    if (this.#closed) return;
    this.#closed = true;
    // Replies waiting out their delay still leave: the calls ran, and their callers wait for them.
    this.#member.forget(this);
    this.handlers.onClose(reason);
  }
}
