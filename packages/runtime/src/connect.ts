import type { Channel } from './channel.js';
import type { Codec } from './codec.js';
import type { ClientInterceptor } from './interceptor.js';
import { msgpackCodec } from './msgpack-codec.js';
import { ReconnectingChannel, type ReconnectOptions } from './reconnecting-channel.js';
import { resolveTransport } from './scheme-registry.js';
import type { Transport } from './transport.js';

export interface ConnectOptions {
  /** The codec for this channel's calls; the server must offer it. Default: msgpack. */
  codec?: Codec;
  /** Run around every call, first one outermost. Default: none. */
  interceptors?: readonly ClientInterceptor[];
  /**
   * Pings that find a server that stopped answering without closing its socket (a frozen
   * process, a cut cable): its calls fail with Unavailable within `interval + timeout`. Default
   * `{ interval: 15000, timeout: 5000 }`; false sends no pings.
   */
  keepalive?: { interval?: number; timeout?: number } | false;
  /** Reconnect on demand after the connection is lost or drained. Default on (see ReconnectOptions); false: once lost, calls fail. */
  reconnect?: ReconnectOptions | false;
}

const DEFAULT_KEEPALIVE = { interval: 15_000, timeout: 5_000 };
const DEFAULT_RECONNECT: Required<ReconnectOptions> = { initialBackoff: 100, maxBackoff: 5_000, multiplier: 1.6, jitter: 0.2 };

/**
 * Opens a channel to a server, given a URL (`tcp://127.0.0.1:4000`, needs `@conduit/transports`
 * imported) or a transport object. Rejects with Unavailable when nobody answers there.
 */
export async function connect(target: string | Transport, options: ConnectOptions = {}): Promise<Channel> {
  const transport = resolveTransport(target);
  const channel = new ReconnectingChannel(transport, {
    codec: options.codec ?? msgpackCodec,
    interceptors: options.interceptors ?? [],
    keepalive: options.keepalive === false ? undefined : { ...DEFAULT_KEEPALIVE, ...options.keepalive },
    reconnect: options.reconnect === false ? undefined : { ...DEFAULT_RECONNECT, ...options.reconnect },
  });
  await channel.start();
  return channel;
}
