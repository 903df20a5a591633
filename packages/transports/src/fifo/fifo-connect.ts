import { statSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Code, RpcError, type Connection, type ConnectionHandlers } from '@conduit/runtime';
import { errnoOf, rpcErrorFromOs } from '../os-errors.js';
import { StreamConnection } from '../stream/stream-connection.js';
import { closeFd, isFifoBeingRead, makeFifos, openFifoReader, openFifoWriter, openFifoWriterWhenRead, readerSocket, retryWithBackoff, writerSocket } from './fifo-files.js';
import { CLIENT_TO_SERVER, formatRequest, SERVER_TO_CLIENT } from './fifo-request.js';

export interface FifoConnectOptions {
  /** Absolute path of the server's well-known FIFO. */
  readonly path: string;
  /** `fifo:///path`, for messages and the connection's peer. */
  readonly address: string;
  readonly maxMessageSize: number;
  /** Milliseconds from the start until the server must have opened this client's FIFOs. */
  readonly connectTimeout: number;
}

/**
 * Prefix of a client's private directory in os.tmpdir(), followed by its pid: a directory left by
 * a client killed while connecting names the process that made it.
 */
export const PRIVATE_DIR_PREFIX = 'conduit-fifo-';

/**
 * Connects to the server reading the well-known FIFO: makes a private directory (0700) with the
 * FIFO pair `c2s`/`s2c` (0600), opens `s2c` for reading, writes one request line naming the
 * directory, waits for the server to open `c2s`, then removes the directory (the open fds keep
 * working) so nothing is left behind.
 */
export async function connectFifo(options: FifoConnectOptions, handlers: ConnectionHandlers): Promise<Connection> {
  const { path, address, connectTimeout } = options;
  const deadline = performance.now() + connectTimeout;
  // First, so that a missing server fails fast, before anything is made.
  let server: number | undefined = openServerFifo(path);
  let dir: string | undefined;
  let reader: number | undefined;
  let holder: number | undefined;
  let writer: number | undefined;
  try {
    dir = await mkdtemp(join(tmpdir(), `${PRIVATE_DIR_PREFIX}${process.pid}-`)).catch((error: unknown) => {
      throw rpcErrorFromOs(error, `making a private directory in ${tmpdir()}`);
    });
    const clientToServer = join(dir, CLIENT_TO_SERVER);
    const serverToClient = join(dir, SERVER_TO_CLIENT);
    await makeFifos([clientToServer, serverToClient]).catch((error: unknown) => {
      throw rpcErrorFromOs(error, `making FIFOs in ${dir}`);
    });
    reader = openFifoReader(serverToClient);
    // Our own writer on our read end: no EOF while the server has not opened its end yet.
    holder = openFifoWriter(serverToClient);
    await sendRequest(server, formatRequest(dir), deadline, options);
    closeFd(server);
    server = undefined;
    writer = await openFifoWriterWhenRead(clientToServer, deadline, () => checkServer(path, address));
    if (writer === undefined) throw new RpcError(Code.Unavailable, `${address} did not accept within ${connectTimeout} ms`);
    // The server opens s2c before c2s, so it holds its end of s2c now: from here EOF means it is gone.
    closeFd(holder);
    holder = undefined;
    // Both ends are open: the names are no longer needed, and a crash from here leaves nothing.
    await rm(dir, { recursive: true, force: true });
    dir = undefined;
    const connection = new StreamConnection({ input: readerSocket(reader), output: writerSocket(writer) }, address, options.maxMessageSize);
    connection.start(handlers);
    return connection;
  } catch (error) {
    for (const fd of [server, reader, holder, writer]) closeFd(fd);
    throw rpcErrorFromOs(error);
  } finally {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Opens the server's well-known FIFO for writing, or says why there is no server there. */
function openServerFifo(path: string): number {
  try {
    // stat first, so that connect never opens a regular file or a device by mistake.
    if (!statSync(path).isFIFO()) throw new RpcError(Code.FailedPrecondition, `${path} is not a FIFO`);
    return openFifoWriter(path, { follow: true });
  } catch (error) {
    throw noServer(errnoOf(error), path, error) ?? rpcErrorFromOs(error);
  }
}

/** Throws Unavailable once the server's FIFO has no reader any more: waiting on would be in vain. */
function checkServer(path: string, address: string): void {
  let gone: RpcError | undefined;
  try {
    if (isFifoBeingRead(path, { follow: true })) return;
    gone = noServer('ENXIO', path);
  } catch (error) {
    // Other errors than ENOENT say nothing sure about the server: keep waiting until the deadline.
    gone = noServer(errnoOf(error), path, error);
  }
  if (gone !== undefined) throw new RpcError(Code.Unavailable, `the server at ${address} went away before accepting (${gone.message})`, { cause: gone.cause ?? gone });
}

/** ENOENT and ENXIO: nobody serves `path`. `cause` is the fs error that told, if there was one. */
function noServer(errno: string | undefined, path: string, cause?: unknown): RpcError | undefined {
  switch (errno) {
    case 'ENOENT':
      return new RpcError(Code.Unavailable, `no server: ${path} does not exist (ENOENT)`, { cause });
    case 'ENXIO':
      return new RpcError(Code.Unavailable, `no server is reading ${path} (ENXIO): the FIFO is stale or its server not started`, { cause });
    default:
      return undefined;
  }
}

/**
 * Writes the request in one write: at most PIPE_BUF bytes on a pipe, so all of it or nothing
 * (EAGAIN while the FIFO is full: retried with backoff until the deadline).
 */
async function sendRequest(fd: number, request: Buffer, deadline: number, { address, connectTimeout }: FifoConnectOptions): Promise<void> {
  const sent = await retryWithBackoff(deadline, () => {
    try {
      writeSync(fd, request);
      return true;
    } catch (error) {
      if (errnoOf(error) === 'EPIPE') throw new RpcError(Code.Unavailable, `the server at ${address} went away before reading the connection request (EPIPE)`, { cause: error });
      if (errnoOf(error) !== 'EAGAIN') throw error;
      return undefined;
    }
  });
  if (sent === undefined) throw new RpcError(Code.Unavailable, `${address} took no connection request within ${connectTimeout} ms (its FIFO stayed full)`);
}
