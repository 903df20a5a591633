import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { BenchClient } from './bench-client.js';
import { rawPingPong } from './raw-ping-pong.js';

const SERVER = fileURLToPath(new URL('../servers/raw-pipe-server.ts', import.meta.url));

/** Ping-pong over a child's stdin and stdout: the floor for RPC to a child process. */
export async function openRawPipeClient(): Promise<BenchClient> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  await once(child, 'spawn');
  return rawPingPong(child.stdout as Socket, child.stdin as unknown as Socket, 'raw pipe', async () => {
    child.stdin.end();
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  });
}
