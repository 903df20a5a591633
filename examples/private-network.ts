/**
 * Guards for the examples that send multicast (examples/multicast, examples/discovery): they run
 * only inside a private network namespace (`scripts/private-network.sh`), where loopback is the
 * only interface, so not one datagram reaches a real network.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { networkInterfaces } from 'node:os';


/** Exits with a message unless this process is in a namespace with no interface but loopback. */
export function requirePrivateNetwork(script: string): void {
  const others = Object.keys(networkInterfaces()).filter((name) => name !== 'lo');
  if (others.length === 0) return;
  console.error(
    `${script} sends multicast, so it runs only in a private network namespace; this one has ${others.join(', ')}.\n` +
      `Run it as: scripts/private-network.sh node --import tsx ${script}`,
  );
  process.exit(2);
}

/**
 * Spawns `node --import tsx <script> ...args` as a child that dies with this process: its stdin
 * is a pipe from us, and the child's `exitWithParent()` ends it when the pipe closes, even if we
 * were SIGKILLed (in a network namespace, nothing else would end an orphan).
 */
export function spawnNode(script: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['pipe', 'pipe', 'inherit'], ...options });
}

/** In the child: exit when the parent's end of our stdin closes, after `cleanup`, within a second. */
export function exitWithParent(cleanup: () => unknown): void {
  let exiting = false;
  const exit = (): void => {
    if (exiting) return;
    exiting = true;
    setTimeout(() => process.exit(0), 1000).unref();
    void Promise.resolve()
      .then(cleanup)
      .catch(() => undefined)
      .finally(() => process.exit(0));
  };
  process.stdin.on('end', exit);
  process.stdin.on('close', exit);
  process.stdin.resume();
  process.once('SIGTERM', exit);
  process.once('SIGINT', exit);
}
