import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { FaultyForwarder, type FaultCounts, type Faults } from '../support/datagram-faults.js';

export type { Faults };

export interface LossyProxy {
  /** `udp://127.0.0.1:<port>`: where clients send instead of to the server. */
  readonly url: string;
  readonly port: number;
  /** Datagrams seen and what was done to them, both directions together. */
  readonly counts: FaultCounts;
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
  const faulty = new FaultyForwarder(options.faults, options.seed);
  const forward = (datagram: Buffer, send: (datagram: Buffer) => void): void => faulty.forward(datagram, send);
  const front = await bound(createSocket('udp4'));
  const upstreams = new Map<string, Upstream>();

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
    counts: faulty.counts,
    setFaults: (next) => (faulty.faults = next),
    close: async () => {
      faulty.stop();
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
