import { Code, memory, RpcError, type Connection, type Transport } from '@conduit/runtime';
import { conformanceServer } from '../conformance-service.js';
import type { TransportAdapter } from './transport-adapter.js';

/** A limit below the 4 MiB default, so the large-message cases stay quick. */
const MAX_MESSAGE_SIZE = 1024 * 1024;

/**
 * The in-process transport: the server runs in the test's own process. Peer death is every
 * server-side connection closing at once, with no GOAWAY, as if the server process had vanished.
 */
export const memoryAdapter: TransportAdapter = memoryAdapterWith({ streams: true });

/**
 * The same transport declaring that it cannot carry streams, as multicast will: it shows what a
 * caller of a streaming method gets on such a transport, until one that really cannot exists.
 */
export const memoryWithoutStreamsAdapter: TransportAdapter = memoryAdapterWith({ streams: false });

function memoryAdapterWith({ streams }: { streams: boolean }): TransportAdapter {
  return {
    name: streams ? 'memory' : 'memory without streams',
    maxMessageSize: MAX_MESSAGE_SIZE,
    ...(!streams && { unsupported: { streams: true } }),
    async start(options = {}) {
      // Problems the server reports that no caller hears (sends after a kill) are expected here.
      const server = conformanceServer({ auth: options.auth, gracePeriod: 1000, onError: () => {} });
      const transport = memory({ maxMessageSize: MAX_MESSAGE_SIZE, streams });
      const connections = new Set<Connection>();
      const tracked: Transport = {
        ...transport,
        listen: (accept) =>
          transport.listen((connection) => {
            connections.add(connection);
            return accept(connection);
          }),
      };
      const listening = await server.listen(tracked);
      return {
        target: transport,
        async kill() {
          for (const connection of connections) connection.close(new RpcError(Code.Unavailable, 'the memory server was killed'));
          connections.clear();
          await listening.close();
          await server.close({ gracePeriod: 0 });
        },
        stop: () => server.close(),
      };
    },
  };
}
