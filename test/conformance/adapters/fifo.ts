import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, stopGracefully } from '../../support/server-process.js';
import type { TransportAdapter } from './transport-adapter.js';

/** A limit below the 4 MiB default, so the large-message cases stay quick. */
const MAX_MESSAGE_SIZE = 1024 * 1024;
/** How long `stop()` lets the server drain after SIGTERM before it sends SIGKILL. */
const STOP_TIMEOUT_MS = 3_000;

/**
 * Named pipes with the server in a child process, reached by `fifo:///…` in a private temp
 * folder. Peer death is SIGKILL: the kernel closes the server's ends of every FIFO.
 */
export const fifoAdapter: TransportAdapter = {
  name: 'fifo',
  maxMessageSize: MAX_MESSAGE_SIZE,
  async start(options = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'conduit-conformance-fifo-'));
    const args = ['--transport', 'fifo', '--path', join(dir, 'server.fifo'), '--max-message-size', String(MAX_MESSAGE_SIZE)];
    if (options.auth) args.push('--auth');
    const server = await startServerProcess('../conformance/conformance-server.ts', args);
    // A killed server cannot remove its FIFO; the folder goes with the server either way.
    const removeDir = () => rmSync(dir, { recursive: true, force: true });
    return {
      target: server.url,
      async kill() {
        await server.stop('SIGKILL');
        removeDir();
      },
      async stop() {
        await stopGracefully(server, STOP_TIMEOUT_MS);
        removeDir();
      },
    };
  },
};
