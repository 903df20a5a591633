import { fstatSync, type Stats } from 'node:fs';
import { lstat, unlink } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { Code, RpcError, type Connection, type ConnectionHandlers, type Listener } from '@conduit/runtime';
import { errnoOf, rpcErrorFromOs } from '../os-errors.js';
import { StreamConnection } from '../stream/stream-connection.js';
import { closeFd, isFifoBeingRead, makeFifos, openFifoReader, openFifoWriter, readerSocket, writerSocket } from './fifo-files.js';
import { checkPrivateDir, FifoRequestReader } from './fifo-request.js';
import { fifoUrl } from './fifo-url.js';

export interface FifoListenOptions {
  /** Absolute path of the well-known FIFO. */
  readonly path: string;
  /** `fifo:///path`, for messages and `listening.url`. */
  readonly address: string;
  readonly maxMessageSize: number;
  /** How long an accepted client may take to open its end and send its first bytes. */
  readonly connectTimeout: number;
  /** Hears what no caller is told about: junk, refused requests, a replaced stale FIFO. */
  readonly report: (problem: string, cause?: unknown) => void;
}

/**
 * Serves the well-known FIFO at `options.path`: claims the path (creating the FIFO with mode
 * 0600, replacing a stale one, refusing a live server's or any file that is not a FIFO), then
 * reads connection requests and turns each valid one into a StreamConnection over the client's
 * FIFO pair.
 */
export async function listenFifo(options: FifoListenOptions, accept: (connection: Connection) => ConnectionHandlers): Promise<Listener> {
  const { path, address } = options;
  await claimPath(options);
  let reader: number | undefined;
  let holder: number | undefined;
  try {
    reader = openFifoReader(path);
    const identity = fstatSync(reader);
    // Our own writer on our read end: without it, the first client to close its write end would
    // be an EOF here. It stays open for the listener's life.
    holder = openFifoWriter(path);
    return new FifoListener(options, readerSocket(reader), holder, identity, accept);
  } catch (error) {
    closeFd(reader);
    closeFd(holder);
    await unlink(path).catch(() => undefined);
    throw rpcErrorFromOs(error, `listening on ${address}`);
  }
}

/**
 * Makes `path` a fresh FIFO for this server. A FIFO that some process has open for reading is a
 * live server's (a non-blocking write open succeeds); one nobody reads (ENXIO) was left by a
 * server that crashed and is replaced. Anything else at the path is never touched.
 */
async function claimPath({ path, address, report }: FifoListenOptions): Promise<void> {
  const doing = `listening on ${address}`;
  let stats: Stats | undefined;
  try {
    stats = await lstat(path);
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw rpcErrorFromOs(error, doing);
  }
  if (stats !== undefined) {
    if (!stats.isFIFO()) {
      throw new RpcError(Code.AlreadyExists, `${doing}: ${path} exists and is ${kindOf(stats)}, not a FIFO; it was left untouched (remove it or choose another path)`);
    }
    if (isBeingRead(path, doing)) throw new RpcError(Code.AlreadyExists, `${doing}: address already in use (a server is reading that FIFO)`);
    report(`${address}: replaced a stale FIFO that no server was reading (its server probably crashed)`);
    await unlink(path).catch((error: unknown) => {
      if (errnoOf(error) !== 'ENOENT') throw rpcErrorFromOs(error, `${doing}: removing the stale FIFO`);
    });
  }
  try {
    await makeFifos([path]);
  } catch (error) {
    // EEXIST: another server claimed the path between our check and mkfifo.
    if (errnoOf(error) === 'EEXIST') throw new RpcError(Code.AlreadyExists, `${doing}: address already in use (another server created the FIFO first)`, { cause: error });
    throw rpcErrorFromOs(error, doing);
  }
}

/** Whether some process has the FIFO at `path` open for reading (the shared check), errors said as `doing`. */
function isBeingRead(path: string, doing: string): boolean {
  try {
    return isFifoBeingRead(path);
  } catch (error) {
    throw rpcErrorFromOs(error, doing);
  }
}

function kindOf(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isSocket()) return 'a socket';
  return 'a device';
}

class FifoListener implements Listener {
  readonly url: string;
  readonly #options: FifoListenOptions;
  readonly #requests: Socket;
  readonly #holder: number;
  readonly #identity: Stats;
  readonly #accept: (connection: Connection) => ConnectionHandlers;
  #closed = false;

  constructor(options: FifoListenOptions, requests: Socket, holder: number, identity: Stats, accept: (connection: Connection) => ConnectionHandlers) {
    this.url = options.address;
    this.#options = options;
    this.#requests = requests;
    this.#holder = holder;
    this.#identity = identity;
    this.#accept = accept;
    const reader = new FifoRequestReader(
      (dir) => void this.#serve(dir).catch((error: unknown) => options.report(`${options.address}: could not serve the connection request for ${dir}`, error)),
      (problem) => options.report(`${options.address}: ${problem}`),
    );
    requests.on('data', (chunk: Buffer) => reader.push(chunk));
    requests.on('error', (error) => options.report(`${options.address}: reading connection requests failed`, error));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#requests.destroy();
    closeFd(this.#holder);
    // Remove only our FIFO: if the path now names another file, someone else made it.
    const now = await lstat(this.#options.path).catch(() => undefined);
    if (now !== undefined && now.ino === this.#identity.ino && now.dev === this.#identity.dev) {
      await unlink(this.#options.path).catch(() => undefined);
    }
  }

  /** Checks one request's directory, opens its FIFO pair and accepts the connection. */
  async #serve(dir: string): Promise<void> {
    const { address, report, maxMessageSize, connectTimeout } = this.#options;
    let fifos;
    try {
      fifos = await checkPrivateDir(dir);
    } catch (error) {
      report(`${address}: refused a connection request for ${dir}: ${(error as Error).message}`);
      return;
    }
    if (this.#closed) return;
    let output: number | undefined;
    let input: number | undefined;
    let holder: number | undefined;
    try {
      // s2c before c2s: once the client's open of c2s succeeds, it knows our s2c end is open,
      // so from then on an EOF on s2c can only mean this server is gone.
      output = openFifoWriter(fifos.serverToClient);
      input = openFifoReader(fifos.clientToServer);
      holder = openFifoWriter(fifos.clientToServer);
    } catch (error) {
      closeFd(output);
      closeFd(input);
      const why = errnoOf(error) === 'ENXIO' ? 'the client closed its end first (it gave up or died)' : String(error);
      report(`${address}: could not open the FIFOs in ${dir}: ${why}`, error);
      return;
    }
    const peer = fifoUrl(dir);
    const inputSocket = readerSocket(input);
    const connection = new StreamConnection({ input: inputSocket, output: writerSocket(output) }, peer, maxMessageSize);
    // Our writer on c2s spares us an EOF until the client has opened its end, which its first
    // bytes (the HELLO it sends at once) prove; after that an EOF means the client is gone.
    let held: number | undefined = holder;
    const release = () => {
      clearTimeout(timer);
      closeFd(held);
      held = undefined;
    };
    const timer = setTimeout(() => {
      release();
      report(`${address}: ${peer} asked to connect but sent nothing within ${connectTimeout} ms; closed it`);
      connection.close(new RpcError(Code.Unavailable, `${peer} sent nothing within ${connectTimeout} ms`));
    }, connectTimeout);
    inputSocket.once('data', release);
    inputSocket.once('close', release);
    connection.start(this.#accept(connection));
  }
}
