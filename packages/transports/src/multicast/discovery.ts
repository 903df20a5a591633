import { connect, gather, Server } from '@conduit/runtime';
import { DiscoveryClient, DiscoveryService } from './generated/discovery.rpc.js';
import { multicast, type MulticastOptions } from './multicast-transport.js';

/**
 * The group discovery uses unless told otherwise: in 239.255.0.0/16, the block RFC 2365 sets
 * aside for use within an organisation, so it is never routed onto the internet.
 */
export const DISCOVERY_GROUP = '239.255.42.99';
export const DISCOVERY_PORT = 42_424;

/** Where discovery talks: the multicast options, with the group and port defaulted. */
export type DiscoveryOptions = Partial<MulticastOptions>;

export interface AnnounceOptions extends DiscoveryOptions {
  /** Names of the services the server serves (`'Calculator'`), or their definitions (`CalculatorService`). */
  services: readonly (string | { readonly name: string })[];
  /** The URLs it serves them on, as `listening.url` reports them. */
  urls: readonly string[];
}

/** A server's presence on the discovery group; `close()` leaves it. */
export interface Announcement {
  close(): Promise<void>;
}

/**
 * Makes a server findable: joins the discovery group and answers every `discover()` asking for
 * one of `services` with `urls`. The answers come from a small server of its own, so the
 * announced server needs no change.
 */
export async function announce(options: AnnounceOptions): Promise<Announcement> {
  const services = new Set(options.services.map((service) => (typeof service === 'string' ? service : service.name)));
  const urls = [...options.urls];
  const server = new Server();
  server.add(DiscoveryService, { find: (service) => (services.has(service) ? urls : []) });
  await server.listen(discoveryTransport(options));
  return { close: () => server.close() };
}

/** One server that serves the service asked for: where, and which member of the group said so. */
export interface Discovered {
  /** A URL to `connect()` to. */
  readonly url: string;
  /** The announcing member's reply address (`udp://…`): one per server. */
  readonly from: string;
}

export interface DiscoverOptions extends DiscoveryOptions {
  /** Milliseconds to collect answers for. Default 200: ten times the longest reply delay. */
  window?: number;
}

/**
 * Asks the discovery group who serves `service` and resolves with every URL announced within the
 * window (empty when none), in order of arrival:
 *
 * ```ts
 * const [found] = await discover('Calculator');
 * const calc = new CalculatorClient(await connect(found.url));
 * ```
 */
export async function discover(service: string, options: DiscoverOptions = {}): Promise<Discovered[]> {
  const channel = await connect(discoveryTransport(options), { keepalive: false, reconnect: false });
  try {
    const replies = await gather(DiscoveryClient, channel, { window: options.window ?? 200 }).find(service);
    return replies.flatMap((reply) => (reply.ok ? reply.value.map((url) => ({ url, from: reply.from })) : []));
  } finally {
    await channel.close();
  }
}

function discoveryTransport(options: DiscoveryOptions) {
  return multicast({ ...options, group: options.group ?? DISCOVERY_GROUP, port: options.port ?? DISCOVERY_PORT });
}
