import { pipeSpawn } from './pipe-spawn.js';
import { pipeStdio } from './pipe-stdio.js';

export type { PipeSpawnOptions } from './pipe-spawn.js';
export type { PipeStdioOptions } from './pipe-stdio.js';
export type { PipeChildExit } from './pipe-child.js';

/**
 * RPC between a parent and a child process it spawns, over ordinary pipes: the child's stdin
 * and stdout carry the protocol (length-prefixed frames), its stderr stays free for logs. The way
 * editors talk to language servers. There is no URL scheme: a pipe exists only between the two.
 *
 * ```ts
 * // parent
 * const channel = await connect(pipe.spawn(process.execPath, ['server.js']));
 * // child (server.js); log with console.error: stdout is the protocol's
 * await new Server().add(WorkerService, handlers).listen(pipe.stdio());
 * ```
 */
export const pipe = {
  /**
   * The parent's side. Each connection spawns a fresh child (`child_process.spawn(command, args)`
   * with stdio `['pipe', 'pipe', stderr]`); a command that cannot start fails `connect` with
   * Unavailable naming it and the errno.
   *
   * - Output on the child's stdout that is not a frame (a stray `console.log`) closes the
   *   connection with Unavailable quoting the text.
   * - When the child exits or crashes, its calls and streams fail with Unavailable saying how:
   *   `the child process 4242 (node server.js) exited with code 3`, `… was killed by SIGKILL`.
   * - `channel.close()` closes the child's stdin (EOF), then sends SIGTERM after `closeGrace`
   *   and SIGKILL after `killGrace` if the child is still running. A child is never left
   *   behind, and this process stays alive until its children have exited.
   * - A channel reconnects on demand: after its child died, the next call spawns a new one, as
   *   an editor restarts a crashed language server. `connect(transport, { reconnect: false })`
   *   opts out; calls then fail with Unavailable.
   *
   * `listen` on this transport is refused: the child listens, with `pipe.stdio()`.
   */
  spawn: pipeSpawn,
  /**
   * The child's side: `server.listen(pipe.stdio())` serves one connection over this process's
   * stdin and stdout, reported as `pipe:stdio`. When the parent closes the channel (or dies),
   * stdin ends, the connection closes and its calls are cancelled, and a process with nothing
   * else to do exits by itself, with code 0.
   *
   * Log with `console.error`: stdout belongs to the protocol, and a `console.log` there breaks
   * the connection (the parent reports the text). `listen` is refused when stdin or stdout is a
   * terminal, and the second time in a process; `connect` is refused (the parent connects).
   */
  stdio: pipeStdio,
} as const;
