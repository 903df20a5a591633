import { connect as netConnect, createServer, type Socket } from 'node:net';
import { Code, DEFAULT_MAX_MESSAGE_SIZE, RpcError, type Listener, type Transport } from '@conduit/runtime';
import { rpcErrorFromOs } from '../os-errors.js';
import { hostAndPortOfUrl, hostPortUrl } from '../host-port-url.js';
import { StreamConnection } from '../stream/stream-connection.js';

export interface TcpOptions {
  /** Host to bind or connect to. Default `127.0.0.1`: nothing is exposed beyond this machine unless asked. */
  host?: string;
  /** Port; 0 (the default) binds a free port, which `listening.url` then reports. */
  port?: number;
  /** Largest message in bytes, both directions. Default 4 MiB (`DEFAULT_MAX_MESSAGE_SIZE`), gRPC's. */
  maxMessageSize?: number;
  /**
   * Milliseconds to wait for a connection to be accepted. Default 5000: a refused port fails at
   * once anyway; this bounds a host that drops packets.
   */
  connectTimeout?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** TCP: length-prefixed messages over one socket per channel, Nagle off. */
export function tcp(options: TcpOptions = {}): Transport {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const connectTimeout = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const address = tcpUrl(host, port);
  return {
    name: 'tcp',
    address,
    connect: (handlers) =>
      new Promise((resolve, reject) => {
        const socket = netConnect({ host, port, noDelay: true });
        const timer = setTimeout(() => {
          socket.destroy();
          reject(new RpcError(Code.Unavailable, `${address} did not accept within ${connectTimeout} ms`));
        }, connectTimeout);
        socket.once('error', (error) => {
          clearTimeout(timer);
          reject(rpcErrorFromOs(error));
        });
        socket.once('connect', () => {
          clearTimeout(timer);
          socket.removeAllListeners('error');
          const connection = new StreamConnection(socket, address, maxMessageSize);
          connection.start(handlers);
          resolve(connection);
        });
      }),
    listen: (accept) =>
      new Promise<Listener>((resolve, reject) => {
        const server = createServer({ noDelay: true }, (socket: Socket) => {
          const connection = new StreamConnection(socket, tcpUrl(socket.remoteAddress ?? '?', socket.remotePort ?? 0), maxMessageSize);
          connection.start(accept(connection));
        });
        server.once('error', (error) => reject(rpcErrorFromOs(error, `listening on ${address}`)));
        server.listen(port, host, () => {
          const bound = server.address();
          const url = typeof bound === 'object' && bound !== null ? tcpUrl(bound.address, bound.port) : address;
          resolve({
            url,
            // Resolve once no longer accepting; net.Server's own callback waits for every open
            // connection, and draining those is the runtime's job.
            close: async () => {
              server.close();
            },
          });
        });
      }),
  };
}

/** `tcp://127.0.0.1:4000`, with brackets around IPv6 hosts. */
export function tcpUrl(host: string, port: number): string {
  return hostPortUrl('tcp', host, port);
}

/** `tcp://host:port` → a tcp transport; the port is required, since there is nothing to guess. */
export function tcpFromUrl(url: URL): Transport {
  return tcp(hostAndPortOfUrl(url));
}
