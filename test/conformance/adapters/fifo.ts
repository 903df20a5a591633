import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_MESSAGE_SIZE, startChildServer } from './child-server.js';
import type { TransportAdapter } from './transport-adapter.js';

/**
 * Named pipes with the server in a child process, reached by `fifo:///…` in a private temp
 * folder. Peer death is SIGKILL: the kernel closes the server's ends of every FIFO.
 */
export const fifoAdapter: TransportAdapter = {
  name: 'fifo',
  maxMessageSize: MAX_MESSAGE_SIZE,
  async start(options) {
    const dir = mkdtempSync(join(tmpdir(), 'conduit-conformance-fifo-'));
    const server = await startChildServer(['--transport', 'fifo', '--path', join(dir, 'server.fifo')], options);
    // A killed server cannot remove its FIFO; the folder goes with the server either way.
    const removeDir = () => rmSync(dir, { recursive: true, force: true });
    return {
      target: server.target,
      async kill() {
        await server.kill();
        removeDir();
      },
      async stop() {
        await server.stop();
        removeDir();
      },
    };
  },
};
