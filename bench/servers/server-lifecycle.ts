/** What every bench server does around its real work: announce readiness, die with the parent. */

/** Prints the one JSON line the parent waits for, e.g. `{"port":41234}`. */
export function announce(info: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(info)}\n`);
}

/**
 * Exits when the parent goes: its end of our stdin closes (even if it was SIGKILLed), the IPC
 * channel disconnects, or it sends SIGTERM. `cleanup` gets a chance to close sockets first.
 */
export function exitWithParent(cleanup?: () => unknown): void {
  let exiting = false;
  const exit = (): void => {
    if (exiting) return;
    exiting = true;
    Promise.resolve()
      .then(cleanup)
      .catch(() => undefined)
      .finally(() => process.exit(0));
    // A cleanup that hangs must not keep the process alive.
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.stdin.on('end', exit);
  process.stdin.on('close', exit);
  process.stdin.resume();
  process.on('disconnect', exit);
  process.on('SIGTERM', exit);
}
