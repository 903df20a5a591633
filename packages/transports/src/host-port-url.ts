import { Code, RpcError } from '@conduit/runtime';

/** `scheme://127.0.0.1:4000`, with brackets around IPv6 hosts. */
export function hostPortUrl(scheme: string, host: string, port: number): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * The host and port a `scheme://host:port` URL names; the port is required, since there is
 * nothing to guess, and a path, query or fragment is refused rather than ignored.
 */
export function hostAndPortOfUrl(url: URL): { host: string; port: number } {
  const expected = `(expected ${url.protocol}//host:port)`;
  const port = Number(url.port);
  if (url.port === '' || !Number.isInteger(port)) throw new RpcError(Code.InvalidArgument, `'${url.href}' has no port ${expected}`);
  if (url.pathname !== '' && url.pathname !== '/') throw new RpcError(Code.InvalidArgument, `'${url.href}' has a path ${expected}`);
  if (url.search !== '' || url.hash !== '') throw new RpcError(Code.InvalidArgument, `'${url.href}' has a query or fragment ${expected}`);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
}
