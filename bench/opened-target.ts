import { startServer, type ServerProcess } from './child.js';
import { progress } from './output.js';

/** What both tables measure: a server script in its own process and a client that can check it. */
interface StartableTarget<C> {
  readonly id: string;
  /** Server script, relative to bench/; absent when the client starts its own (a pipe's child). */
  readonly server?: string;
  /** The server needs a fork IPC channel. */
  readonly ipc?: boolean;
  open(server: ServerProcess | undefined): Promise<C>;
}

/** A target being measured: its server, its client, and why it failed if it did. */
export interface OpenedTarget<T extends StartableTarget<C>, C extends { verify(): Promise<void> }> {
  readonly target: T;
  server: ServerProcess | undefined;
  client: C | undefined;
  error?: string;
}

/**
 * Starts the target's server and opens and checks a client; a failure is recorded on the target
 * (and printed), so the other targets of the run still get measured.
 */
export async function openTarget<T extends StartableTarget<C>, C extends { verify(): Promise<void> }, O extends OpenedTarget<T, C>>(
  opened: O,
): Promise<O> {
  try {
    const script = opened.target.server;
    if (script !== undefined) opened.server = await startServer(script, { ipc: opened.target.ipc ?? false });
    opened.client = await opened.target.open(opened.server);
    await opened.client.verify();
  } catch (error) {
    markFailed(opened, error);
  }
  return opened;
}

export function markFailed(opened: { target: { id: string }; error?: string }, error: unknown): void {
  opened.error = error instanceof Error ? error.message : String(error);
  progress(`${opened.target.id}: FAILED: ${opened.error}`);
}
