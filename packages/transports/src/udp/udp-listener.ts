import type { RemoteInfo, Socket } from 'node:dgram';
import type { Connection, ConnectionHandlers, Listener } from '@conduit/runtime';
import { rpcErrorFromOs } from '../os-errors.js';
import { closeDatagram, CloseReason, DatagramKind, IDENTITY_BYTES, IDENTITY_OFFSET, openedDatagram, readDatagram } from './udp-datagram.js';
import { resolveHost } from './udp-host.js';
import { SWEEP_INTERVAL_MS } from './udp-limits.js';
import { messageCharge, ReceiveBudget, ReceivePool } from './udp-receive-budget.js';
import { ReplyCache } from './udp-reply-cache.js';
import { UdpServerConnection } from './udp-server-connection.js';
import { bindSocket, createUdpSocket, setBufferSizes } from './udp-socket.js';
import type { UdpSettings } from './udp-settings.js';
import { udpUrl } from './udp-url.js';

/** Binds the server's socket and serves every client's connection on it. */
export async function listenUdp(options: UdpSettings, accept: (connection: Connection) => ConnectionHandlers): Promise<Listener> {
  const doing = `listening on ${options.address}`;
  const { address, family } = await resolveHost(options.host).catch((error: unknown) => {
    throw rpcErrorFromOs(error, doing);
  });
  const socket = createUdpSocket(family);
  await bindSocket(socket, options.port, address).catch((error: unknown) => {
    socket.close();
    throw rpcErrorFromOs(error, doing);
  });
  setBufferSizes(socket);
  return new UdpListener(socket, options, accept);
}

/**
 * One socket for all clients. A datagram names its connection by incarnation and connection id;
 * OPEN makes a connection (OPENED answers it, again for a repeated OPEN), anything else for a
 * connection this server does not know gets CLOSE so the client fails fast, and everything else
 * goes to its connection if it comes from the address that opened it. Once a second it forgets
 * clients silent for the idle timeout and lets connections expire stale state.
 */
class UdpListener implements Listener {
  readonly url: string;
  readonly #socket: Socket;
  readonly #options: UdpSettings;
  readonly #accept: (connection: Connection) => ConnectionHandlers;
  readonly #connections = new Map<string, UdpServerConnection>();
  readonly #replyCache: ReplyCache;
  readonly #pool: ReceivePool;
  readonly #sweep: NodeJS.Timeout;
  #accepting = true;
  #socketClosed = false;

  constructor(socket: Socket, options: UdpSettings, accept: (connection: Connection) => ConnectionHandlers) {
    const bound = socket.address();
    this.url = udpUrl(bound.address, bound.port);
    this.#socket = socket;
    this.#options = options;
    this.#accept = accept;
    this.#replyCache = new ReplyCache(options.replyCache);
    this.#pool = new ReceivePool(options.maxServerBufferedBytes, messageCharge(options.maxMessageSize));
    socket.on('message', (bytes: Buffer, from: RemoteInfo) => this.#receive(bytes, from));
    // A send that fails is a lost datagram, which retransmission repairs; a socket that cannot
    // send at all leaves its connections to their retry window.
    socket.on('error', () => {});
    this.#sweep = setInterval(() => this.#housekeep(), SWEEP_INTERVAL_MS).unref();
  }

  /** Stops accepting connections; the socket stays until the open ones have ended. */
  async close(): Promise<void> {
    this.#accepting = false;
    this.#closeIfDone();
  }

  #receive(bytes: Buffer, from: RemoteInfo): void {
    const { counters } = this.#options;
    counters.datagramsReceived++;
    const datagram = readDatagram(bytes);
    if (typeof datagram === 'string') return counters.drop(datagram, udpUrl(from.address, from.port));
    const key = bytes.toString('latin1', IDENTITY_OFFSET, IDENTITY_OFFSET + IDENTITY_BYTES);
    const connection = this.#connections.get(key);
    if (connection === undefined) {
      if (datagram.kind === DatagramKind.Open) return this.#open(key, bytes, from);
      counters.drop('unknown-connection', udpUrl(from.address, from.port));
      // Tell the client, so its calls fail now instead of at their deadlines; never answer a CLOSE.
      if (datagram.kind !== DatagramKind.Close) this.#sendTo(closeDatagram(identityOf(bytes), CloseReason.UnknownConnection), from);
      return;
    }
    if (!connection.isFrom(from.address, from.port)) return counters.drop('wrong-address', udpUrl(from.address, from.port));
    if (datagram.kind === DatagramKind.Open) {
      // Our OPENED was lost: the client asks again.
      this.#sendTo(openedDatagram(identityOf(bytes), this.#options.idleTimeout), from);
      return;
    }
    connection.receive(datagram);
  }

  #open(key: string, bytes: Buffer, from: RemoteInfo): void {
    const identity = identityOf(bytes);
    if (!this.#accepting) {
      this.#sendTo(closeDatagram(identity, CloseReason.NotAccepting), from);
      return;
    }
    const options = this.#options;
    const connection = new UdpServerConnection({
      peer: udpUrl(from.address, from.port),
      identity,
      remoteAddress: from.address,
      remotePort: from.port,
      maxMessageSize: options.maxMessageSize,
      maxDatagramSize: options.maxDatagramSize,
      retryWindow: options.retryWindow,
      budget: new ReceiveBudget(this.#pool, options.maxBufferedBytes),
      counters: options.counters,
      replyCache: this.#replyCache,
      idempotent: options.idempotent,
      transmit: (datagram) => this.#socket.send(datagram as Buffer | Buffer[], from.port, from.address),
      onEnded: () => {
        this.#connections.delete(key);
        this.#closeIfDone();
      },
    });
    this.#connections.set(key, connection);
    this.#sendTo(openedDatagram(identity, options.idleTimeout), from);
    connection.start(this.#accept(connection));
  }

  #sendTo(datagram: Buffer, to: RemoteInfo): void {
    this.#options.counters.datagramsSent++;
    this.#socket.send(datagram, to.port, to.address);
  }

  #housekeep(): void {
    const now = performance.now();
    const { idleTimeout } = this.#options;
    for (const connection of this.#connections.values()) {
      if (now - connection.lastHeardAt >= idleTimeout) connection.expireIdle(idleTimeout);
      else connection.sweep(now);
    }
  }

  #closeIfDone(): void {
    if (this.#accepting || this.#connections.size > 0 || this.#socketClosed) return;
    this.#socketClosed = true;
    clearInterval(this.#sweep);
    this.#socket.close();
  }
}

/** A copy of the 12 bytes naming a datagram's connection (the datagram's buffer is not kept). */
function identityOf(bytes: Buffer): Buffer {
  return Buffer.from(bytes.subarray(IDENTITY_OFFSET, IDENTITY_OFFSET + IDENTITY_BYTES));
}
