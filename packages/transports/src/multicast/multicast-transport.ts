import { isIPv4 } from 'node:net';
import { Code, RpcError, type Transport } from '@conduit/runtime';
import { hostAndPortOfUrl, hostPortUrl } from '../host-port-url.js';
import { DEFAULT_MAX_DATAGRAM_SIZE, MAX_DATAGRAM_SIZE, MIN_DATAGRAM_SIZE } from '../udp/udp-limits.js';
import { connectMulticast } from './multicast-client-connection.js';
import { DEFAULT_REPLY_DELAY_MS, DEFAULT_REPLY_TIMEOUT_MS } from './multicast-limits.js';
import { listenMulticast } from './multicast-member.js';
import type { MulticastSettings } from './multicast-settings.js';
import { MulticastCounters, type MulticastDropListener, type MulticastStats } from './multicast-stats.js';

export interface MulticastOptions {
  /** The group: an IPv4 multicast address, 224.0.0.0 to 239.255.255.255 (239.x.x.x is for private use). */
  group: string;
  /** The group's UDP port, the same for every member and caller. */
  port: number;
  /**
   * The local IPv4 address of the interface that sends to and joins the group. Default
   * `127.0.0.1`: the loopback interface, so nothing leaves this machine unless you name a real
   * interface's address.
   */
  interface?: string;
  /** Hops a request may cross (IP TTL), 0 to 255. Default 1: the local network, never routed on. */
  ttl?: number;
  /** Whether members on this machine hear this machine's calls. Default true. */
  loopback?: boolean;
  /**
   * Member: the longest it waits before replying, in milliseconds; each reply waits a random part
   * of it, so many members do not answer one call in the same instant. Default 20. 0 replies at once.
   */
  replyDelay?: number;
  /**
   * Client: milliseconds a call with no deadline waits for its first reply before failing with
   * Unavailable (nobody may be in the group), and how long a gathering call with no window or
   * deadline collects. Default 1000.
   */
  replyTimeout?: number;
  /**
   * Largest datagram, our header included (256 to 65 507): every call and reply must fit one, or
   * fails with ResourceExhausted. Default 1400, under a 1500-byte Ethernet MTU.
   */
  maxDatagramSize?: number;
  /** Hears every dropped datagram (garbage, another connection's reply). Default: counted in `stats` only. */
  onDrop?: MulticastDropListener;
}

/** A multicast transport, with the counters of everything it sent, received and dropped. */
export interface MulticastTransport extends Transport {
  readonly stats: MulticastStats;
}

/**
 * One call to every member of a group. `server.listen(multicast(…))` joins the group; a channel
 * from `connect(multicast(…))` sends each call to the group and hears members' replies by
 * unicast. A plain client takes the first reply; `gather()` collects them all, or the first N,
 * each with the member that sent it. One-way calls are notifications to the group. Streams are not
 * carried. Datagram format and delivery rules: README.md in this folder.
 */
export function multicast(options: MulticastOptions): MulticastTransport {
  const { group, port } = options;
  if (!isIPv4(group) || Number(group.split('.')[0]) < 224 || Number(group.split('.')[0]) > 239) {
    throw new RpcError(Code.InvalidArgument, `multicast: group must be an IPv4 multicast address (224.0.0.0 to 239.255.255.255), got '${group}'`);
  }
  if (!Number.isInteger(port) || port < 1 || port > 0xffff) throw new RpcError(Code.InvalidArgument, `multicast: port must be an integer from 1 to 65535, got ${port}`);
  const networkInterface = options.interface ?? '127.0.0.1';
  if (!isIPv4(networkInterface)) throw new RpcError(Code.InvalidArgument, `multicast: interface must be a local IPv4 address, got '${networkInterface}'`);
  const ttl = options.ttl ?? 1;
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 255) throw new RpcError(Code.InvalidArgument, `multicast: ttl must be an integer from 0 to 255, got ${ttl}`);
  const maxDatagramSize = options.maxDatagramSize ?? DEFAULT_MAX_DATAGRAM_SIZE;
  if (!Number.isInteger(maxDatagramSize) || maxDatagramSize < MIN_DATAGRAM_SIZE || maxDatagramSize > MAX_DATAGRAM_SIZE) {
    throw new RpcError(Code.InvalidArgument, `multicast: maxDatagramSize must be from ${MIN_DATAGRAM_SIZE} to ${MAX_DATAGRAM_SIZE}, got ${maxDatagramSize}`);
  }
  const address = hostPortUrl('multicast', group, port);
  const settings: MulticastSettings = {
    group,
    port,
    address,
    interface: networkInterface,
    ttl,
    loopback: options.loopback ?? true,
    replyDelay: milliseconds('replyDelay', options.replyDelay ?? DEFAULT_REPLY_DELAY_MS),
    replyTimeout: milliseconds('replyTimeout', options.replyTimeout ?? DEFAULT_REPLY_TIMEOUT_MS),
    maxDatagramSize,
    counters: new MulticastCounters(options.onDrop),
  };
  return {
    name: 'multicast',
    address,
    streams: false,
    stats: settings.counters,
    connect: (handlers) => connectMulticast(settings, handlers),
    listen: (accept) => listenMulticast(settings, accept),
  };
}

/** `multicast://239.255.0.1:4100` → a multicast transport with default options. */
export function multicastFromUrl(url: URL): Transport {
  const { host, port } = hostAndPortOfUrl(url);
  return multicast({ group: host, port });
}

function milliseconds(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RpcError(Code.InvalidArgument, `multicast: ${name} must be a number of milliseconds ≥ 0, got ${value}`);
  return value;
}
