/**
 * Baseline server for FIFOs: makes a FIFO pair in a private temp folder, announces it, and echoes
 * every byte from one into the other, no framing. Both ends are opened read-write so neither side
 * waits for the other to open first (the baseline measures the pipe, not a handshake).
 */
import { execFileSync } from 'node:child_process';
import { constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { announce, exitWithParent } from './server-lifecycle.js';

const dir = mkdtempSync(join(tmpdir(), 'conduit-bench-fifo-'));
const requests = join(dir, 'c2s');
const replies = join(dir, 's2c');
execFileSync('mkfifo', ['-m', '600', requests, replies]);
const flags = constants.O_RDWR | constants.O_NONBLOCK;
const input = new Socket({ fd: openSync(requests, flags), readable: true, writable: false });
const output = new Socket({ fd: openSync(replies, flags), readable: false, writable: true });
input.on('data', (chunk: Buffer) => output.write(chunk));

announce({ dir });
exitWithParent(() => {
  input.destroy();
  output.destroy();
  rmSync(dir, { recursive: true, force: true });
});
