import { createServer, type Socket } from 'node:net';
import { Code, RpcError, type Connection, type ConnectionHandlers, type Listener } from '@conduit/runtime';
import { codeOfOsError, rpcErrorFromOs } from '../os-errors.js';
import { socketNameOf } from './shm-address.js';
import { ShmConnection } from './shm-connection.js';
import { errorLine, MAPPED_LINE, parseRequestLine, readLine, segmentLine } from './shm-handshake.js';
import { segmentBytes, ringsOf } from './shm-layout.js';
import { ShmOsError } from './shm-native.js';
import { createSegment, removeStaleSegments, segmentName, unlinkSegment, type Segment } from './shm-segment.js';

export interface ShmListenOptions {
  readonly name: string;
  /** `shm://name`, for messages and `listening.url`. */
  readonly address: string;
  readonly ringSize: number;
  readonly maxMessageSize: number;
  readonly spinMicros: number;
  /** How long a client may take to finish the handshake. */
  readonly connectTimeout: number;
  /** Hears what no caller is told about: failed handshakes, segments a crashed process left. */
  readonly report: (problem: string, cause?: unknown) => void;
}

/**
 * Serves `shm://name`: takes connection requests on the name's Unix socket and gives each client
 * a segment of its own, made here (mode 0600, pages allocated up front) and unlinked as soon as
 * the client says it has mapped it.
 */
export async function listenShm(options: ShmListenOptions, accept: (connection: Connection) => ConnectionHandlers): Promise<Listener> {
  const { address } = options;
  // Segments of processes that died between making and unlinking one: gone before we add ours.
  for (const stale of removeStaleSegments()) options.report(`removed /dev/shm${stale}, left by a process that no longer runs`);
  const server = createServer({ pauseOnConnect: true }, (socket) => {
    acceptClient(socket, options, accept).catch((error: unknown) => {
      options.report(`refused a connection on ${address}`, error);
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new RpcError(Code.AlreadyExists, `listening on ${address}: another server already serves that name`, { cause: error })
          : rpcErrorFromOs(error, `listening on ${address}`),
      );
    });
    server.listen(socketNameOf(options.name), () => resolve());
  });
  server.on('error', (error) => options.report(`${address} stopped accepting connections`, error));
  return {
    url: address,
    // Stop accepting at once; the connections are the runtime's to drain.
    close: async () => {
      server.close();
    },
  };
}

async function acceptClient(socket: Socket, options: ShmListenOptions, accept: (connection: Connection) => ConnectionHandlers): Promise<void> {
  const line = await readLine(socket, options.connectTimeout, 'a client');
  const pid = parseRequestLine(line);
  if (pid === undefined) {
    throw new RpcError(Code.Unavailable, `the client did not ask for a connection: ${JSON.stringify(line.slice(0, 80))}`);
  }
  const peer = `${options.address} (client pid ${pid})`;
  let segment: Segment;
  try {
    segment = createSegment(segmentName(), segmentBytes(options.ringSize));
  } catch (error) {
    // Tell the client why (a full /dev/shm, say) instead of just closing on it: the OS error's
    // code (ENOSPC is ResourceExhausted) and the segment module's message saying what ran out,
    // which says more than the errno's words.
    const refusal = error instanceof ShmOsError ? new RpcError(codeOfOsError(error), error.message, { cause: error }) : rpcErrorFromOs(error);
    socket.end(`${errorLine(refusal.code, refusal.message)}\n`);
    throw refusal;
  }
  try {
    const rings = ringsOf(segment.buffer, options.ringSize, 'server', true);
    socket.write(`${segmentLine(segment.name, options.ringSize)}\n`);
    const answer = await readLine(socket, options.connectTimeout, peer);
    if (answer !== MAPPED_LINE) throw new RpcError(Code.Unavailable, `${peer} answered ${JSON.stringify(answer.slice(0, 80))}, not ${MAPPED_LINE}`);
    const connection = new ShmConnection(socket, rings, peer, options);
    connection.start(accept(connection));
  } finally {
    // Both sides have it mapped (or the client failed): the name is no longer needed, and a
    // SIGKILL of either process from now on leaves nothing in /dev/shm.
    unlinkSegment(segment.name);
  }
}
