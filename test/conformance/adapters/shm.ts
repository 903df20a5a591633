import { randomBytes } from 'node:crypto';
import { MAX_MESSAGE_SIZE, startChildServer } from './child-server.js';
import type { TransportAdapter } from './transport-adapter.js';

/**
 * Shared memory with the server in a child process, reached by `shm://<random name>`. Peer death
 * is SIGKILL: the kernel closes the server's end of each connection's socket.
 */
export const shmAdapter: TransportAdapter = {
  name: 'shm',
  maxMessageSize: MAX_MESSAGE_SIZE,
  start: (options) => startChildServer(['--transport', 'shm', '--name', `conformance-${randomBytes(6).toString('hex')}`], options),
};
