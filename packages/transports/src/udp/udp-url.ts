import { hostPortUrl } from '../host-port-url.js';

/** `udp://127.0.0.1:4000`, with brackets around IPv6 hosts. */
export function udpUrl(host: string, port: number): string {
  return hostPortUrl('udp', host, port);
}
