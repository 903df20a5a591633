import { constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import type { ServerProcess } from '../child.js';
import type { BenchClient } from './bench-client.js';
import { rawPingPong } from './raw-ping-pong.js';

/** Ping-pong over the FIFO pair raw-fifo-server.ts made: the floor for RPC over named pipes. */
export async function openRawFifoClient(server: ServerProcess): Promise<BenchClient> {
  const dir = server.info['dir'];
  if (typeof dir !== 'string') throw new Error(`raw FIFO server announced no folder: ${JSON.stringify(server.info)}`);
  const flags = constants.O_RDWR | constants.O_NONBLOCK;
  const output = new Socket({ fd: openSync(join(dir, 'c2s'), flags), readable: false, writable: true });
  const input = new Socket({ fd: openSync(join(dir, 's2c'), flags), readable: true, writable: false });
  return rawPingPong(input, output, 'raw FIFO', async () => {
    input.destroy();
    output.destroy();
  });
}
