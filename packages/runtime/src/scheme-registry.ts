import { Code } from './code.js';
import { RpcError } from './rpc-error.js';
import type { Transport } from './transport.js';

/** Makes a transport from a parsed URL such as `tcp://127.0.0.1:4000`. */
export type TransportFromUrl = (url: URL) => Transport;

const schemes = new Map<string, TransportFromUrl>();

/**
 * Teaches `connect()` a URL scheme. The runtime knows none itself: importing
 * `@conduit/transports` registers its schemes.
 */
export function registerScheme(scheme: string, fromUrl: TransportFromUrl): void {
  schemes.set(scheme.replace(/:$/, '').toLowerCase(), fromUrl);
}

/** A transport object is used as it is; a URL string goes through the scheme registry. */
export function resolveTransport(target: string | Transport): Transport {
  if (typeof target !== 'string') return target;
  let url: URL;
  try {
    url = new URL(target);
  } catch (cause) {
    throw new RpcError(Code.InvalidArgument, `'${target}' is not a URL (expected something like tcp://127.0.0.1:4000)`, { cause });
  }
  const scheme = url.protocol.replace(/:$/, '');
  const fromUrl = schemes.get(scheme);
  if (fromUrl === undefined) {
    const known = [...schemes.keys()].sort().join(', ') || 'none (import @conduit/transports to register them)';
    throw new RpcError(Code.InvalidArgument, `unknown transport scheme '${scheme}' in '${target}'; known schemes: ${known}`);
  }
  return fromUrl(url);
}
