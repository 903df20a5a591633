import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A server running in a child process of the test, as a user would run one. */
export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the server wrote to stdout after its URL line, and to stderr. */
  readonly output: string[];
  /** Resolves with the exit code (or signal name) once the process has ended. */
  readonly exited: Promise<number | string>;
  /** Kills the process if it still runs and waits until it has ended. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

const running = new Set<ChildProcess>();
// A test that fails half-way must not leave servers behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** How long a server process may take to start (tsx compiles it first) before the test fails. */
const START_TIMEOUT_MS = 15_000;

/**
 * Starts `fixture` (a path relative to test/fixtures) under tsx and resolves with the URL it
 * prints as its first stdout line.
 */
export async function startServerProcess(fixture: string, args: string[] = []): Promise<ServerProcess> {
  const path = fileURLToPath(new URL(`../fixtures/${fixture}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', path, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const output: string[] = [];
  const exited = once(child, 'exit').then(([code, signal]) => {
    running.delete(child);
    return (code as number | null) ?? (signal as string);
  });
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${fixture} printed no URL within ${START_TIMEOUT_MS} ms: ${output.join('')}`)), START_TIMEOUT_MS);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${fixture} exited (${code}) before printing its URL: ${output.join('')}`));
    });
  });
  lines.on('line', (line) => output.push(line));
  return {
    url,
    child,
    output,
    exited,
    stop: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** SIGTERM, so the server drains; SIGKILL if it has not ended within `timeoutMs`. Resolves once it is gone. */
export async function stopGracefully(server: ServerProcess, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  await Promise.race([server.stop('SIGTERM'), late]);
  clearTimeout(timer);
  await server.stop('SIGKILL');
}
