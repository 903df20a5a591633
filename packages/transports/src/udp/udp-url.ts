import { Code, RpcError } from '@conduit/runtime';

/** `udp://127.0.0.1:4000`, with brackets around IPv6 hosts. */
export function udpUrl(host: string, port: number): string {
  return `udp://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The host and port a `udp://host:port` URL names; the port is required, since there is nothing to guess. */
export function hostAndPortOfUdpUrl(url: URL): { host: string; port: number } {
  const port = Number(url.port);
  if (url.port === '' || !Number.isInteger(port)) {
    throw new RpcError(Code.InvalidArgument, `'${url.href}' has no port (expected udp://host:port)`);
  }
  if (url.pathname !== '' && url.pathname !== '/') throw new RpcError(Code.InvalidArgument, `'${url.href}' has a path (expected udp://host:port)`);
  if (url.search !== '' || url.hash !== '') throw new RpcError(Code.InvalidArgument, `'${url.href}' has a query or fragment (expected udp://host:port)`);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
}
