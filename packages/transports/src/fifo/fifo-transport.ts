import { isAbsolute, normalize } from 'node:path';
import { Code, DEFAULT_MAX_MESSAGE_SIZE, RpcError, type Transport } from '@conduit/runtime';
import { connectFifo } from './fifo-connect.js';
import { listenFifo } from './fifo-listener.js';
import { fifoUrl, pathOfFifoUrl } from './fifo-url.js';
import { warnOnStderr } from '../os-errors.js';

export interface FifoOptions {
  /**
   * Absolute path of the server's well-known FIFO, where clients ask for a connection. Required,
   * and relative paths are an InvalidArgument: a server and its clients need not share a working
   * directory. The server creates the FIFO (mode 0600: only its own user may connect), replaces a
   * stale one a crashed server left, refuses any other file there, and removes it on close.
   */
  path: string;
  /** Largest message in bytes, both directions. Default 4 MiB (`DEFAULT_MAX_MESSAGE_SIZE`), gRPC's. */
  maxMessageSize?: number;
  /**
   * Milliseconds a client waits for the server to open its FIFOs, and a server waits for an
   * accepted client's first bytes. Default 5000, as for tcp: a missing or stale server fails at
   * once anyway; this bounds one that is alive but not reading.
   */
  connectTimeout?: number;
  /**
   * Server side: hears what no caller is told about, such as junk another program wrote into the
   * well-known FIFO, refused connection requests and a replaced stale FIFO. Default: one line on
   * stderr prefixed `[conduit]`, like `ServerOptions.onError`'s default, so none is silent (the
   * transport seam gives a listener no way to reach the server's own `onError`).
   */
  onError?: (problem: string, cause?: unknown) => void;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/**
 * Named pipes between unrelated processes on one machine. The server reads connection requests
 * from a well-known FIFO; each client gets its own pair of FIFOs, so many talk to one server at
 * once. Every FIFO is opened non-blocking and driven by libuv: nothing blocks the event loop.
 */
export function fifo(options: FifoOptions): Transport {
  if (typeof options.path !== 'string' || !isAbsolute(options.path) || options.path.includes('\0')) {
    throw new RpcError(Code.InvalidArgument, `fifo: path must be an absolute file path, got ${JSON.stringify(options.path)}`);
  }
  const path = normalize(options.path);
  const address = fifoUrl(path);
  const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const connectTimeout = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const report = options.onError ?? warnOnStderr;
  return {
    name: 'fifo',
    address,
    connect: (handlers) => connectFifo({ path, address, maxMessageSize, connectTimeout }, handlers),
    listen: (accept) => listenFifo({ path, address, maxMessageSize, connectTimeout, report }, accept),
  };
}

/** `fifo:///absolute/path` → a fifo transport with default options. */
export function fifoFromUrl(url: URL): Transport {
  return fifo({ path: pathOfFifoUrl(url) });
}
