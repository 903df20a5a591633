import type { Channel } from './channel.js';
import { ClientChannel } from './client-channel.js';
import { Code } from './code.js';
import type { Codec } from './codec.js';
import type { ClientInterceptor } from './interceptor.js';
import { msgpackCodec } from './msgpack-codec.js';
import { RpcError } from './rpc-error.js';
import { resolveTransport } from './scheme-registry.js';
import type { Transport } from './transport.js';

export interface ConnectOptions {
  /** The codec for this channel's calls; the server must offer it. Default: msgpack. */
  codec?: Codec;
  /** Run around every call, first one outermost. Default: none. */
  interceptors?: readonly ClientInterceptor[];
}

/**
 * Opens a channel to a server, given a URL (`tcp://127.0.0.1:4000`, needs `@conduit/transports`
 * imported) or a transport object. Rejects with Unavailable when nobody answers there.
 */
export async function connect(target: string | Transport, options: ConnectOptions = {}): Promise<Channel> {
  const transport = resolveTransport(target);
  const channel = new ClientChannel(transport.address, {
    codec: options.codec ?? msgpackCodec,
    interceptors: options.interceptors ?? [],
  });
  try {
    channel.attach(await transport.connect(channel));
  } catch (reason) {
    const error = RpcError.from(reason, Code.Unavailable);
    throw new RpcError(error.code, `could not connect to ${transport.address}: ${error.message}`, { cause: reason });
  }
  return channel;
}
