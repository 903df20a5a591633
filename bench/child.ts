import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** How long a server process may take to print its ready line; tsx compiles on first start. */
const READY_TIMEOUT_MS = 30_000;
/** How long a server may take to exit after SIGTERM before it gets SIGKILL. */
const STOP_GRACE_MS = 2_000;

/** Extra node flags for every server process, e.g. `BENCH_SERVER_FLAGS=--cpu-prof` to profile the servers. */
const serverFlags = process.env.BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? [];

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** Every server process still alive; the exit hooks below kill whatever is left here. */
const live = new Set<ChildProcess>();
let hooksInstalled = false;

function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

/** Kill servers however this process ends: normal exit, uncaught error, Ctrl-C or SIGTERM. */
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAll);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(code);
    });
  }
}

export interface ServerProcess {
  /** The JSON object the server printed as its first stdout line, e.g. `{ port: 41234 }`. */
  readonly info: Record<string, unknown>;
  readonly child: ChildProcess;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Fork with an IPC channel (for `process.send`). Default false: plain spawn, stdio only. */
  ipc?: boolean;
  /** Arguments after the script. Default none. */
  args?: readonly string[];
}

/**
 * Starts `node --import tsx <file>` (a path relative to bench/) and waits for the one JSON line
 * the server prints on stdout once it is listening. The child's stdin stays open as a lifeline:
 * servers exit when it closes, so they die with this process even if it is SIGKILLed.
 */
export async function startServer(file: string, options: StartOptions = {}): Promise<ServerProcess> {
  installExitHooks();
  const path = fileURLToPath(new URL(file, import.meta.url));
  const child = options.ipc
    ? fork(path, [...(options.args ?? [])], { cwd: repoRoot, execArgv: [...serverFlags, '--import', 'tsx'], stdio: ['pipe', 'pipe', 'inherit', 'ipc'] })
    : spawn(process.execPath, [...serverFlags, '--import', 'tsx', path, ...(options.args ?? [])], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  live.add(child);
  child.once('exit', () => live.delete(child));

  const stop = async (): Promise<void> => {
    live.delete(child);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    try {
      await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  try {
    const info = await readReadyLine(child, file);
    return { info, child, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function readReadyLine(child: ChildProcess, file: string): Promise<Record<string, unknown>> {
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(
      () => finish(new Error(`${file}: no ready line within ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
    const onExit = (code: number | null, signal: string | null): void =>
      finish(new Error(`${file} exited before it was ready (code ${code}, signal ${signal})`));
    const finish = (error: Error | undefined, info?: Record<string, unknown>): void => {
      if (ready) return;
      ready = true;
      clearTimeout(timer);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(info!);
    };
    child.once('exit', onExit);
    child.once('error', (error) => finish(error));
    lines.on('line', (line) => {
      // Later lines are the server's own output; keep draining so its stdout never blocks.
      if (ready) {
        process.stderr.write(`[${file}] ${line}\n`);
        return;
      }
      try {
        finish(undefined, JSON.parse(line) as Record<string, unknown>);
      } catch {
        finish(new Error(`${file}: expected a JSON ready line, got ${JSON.stringify(line)}`));
      }
    });
  });
}

/** The `port` a server announced, checked. */
export function portOf(server: ServerProcess): number {
  const port = server.info['port'];
  if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0) {
    throw new Error(`server announced no valid port: ${JSON.stringify(server.info)}`);
  }
  return port;
}
