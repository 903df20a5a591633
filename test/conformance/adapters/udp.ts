import { startServerProcess, stopGracefully } from '../../support/server-process.js';
import type { TransportAdapter } from './transport-adapter.js';

/** A limit below the 4 MiB default, so the large-message cases stay quick. */
const MAX_MESSAGE_SIZE = 1024 * 1024;
/** How long `stop()` lets the server drain after SIGTERM before it sends SIGKILL. */
const STOP_TIMEOUT_MS = 3_000;

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
  async start(options = {}) {
    const args = ['--transport', 'udp', '--max-message-size', String(MAX_MESSAGE_SIZE)];
    if (options.auth) args.push('--auth');
    // startServerProcess resolves paths against test/fixtures.
    const server = await startServerProcess('../conformance/conformance-server.ts', args);
    return {
      target: server.url,
      async kill() {
        await server.stop('SIGKILL');
      },
      async stop() {
        await stopGracefully(server, STOP_TIMEOUT_MS);
      },
    };
  },
};
