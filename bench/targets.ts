import { portOf, type ServerProcess } from './child.js';
import type { BenchClient } from './clients/bench-client.js';
import { openForkIpcClient } from './clients/fork-ipc-client.js';
import { openGrpcClient } from './clients/grpc-client.js';
import { openRawFifoClient } from './clients/raw-fifo-client.js';
import { openRawPipeClient } from './clients/raw-pipe-client.js';
import { openRawTcpClient } from './clients/raw-tcp-client.js';
import { openRawUdpClient } from './clients/raw-udp-client.js';

export type TargetId = 'raw-tcp' | 'fork-ipc' | 'grpc' | 'conduit-tcp' | 'raw-pipe' | 'conduit-pipe' | 'raw-fifo' | 'conduit-fifo' | 'conduit-shm' | 'raw-udp' | 'conduit-udp';

/** One thing measured: a server script run in its own process and a client for it. */
export interface Target {
  readonly id: TargetId;
  readonly label: string;
  /** Server script, relative to bench/; absent when the client spawns its server itself (pipes). */
  readonly server?: string;
  /** The server needs a fork IPC channel. */
  readonly ipc?: boolean;
  open(server: ServerProcess | undefined): Promise<BenchClient>;
}

/** The server a target started, for the targets that have one. */
function started(server: ServerProcess | undefined): ServerProcess {
  if (server === undefined) throw new Error('this target needs a server process');
  return server;
}

/**
 * A Conduit client of the URL a server announced (`{"url": …}`). Loaded on demand, so the
 * baselines still run while the runtime does not build.
 */
async function openAnnouncedUrl(server: ServerProcess, label: string): Promise<BenchClient> {
  const { openConduitClient } = await import('./clients/conduit-client.js');
  const url = server.info['url'];
  if (typeof url !== 'string') throw new Error(`${label}: the server announced no url: ${JSON.stringify(server.info)}`);
  return openConduitClient(url, label);
}

export const targets: readonly Target[] = [
  {
    id: 'raw-tcp',
    label: 'raw TCP 64 B ping-pong',
    server: 'servers/raw-tcp-server.ts',
    open: (server) => openRawTcpClient(portOf(started(server))),
  },
  {
    id: 'fork-ipc',
    label: 'fork() IPC process.send',
    server: 'servers/fork-ipc-server.ts',
    ipc: true,
    open: async (server) => openForkIpcClient(started(server).child),
  },
  {
    id: 'grpc',
    label: '@grpc/grpc-js unary',
    server: 'servers/grpc-server.ts',
    open: (server) => openGrpcClient(portOf(started(server))),
  },
  {
    id: 'conduit-tcp',
    label: 'Conduit unary over tcp',
    server: 'servers/conduit-tcp-server.ts',
    open: (server) => openAnnouncedUrl(started(server), 'Conduit over tcp'),
  },
  {
    id: 'raw-pipe',
    label: 'raw pipe 64 B ping-pong (child stdio)',
    open: () => openRawPipeClient(),
  },
  {
    id: 'conduit-pipe',
    label: 'Conduit unary over pipe',
    open: async () => {
      const { openConduitPipeClient } = await import('./clients/conduit-pipe-client.js');
      return openConduitPipeClient();
    },
  },
  {
    id: 'raw-fifo',
    label: 'raw FIFO pair 64 B ping-pong',
    server: 'servers/raw-fifo-server.ts',
    open: (server) => openRawFifoClient(started(server)),
  },
  {
    id: 'conduit-fifo',
    label: 'Conduit unary over fifo',
    server: 'servers/conduit-fifo-server.ts',
    open: (server) => openAnnouncedUrl(started(server), 'Conduit over fifo'),
  },
  {
    id: 'conduit-shm',
    label: 'Conduit unary over shm',
    server: 'servers/conduit-shm-server.ts',
    open: (server) => openAnnouncedUrl(started(server), 'Conduit over shm'),
  },
  {
    id: 'raw-udp',
    label: 'raw UDP 64 B datagram ping-pong',
    server: 'servers/raw-udp-server.ts',
    open: (server) => openRawUdpClient(portOf(started(server))),
  },
  {
    id: 'conduit-udp',
    label: 'Conduit unary over udp',
    server: 'servers/conduit-udp-server.ts',
    open: (server) => openAnnouncedUrl(started(server), 'Conduit over udp'),
  },
];
