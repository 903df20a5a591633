import { fileURLToPath } from 'node:url';
import { pipe } from '@conduit/transports';
import type { BenchClient } from './bench-client.js';
import { openConduitClient } from './conduit-client.js';

const SERVER = fileURLToPath(new URL('../servers/conduit-pipe-server.ts', import.meta.url));

/** A Conduit channel over a pipe to a child it spawns (the child serves `Bench.add` on its stdio). */
export function openConduitPipeClient(): Promise<BenchClient> {
  return openConduitClient(pipe.spawn(process.execPath, ['--import', 'tsx', SERVER]), 'Conduit over pipe');
}
