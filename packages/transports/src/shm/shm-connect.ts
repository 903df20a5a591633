import { connect as netConnect, type Socket } from 'node:net';
import { Code, RpcError, type Connection, type ConnectionHandlers } from '@conduit/runtime';
import { rpcErrorFromOs } from '../os-errors.js';
import { socketNameOf } from './shm-address.js';
import { ShmConnection } from './shm-connection.js';
import { MAPPED_LINE, parseSegmentLine, readLine, requestLine } from './shm-handshake.js';
import { segmentBytes, ringsOf } from './shm-layout.js';
import { openSegment } from './shm-segment.js';

export interface ShmConnectOptions {
  readonly name: string;
  /** `shm://name`, for messages and `ctx.peer`-like strings. */
  readonly address: string;
  readonly maxMessageSize: number;
  readonly spinMicros: number;
  readonly connectTimeout: number;
}

/** Asks the server at `name` for a segment, maps it, and says so; then the connection runs. */
export async function connectShm(options: ShmConnectOptions, handlers: ConnectionHandlers): Promise<Connection> {
  const { address } = options;
  const socket = await openSocket(options);
  try {
    socket.write(`${requestLine(process.pid)}\n`);
    // Errors name the server as such: the channel puts the address in front of them.
    const line = await readLine(socket, options.connectTimeout, 'the server');
    const offer = parseSegmentLine(line, 'the server');
    if (offer instanceof RpcError) throw offer;
    const { segment, capacity } = offer;
    const { buffer } = openSegment(segment, segmentBytes(capacity));
    socket.write(`${MAPPED_LINE}\n`);
    const connection = new ShmConnection(socket, ringsOf(buffer, capacity, 'client', false), address, options);
    connection.start(handlers);
    return connection;
  } catch (error) {
    socket.destroy();
    throw error;
  }
}

function openSocket({ name, connectTimeout }: ShmConnectOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(socketNameOf(name));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new RpcError(Code.Unavailable, `the server did not accept within ${connectTimeout} ms`));
    }, connectTimeout);
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // An abstract socket nobody listens on is refused at once: there is no file to be missing.
      reject(
        error.code === 'ECONNREFUSED'
          ? new RpcError(Code.Unavailable, 'no server is listening on that name', { cause: error })
          : rpcErrorFromOs(error),
      );
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}
