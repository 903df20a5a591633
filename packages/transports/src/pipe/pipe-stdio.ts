import { Code, DEFAULT_MAX_MESSAGE_SIZE, RpcError, type Transport } from '@conduit/runtime';
import { StreamConnection } from '../stream/stream-connection.js';

export interface PipeStdioOptions {
  /**
   * Largest message in bytes, both directions. Default 4 MiB (`DEFAULT_MAX_MESSAGE_SIZE`),
   * gRPC's; the parent's `pipe.spawn(…, { maxMessageSize })` should say the same.
   */
  maxMessageSize?: number;
}

/** What `server.listen(pipe.stdio())` reports; a pipe has no address beyond "this process's stdio". */
const STDIO_URL = 'pipe:stdio';

/** What the quoted text is followed by when something other than the parent writes to stdin. */
const STDIN_TEXT_HINT = "this process's stdin is for Conduit frames from the parent that started it with pipe.spawn()";

/** Set once a listener has taken stdin and stdout: a process has one pair, for one connection. */
let stdioTaken = false;

/**
 * The child's side of the pipe transport: one connection over this process's stdin (from the
 * parent) and stdout (to it). See `pipe.stdio`.
 *
 * It reads and writes `process.stdin` and `process.stdout` themselves rather than new sockets on
 * fds 0 and 1. On a pipe both are asynchronous net.Sockets on POSIX, so the event loop never
 * blocks; stray `console.log` output then goes through the same stream as the frames and lands
 * between two of them, where the parent recognises it as text, instead of inside a frame a second
 * handle is half-way through writing; and ending `process.stdout` leaves fd 1 open, so a later
 * `console.log` cannot write into whatever file reuses that number.
 */
export function pipeStdio(options: PipeStdioOptions = {}): Transport {
  const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  return {
    name: 'pipe',
    address: STDIO_URL,
    connect: () =>
      Promise.reject(
        new RpcError(Code.InvalidArgument, `${STDIO_URL} is the child's side of a pipe and cannot connect: the parent connects with connect(pipe.spawn(command, args))`),
      ),
    listen: async (accept) => {
      const terminal = process.stdin.isTTY ? 'stdin' : process.stdout.isTTY ? 'stdout' : undefined;
      if (terminal !== undefined) {
        throw new RpcError(
          Code.FailedPrecondition,
          `${STDIO_URL}: ${terminal} is a terminal; this program serves Conduit over stdin and stdout, for a parent that starts it with connect(pipe.spawn(…))`,
        );
      }
      if (stdioTaken) throw new RpcError(Code.FailedPrecondition, `${STDIO_URL}: stdin and stdout already carry a Conduit connection; a process has one pair`);
      stdioTaken = true;
      const connection = new StreamConnection({ input: process.stdin, output: process.stdout }, `pipe:parent (pid ${process.ppid})`, maxMessageSize, {
        textHint: STDIN_TEXT_HINT,
      });
      connection.start(accept(connection));
      // Nothing more to accept, ever: the one connection is the server's to end.
      return { url: STDIO_URL, close: async () => {} };
    },
  };
}
