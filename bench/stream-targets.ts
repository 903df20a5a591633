import { portOf, type ServerProcess } from './child.js';
import type { StreamClient } from './clients/stream-client.js';
import { openGrpcStreamClient } from './clients/grpc-stream-client.js';

export type StreamTargetId = 'conduit-stream' | 'grpc-stream';

/** One server-streaming implementation measured: a server script in its own process and a client for it. */
export interface StreamTarget {
  readonly id: StreamTargetId;
  /** Short, for the streaming table's column headers. */
  readonly label: string;
  /** Server script, relative to bench/. */
  readonly server: string;
  open(server: ServerProcess): Promise<StreamClient>;
}

export const streamTargets: readonly StreamTarget[] = [
  {
    id: 'conduit-stream',
    label: 'Conduit',
    server: 'servers/conduit-stream-server.ts',
    // Loaded on demand so the baseline still runs while the runtime does not build.
    open: async (server) => {
      const { openConduitStreamClient } = await import('./clients/conduit-stream-client.js');
      return openConduitStreamClient(portOf(server));
    },
  },
  {
    id: 'grpc-stream',
    label: 'gRPC',
    server: 'servers/grpc-stream-server.ts',
    open: (server) => openGrpcStreamClient(portOf(server)),
  },
];
