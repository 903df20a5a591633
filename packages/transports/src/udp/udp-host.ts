import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface ResolvedHost {
  readonly address: string;
  readonly family: 4 | 6;
}

/** The address and family of `host`: an IP as it is, a name through the system resolver (as tcp's connect does). */
export async function resolveHost(host: string): Promise<ResolvedHost> {
  const family = isIP(host);
  if (family === 4 || family === 6) return { address: host, family };
  const found = await lookup(host);
  return { address: found.address, family: found.family === 6 ? 6 : 4 };
}

/** Whether `address` is a loopback address, where a client binds its own socket on loopback too. */
export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}
