import { MAX_MESSAGE_SIZE, startChildServer } from './child-server.js';
import type { TransportAdapter } from './transport-adapter.js';

/**
 * UDP on 127.0.0.1 with the server in a child process (conformance-server.ts under tsx), reached
 * by its URL. The transport cannot carry streams, so the suite checks that they are refused with
 * Unimplemented instead. Peer death is SIGKILL: the kernel then answers the client's next datagram
 * (a retransmission or a probe of the waiting call) with ICMP port unreachable.
 */
export const udpAdapter: TransportAdapter = {
  name: 'udp',
  maxMessageSize: MAX_MESSAGE_SIZE,
  unsupported: { streams: true },
  start: (options) => startChildServer(['--transport', 'udp'], options),
};
