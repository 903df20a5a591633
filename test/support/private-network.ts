import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/private-network.sh', import.meta.url));

/** What a script run in a private network namespace printed, and how it ended. */
export interface PrivateRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly exit: number | string;
}

/**
 * Runs `script` (a path relative to test/) under tsx inside a private network namespace of its own
 * (scripts/private-network.sh), where multicast stays on a loopback nobody else shares. The run
 * gets its own process group, so on timeout everything it started is killed with it.
 */
export function runInPrivateNetwork(script: string, timeoutMs: number): Promise<PrivateRun> {
  const path = fileURLToPath(new URL(`../${script}`, import.meta.url));
  const child = spawn(SCRIPT, [process.execPath, '--import', 'tsx', path], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killGroup = () => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', killGroup);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${timeoutMs} ms)`;
      killGroup();
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.off('exit', killGroup);
      killGroup();
      resolve({ stdout, stderr, exit: code ?? (signal as string) });
    });
  });
}
