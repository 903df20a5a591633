import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { basename } from 'node:path';
import { Code, RpcError } from '@conduit/runtime';
import { rpcErrorFromOs } from '../os-errors.js';

/** How a child process ended, as `pipe.spawn`'s `onExit` reports it. */
export interface PipeChildExit {
  readonly pid: number;
  /** The exit code, or null when a signal ended the child. */
  readonly code: number | null;
  /** The signal that ended the child, or null when it exited by itself. */
  readonly signal: NodeJS.Signals | null;
  /**
   * `the child process 4242 (node server.js) exited with code 3`, `… was killed by SIGKILL`, or,
   * when the parent's stop sequence ended it, `… was killed by SIGTERM, sent by the parent because
   * it had not exited 2000 ms after its stdin closed`.
   */
  readonly description: string;
}

/** What the child is started with; see PipeSpawnOptions for each. */
export interface PipeChildOptions {
  readonly cwd: string | undefined;
  readonly env: NodeJS.ProcessEnv | undefined;
  readonly stderr: 'inherit' | 'pipe' | 'ignore';
  readonly onStderr: ((chunk: Buffer, pid: number) => void) | undefined;
  readonly onSpawn: ((child: ChildProcess) => void) | undefined;
  readonly onExit: ((exit: PipeChildExit) => void) | undefined;
}

/**
 * One child process spawned for a pipe connection: its stdin and stdout carry the protocol, its
 * stderr goes wherever the options say but never into the protocol. Knows how the child ended and
 * how to end it: after stdin EOF, a grace period, then SIGTERM, another grace period, then SIGKILL.
 */
export class PipeChild {
  readonly pid: number;
  /** `node server.js`: what was started, for messages. */
  readonly command: string;
  /** `the child process 4242 (node server.js)`. */
  readonly name: string;
  readonly stdin: Socket;
  readonly stdout: Socket;
  /** Resolves once the child has ended, however it ended. */
  readonly exited: Promise<PipeChildExit>;
  readonly #process: ChildProcess;
  #exit: PipeChildExit | undefined;
  #stopping = false;
  #stopTimer: NodeJS.Timeout | undefined;
  /** The last signal `stop` sent, and why, for the exit's description. */
  #sent: { readonly signal: NodeJS.Signals; readonly why: string } | undefined;

  /**
   * Spawns `command` and resolves once the operating system has started it; rejects with
   * Unavailable naming the command and the errno when it cannot (ENOENT, EACCES, …).
   */
  static start(command: string, args: readonly string[], options: PipeChildOptions): Promise<PipeChild> {
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', options.stderr] });
      } catch (error) {
        reject(spawnError(command, options.cwd, error));
        return;
      }
      const failed = (error: Error): void => {
        // The pipes were made before the exec failed; nobody will read or write them.
        for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.destroy();
        reject(spawnError(command, options.cwd, error));
      };
      child.once('error', failed);
      child.once('spawn', () => {
        child.off('error', failed);
        resolve(new PipeChild(child, describeCommand(command, args), options));
      });
    });
  }

  private constructor(child: ChildProcess, command: string, options: PipeChildOptions) {
    this.#process = child;
    this.pid = child.pid as number;
    this.command = command;
    this.name = `the child process ${this.pid} (${command})`;
    // With stdio 'pipe', child_process makes these net.Sockets over the pipes.
    this.stdin = child.stdin as Socket;
    this.stdout = child.stdout as Socket;
    // After the spawn, 'error' means a signal could not be sent: the child is gone already, and
    // 'exit' says how it ended.
    child.on('error', () => {});
    const onStderr = options.onStderr;
    if (child.stderr !== null && onStderr !== undefined) {
      child.stderr.on('data', (chunk: Buffer) => onStderr(chunk, this.pid));
      child.stderr.on('error', () => {});
    }
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        clearTimeout(this.#stopTimer);
        const how =
          signal === null
            ? `exited with code ${code}${this.#sent === undefined ? '' : ` after the parent's ${this.#sent.signal}`}`
            : `was killed by ${signal}${signal === this.#sent?.signal ? `, sent by the parent ${this.#sent.why}` : ''}`;
        this.#exit = { pid: this.pid, code, signal, description: `${this.name} ${how}` };
        resolve(this.#exit);
        options.onExit?.(this.#exit);
      });
    });
    options.onSpawn?.(child);
  }

  /**
   * Ends the child once its stdin has been closed (the connection does that): a child that has not
   * exited `closeGrace` ms later gets SIGTERM, and SIGKILL `killGrace` ms after that. The timers do
   * not hold the process open, but the child does until it has exited, so nothing is orphaned.
   */
  stop(closeGrace: number, killGrace: number): void {
    if (this.#stopping || this.#exit !== undefined) return;
    this.#stopping = true;
    this.#stopTimer = setTimeout(() => {
      this.#signal('SIGTERM', `because it had not exited ${closeGrace} ms after its stdin closed`);
      this.#stopTimer = setTimeout(() => this.#signal('SIGKILL', `because SIGTERM had not ended it within ${killGrace} ms`), killGrace).unref();
    }, closeGrace).unref();
  }

  /** True once `stop` has sent a signal: an exit from then on is the parent's doing, not the child's. */
  get signalled(): boolean {
    return this.#sent !== undefined;
  }

  #signal(signal: NodeJS.Signals, why: string): void {
    this.#sent = { signal, why };
    this.#process.kill(signal);
  }

  /** How the child ended, once it has within `ms`; undefined if it is still running then. */
  exitWithin(ms: number): Promise<PipeChildExit | undefined> {
    if (this.#exit !== undefined) return Promise.resolve(this.#exit);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), ms).unref();
      void this.exited.then((exit) => {
        clearTimeout(timer);
        resolve(exit);
      });
    });
  }
}

/** `node server.js`: the command's file name and its arguments, quoted where a space would mislead. */
export function describeCommand(command: string, args: readonly string[]): string {
  return [basename(command), ...args].map((word) => (word === '' || /[\s"'\\]/.test(word) ? JSON.stringify(word) : word)).join(' ');
}

/**
 * A spawn the operating system refused (ENOENT, EACCES, …) is a peer that cannot be reached:
 * Unavailable, naming the command and the errno. Node's own ERR_* codes are arguments it refused.
 */
function spawnError(command: string, cwd: string | undefined, error: unknown): RpcError {
  const doing = `could not start '${command}'${cwd === undefined ? '' : ` in ${cwd}`}`;
  if (String((error as NodeJS.ErrnoException | undefined)?.code).startsWith('ERR_')) {
    return new RpcError(Code.InvalidArgument, `${doing}: ${(error as Error).message}`, { cause: error });
  }
  return new RpcError(Code.Unavailable, rpcErrorFromOs(error, doing).message, { cause: error });
}
