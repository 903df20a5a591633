import { portOf, type ServerProcess } from './child.js';
import type { BenchClient } from './clients/bench-client.js';
import { openForkIpcClient } from './clients/fork-ipc-client.js';
import { openGrpcClient } from './clients/grpc-client.js';
import { openRawTcpClient } from './clients/raw-tcp-client.js';

export type TargetId = 'raw-tcp' | 'fork-ipc' | 'grpc' | 'conduit-tcp';

/** One thing measured: a server script run in its own process and a client for it. */
export interface Target {
  readonly id: TargetId;
  readonly label: string;
  /** Server script, relative to bench/. */
  readonly server: string;
  /** The server needs a fork IPC channel. */
  readonly ipc?: boolean;
  open(server: ServerProcess): Promise<BenchClient>;
}

export const targets: readonly Target[] = [
  {
    id: 'raw-tcp',
    label: 'raw TCP 64 B ping-pong',
    server: 'servers/raw-tcp-server.ts',
    open: (server) => openRawTcpClient(portOf(server)),
  },
  {
    id: 'fork-ipc',
    label: 'fork() IPC process.send',
    server: 'servers/fork-ipc-server.ts',
    ipc: true,
    open: async (server) => openForkIpcClient(server.child),
  },
  {
    id: 'grpc',
    label: '@grpc/grpc-js unary',
    server: 'servers/grpc-server.ts',
    open: (server) => openGrpcClient(portOf(server)),
  },
  {
    id: 'conduit-tcp',
    label: 'Conduit unary over tcp',
    server: 'servers/conduit-tcp-server.ts',
    // Loaded on demand so the baselines still run while the runtime does not build.
    open: async (server) => {
      const { openConduitTcpClient } = await import('./clients/conduit-tcp-client.js');
      return openConduitTcpClient(portOf(server));
    },
  },
];
