import { MAX_MESSAGE_SIZE, startChildServer } from './child-server.js';
import type { TransportAdapter } from './transport-adapter.js';

/**
 * TCP on 127.0.0.1 with the server in a child process (conformance-server.ts under tsx), reached
 * by its URL. Peer death is SIGKILL: the kernel closes the socket, nothing is said.
 */
export const tcpAdapter: TransportAdapter = {
  name: 'tcp',
  maxMessageSize: MAX_MESSAGE_SIZE,
  start: (options) => startChildServer(['--transport', 'tcp'], options),
};
