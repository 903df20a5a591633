import { randomBytes } from 'node:crypto';
import { startServerProcess, stopGracefully } from '../../support/server-process.js';
import type { TransportAdapter } from './transport-adapter.js';

/** A limit below the 4 MiB default, so the large-message cases stay quick. */
const MAX_MESSAGE_SIZE = 1024 * 1024;
/** How long `stop()` lets the server drain after SIGTERM before it sends SIGKILL. */
const STOP_TIMEOUT_MS = 3_000;

/**
 * Shared memory with the server in a child process, reached by `shm://<random name>`. Peer death
 * is SIGKILL: the kernel closes the server's end of each connection's socket.
 */
export const shmAdapter: TransportAdapter = {
  name: 'shm',
  maxMessageSize: MAX_MESSAGE_SIZE,
  async start(options = {}) {
    const name = `conformance-${randomBytes(6).toString('hex')}`;
    const args = ['--transport', 'shm', '--name', name, '--max-message-size', String(MAX_MESSAGE_SIZE)];
    if (options.auth) args.push('--auth');
    const server = await startServerProcess('../conformance/conformance-server.ts', args);
    return {
      target: server.url,
      async kill() {
        await server.stop('SIGKILL');
      },
      stop: () => stopGracefully(server, STOP_TIMEOUT_MS),
    };
  },
};
