import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

/** What the proxy does to each datagram, in either direction. Rates are probabilities from 0 to 1. */
export interface Faults {
  /** Dropped. */
  readonly loss: number;
  /** Delivered twice (the copy after the same delay as the original, or none). */
  readonly duplicate: number;
  /** Held back for a random 1 to `maxDelayMs` ms, so datagrams sent after it overtake it. */
  readonly reorder: number;
  readonly maxDelayMs: number;
}

export interface LossyProxy {
  /** `udp://127.0.0.1:<port>`: where clients send instead of to the server. */
  readonly url: string;
  readonly port: number;
  /** Datagrams seen and what was done to them, both directions together. */
  readonly counts: { forwarded: number; dropped: number; duplicated: number; delayed: number };
  /** Changes the faults from now on (both directions). */
  setFaults(faults: Faults): void;
  close(): Promise<void>;
}

/**
 * A UDP proxy on loopback between clients and a server, for fault injection with real sockets.
 * Each client address gets a socket of its own towards the server, so the server sees one peer per
 * client, as through a NAT. Every datagram, either way, is dropped, duplicated or delayed at the
 * configured rates by a seeded generator: a run with the same seed makes the same choices for the
 * same sequence of datagrams (timing may still differ).
 */
export async function startLossyProxy(options: { target: URL; faults: Faults; seed: number }): Promise<LossyProxy> {
  const target = { host: options.target.hostname, port: Number(options.target.port) };
  let faults = options.faults;
  const random = seededRandom(options.seed);
  const counts = { forwarded: 0, dropped: 0, duplicated: 0, delayed: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const front = await bound(createSocket('udp4'));
  const upstreams = new Map<string, Upstream>();
  let closed = false;

  /** Sends `datagram` through `send` after applying the faults. */
  const forward = (datagram: Buffer, send: (datagram: Buffer) => void): void => {
    if (random() < faults.loss) {
      counts.dropped++;
      return;
    }
    const copies = random() < faults.duplicate ? 2 : 1;
    if (copies === 2) counts.duplicated++;
    const delay = random() < faults.reorder ? 1 + Math.floor(random() * faults.maxDelayMs) : 0;
    for (let copy = 0; copy < copies; copy++) {
      counts.forwarded++;
      if (delay === 0) {
        send(datagram);
        continue;
      }
      counts.delayed++;
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!closed) send(datagram);
      }, delay);
      timers.add(timer);
    }
  };

  front.on('message', (datagram: Buffer, client: RemoteInfo) => {
    const key = `${client.address}:${client.port}`;
    let upstream = upstreams.get(key);
    if (upstream === undefined) {
      const created: Upstream = { socket: createSocket('udp4'), connected: false, waiting: [] };
      upstreams.set(key, created);
      const { socket } = created;
      socket.on('message', (reply: Buffer) => forward(reply, (bytes) => front.send(bytes, client.port, client.address)));
      // The server may be gone (ICMP port unreachable): the client finds out by its own retries.
      socket.on('error', () => {});
      socket.bind(0, '127.0.0.1', () =>
        socket.connect(target.port, target.host, () => {
          created.connected = true;
          for (const bytes of created.waiting.splice(0)) socket.send(bytes);
        }),
      );
      upstream = created;
    }
    const towardsServer = upstream;
    forward(datagram, (bytes) => {
      // Datagrams that arrive while the socket binds wait for it rather than count as losses.
      if (towardsServer.connected) towardsServer.socket.send(bytes);
      else towardsServer.waiting.push(bytes);
    });
  });

  const port = front.address().port;
  return {
    url: `udp://127.0.0.1:${port}`,
    port,
    counts,
    setFaults: (next) => (faults = next),
    close: async () => {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.all([front, ...[...upstreams.values()].map((upstream) => upstream.socket)].map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
    },
  };
}

/** The proxy's socket towards the server for one client. */
interface Upstream {
  readonly socket: Socket;
  connected: boolean;
  readonly waiting: Buffer[];
}

function bound(socket: Socket): Promise<Socket> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

/** mulberry32: a small, fast generator of numbers in [0, 1), the same sequence for the same seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
