import type { ChildProcess } from 'node:child_process';
import { Code, DEFAULT_MAX_MESSAGE_SIZE, RpcError, type Transport } from '@conduit/runtime';
import { PipeChild, describeCommand, type PipeChildExit } from './pipe-child.js';
import { PipeChildConnection } from './pipe-child-connection.js';

export interface PipeSpawnOptions {
  /** The child's working directory. Default: this process's, as `child_process.spawn` does. */
  cwd?: string;
  /**
   * The child's whole environment. Default: this process's (`process.env`), as
   * `child_process.spawn` does; to add a variable, pass `{ ...process.env, NAME: 'value' }`.
   */
  env?: NodeJS.ProcessEnv;
  /**
   * Where the child's stderr goes; it is never mixed into the protocol, which is stdout's alone.
   * Default `'inherit'`: the child's logs appear beside the parent's, the way a language server's
   * show in its editor's log. `'pipe'` hands them to `onStderr` (and is the default when that is
   * given); `'ignore'` drops them.
   */
  stderr?: 'inherit' | 'pipe' | 'ignore';
  /**
   * Called with each chunk a child writes to its stderr, and that child's pid, when `stderr` is
   * `'pipe'`. Default: none; giving it makes `'pipe'` the default for `stderr`.
   */
  onStderr?: (chunk: Buffer, pid: number) => void;
  /**
   * Called with each child once it has started, before the first message goes to it: for its pid,
   * or to signal it. Default: none. Leave its stdin and stdout alone; they carry the protocol.
   */
  onSpawn?: (child: ChildProcess) => void;
  /**
   * Called when a child has ended, with its exit code or the signal that ended it. Default: none;
   * a child that ends while its connection is open also fails that connection's calls with
   * Unavailable saying the same, so this is for logs and supervision.
   */
  onExit?: (exit: PipeChildExit) => void;
  /**
   * Largest message in bytes, both directions. Default 4 MiB (`DEFAULT_MAX_MESSAGE_SIZE`),
   * gRPC's; the child's `pipe.stdio({ maxMessageSize })` should say the same. Stray text on the
   * child's stdout is recognised only while this stays below 144 MiB (text's first bytes, read as
   * a length, are larger than that).
   */
  maxMessageSize?: number;
  /**
   * Milliseconds a child may take to exit after its stdin closed (the channel was closed, or the
   * child broke the protocol) before it gets SIGTERM. Default 2000: a `pipe.stdio()` server
   * exits by itself at stdin EOF once its cancelled calls have unwound, which takes far less.
   */
  closeGrace?: number;
  /**
   * Milliseconds after SIGTERM before SIGKILL. Default 2000: time for a SIGTERM handler to clean
   * up, while a child that ignores it still ends within about four seconds of the close.
   */
  killGrace?: number;
}

const DEFAULT_CLOSE_GRACE_MS = 2_000;
const DEFAULT_KILL_GRACE_MS = 2_000;

/**
 * The parent's side of the pipe transport: each `connect` spawns `command` with `args` and talks
 * to it over its stdin and stdout. See `pipe.spawn`.
 */
export function pipeSpawn(command: string, args: readonly string[] = [], options: PipeSpawnOptions = {}): Transport {
  if (typeof command !== 'string' || command === '') throw new RpcError(Code.InvalidArgument, 'pipe.spawn needs a command to run');
  const stderr = options.stderr ?? (options.onStderr === undefined ? 'inherit' : 'pipe');
  if (stderr === 'pipe' && options.onStderr === undefined) {
    throw new RpcError(Code.InvalidArgument, "pipe.spawn: stderr 'pipe' needs onStderr to hand the output to (or use 'ignore')");
  }
  if (stderr !== 'pipe' && options.onStderr !== undefined) {
    throw new RpcError(Code.InvalidArgument, `pipe.spawn: onStderr needs stderr 'pipe' (got '${stderr}')`);
  }
  const grace = { closeGrace: milliseconds('closeGrace', options.closeGrace, DEFAULT_CLOSE_GRACE_MS), killGrace: milliseconds('killGrace', options.killGrace, DEFAULT_KILL_GRACE_MS) };
  const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const childOptions = { cwd: options.cwd, env: options.env, stderr, onStderr: options.onStderr, onSpawn: options.onSpawn, onExit: options.onExit };
  const address = `pipe:${describeCommand(command, args)}`;
  return {
    name: 'pipe',
    address,
    connect: async (handlers) => {
      const child = await PipeChild.start(command, args, childOptions);
      const connection = new PipeChildConnection(child, maxMessageSize, grace);
      connection.start(handlers);
      return connection;
    },
    listen: () =>
      Promise.reject(
        new RpcError(Code.InvalidArgument, `${address} is the parent's side of a pipe and cannot listen: the child serves with server.listen(pipe.stdio())`),
      ),
  };
}

function milliseconds(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new RpcError(Code.InvalidArgument, `pipe.spawn: ${name} must be a finite number of milliseconds ≥ 0 (got ${value})`);
  return value;
}
