import { startServerProcess, stopGracefully } from '../../support/server-process.js';
import type { RunningServer, StartOptions } from './transport-adapter.js';

/** A limit below the 4 MiB default, so the large-message cases stay quick. */
export const MAX_MESSAGE_SIZE = 1024 * 1024;
/** How long `stop()` lets the server drain after SIGTERM before it sends SIGKILL. */
const STOP_TIMEOUT_MS = 3_000;

/**
 * conformance-server.ts in a child process under tsx, listening as `transportArgs` say, with the
 * suite's message size limit; peer death is SIGKILL. The adapters of transports whose server
 * runs apart from the test share it.
 */
export async function startChildServer(transportArgs: readonly string[], options: StartOptions = {}): Promise<RunningServer> {
  const args = [...transportArgs, '--max-message-size', String(MAX_MESSAGE_SIZE)];
  if (options.auth) args.push('--auth');
  // startServerProcess resolves paths against test/fixtures.
  const server = await startServerProcess('../conformance/conformance-server.ts', args);
  return {
    target: server.url,
    async kill() {
      await server.stop('SIGKILL');
    },
    async stop() {
      await stopGracefully(server, STOP_TIMEOUT_MS);
    },
  };
}
