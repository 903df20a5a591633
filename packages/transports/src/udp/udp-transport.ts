import { Code, DEFAULT_MAX_MESSAGE_SIZE, RpcError, type Transport } from '@conduit/runtime';
import { connectUdp } from './udp-connect.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_DATAGRAM_SIZE,
  DEFAULT_REPLY_CACHE_BYTES,
  DEFAULT_REPLY_CACHE_ENTRIES,
  DEFAULT_RETRY_WINDOW_MS,
  DEFAULT_SERVER_BUFFER_BYTES,
  MAX_DATAGRAM_SIZE,
  MIN_DATAGRAM_SIZE,
} from './udp-limits.js';
import { listenUdp } from './udp-listener.js';
import type { UdpSettings } from './udp-settings.js';
import { UdpCounters, type UdpDropListener, type UdpStats } from './udp-stats.js';
import { hostAndPortOfUrl } from '../host-port-url.js';
import { udpUrl } from './udp-url.js';

export interface UdpOptions {
  /** Host to bind or send to. Default `127.0.0.1`: nothing is exposed beyond this machine unless asked. */
  host?: string;
  /** Port; 0 (the default) binds a free port, which `listening.url` then reports. */
  port?: number;
  /**
   * Largest message (one whole frame) in bytes, both directions. Default 4 MiB
   * (`DEFAULT_MAX_MESSAGE_SIZE`), as on every transport; a larger one is refused before it is sent,
   * or, arriving, after its first fragment, with ResourceExhausted.
   */
  maxMessageSize?: number;
  /**
   * Largest datagram this end sends, our header included (256 to 65 507). Default 1400: under a
   * 1500-byte Ethernet MTU, so no datagram relies on IP fragmentation. Larger messages travel in
   * fragments. On loopback, 65 000 cuts a large message into far fewer datagrams.
   */
  maxDatagramSize?: number;
  /**
   * Milliseconds one end keeps retransmitting to a peer that acknowledges nothing (or probing one
   * that answers no probe) before the connection fails with Unavailable. Default 30 000. Calls
   * with a shorter deadline end at their deadline first. A server also keeps an unacknowledged
   * reply no longer than this, so keep the server's at least the clients'.
   */
  retryWindow?: number;
  /** Client: milliseconds to wait for the server to answer OPEN. Default 5000, as tcp. */
  connectTimeout?: number;
  /**
   * Server: milliseconds after which a client that sent nothing is forgotten (its calls are
   * cancelled). Default 60 000. Clients keep quiet connections alive with a KEEPALIVE every
   * quarter of it, so only a client that is gone is forgotten.
   */
  idleTimeout?: number;
  /**
   * Bytes of partial messages, and of whole ones waiting for an earlier one, one connection may
   * hold on the receiving side. Default twice `maxMessageSize`. The next message to deliver is
   * always accepted, so this bounds only what arrives out of order.
   */
  maxBufferedBytes?: number;
  /** Server: the same bound over all connections together. Default 64 MiB. */
  maxServerBufferedBytes?: number;
  /**
   * Server: bounds of the reply cache, over all connections. A reply stays until its client
   * acknowledges it, normally one round trip. Default 65 536 entries and 64 MiB; `maxBytes` must
   * be at least `maxMessageSize`.
   */
  replyCache?: { maxEntries?: number; maxBytes?: number };
  /**
   * Server: methods (`Service.method`) that may run twice for one call, besides those the service
   * declares `@idempotent` (the server tells the transport of those by itself). When the reply
   * cache is full their replies are evicted first, and a client that then asks for one is told to
   * send the call again instead of losing it. Default: only the declared ones.
   */
  idempotent?: (method: string) => boolean;
  /** Hears every dropped datagram (garbage, forged, over the memory bound). Default: counted in `stats` only. */
  onDrop?: UdpDropListener;
}

/** A udp transport, with the counters of everything it sent, received and dropped. */
export interface UdpTransport extends Transport {
  readonly stats: UdpStats;
}

/**
 * RPC over UDP datagrams, unicast. Each message travels as numbered fragments that are
 * acknowledged, retransmitted with backoff until they are, and delivered in order exactly once:
 * loss, duplication, reordering and the datagram size limit are hidden from calls. A call runs at
 * most once however often it is retransmitted. Streams are not carried (`streams: false`): a
 * streaming method fails with Unimplemented naming the transport. See README.md in this folder
 * for the datagram format and the reliability design.
 */
export function udp(options: UdpOptions = {}): UdpTransport {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new RpcError(Code.InvalidArgument, `udp: port must be an integer from 0 to 65535, got ${port}`);
  const address = udpUrl(host, port);
  const maxMessageSize = positiveInteger('maxMessageSize', options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE);
  const maxDatagramSize = positiveInteger('maxDatagramSize', options.maxDatagramSize ?? DEFAULT_MAX_DATAGRAM_SIZE);
  if (maxDatagramSize < MIN_DATAGRAM_SIZE || maxDatagramSize > MAX_DATAGRAM_SIZE) {
    throw new RpcError(Code.InvalidArgument, `udp: maxDatagramSize must be from ${MIN_DATAGRAM_SIZE} to ${MAX_DATAGRAM_SIZE}, got ${maxDatagramSize}`);
  }
  const retryWindow = positiveInteger('retryWindow', options.retryWindow ?? DEFAULT_RETRY_WINDOW_MS);
  const connectTimeout = positiveInteger('connectTimeout', options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS);
  const idleTimeout = positiveInteger('idleTimeout', options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT_MS);
  const maxBufferedBytes = positiveInteger('maxBufferedBytes', options.maxBufferedBytes ?? 2 * maxMessageSize);
  const maxServerBufferedBytes = positiveInteger('maxServerBufferedBytes', options.maxServerBufferedBytes ?? DEFAULT_SERVER_BUFFER_BYTES);
  const replyCache = {
    maxEntries: positiveInteger('replyCache.maxEntries', options.replyCache?.maxEntries ?? DEFAULT_REPLY_CACHE_ENTRIES),
    maxBytes: positiveInteger('replyCache.maxBytes', options.replyCache?.maxBytes ?? Math.max(DEFAULT_REPLY_CACHE_BYTES, maxMessageSize)),
  };
  if (replyCache.maxBytes < maxMessageSize) {
    throw new RpcError(Code.InvalidArgument, `udp: replyCache.maxBytes (${replyCache.maxBytes}) must be at least maxMessageSize (${maxMessageSize}), or no large reply could be kept`);
  }
  const settings: UdpSettings = {
    host,
    port,
    address,
    maxMessageSize,
    maxDatagramSize,
    retryWindow,
    connectTimeout,
    idleTimeout,
    maxBufferedBytes,
    maxServerBufferedBytes,
    replyCache,
    idempotent: options.idempotent,
    counters: new UdpCounters(options.onDrop),
  };
  return {
    name: 'udp',
    address,
    streams: false,
    stats: settings.counters,
    connect: (handlers) => connectUdp(settings, handlers),
    listen: (accept) => listenUdp(settings, accept),
  };
}

/** `udp://host:port` → a udp transport with default options. */
export function udpFromUrl(url: URL): Transport {
  return udp(hostAndPortOfUrl(url));
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new RpcError(Code.InvalidArgument, `udp: ${name} must be a positive integer, got ${value}`);
  return value;
}
