import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Code, RpcError, type Transport } from '@conduit/runtime';
import { pipe } from '@conduit/transports';
import { MAX_MESSAGE_SIZE } from './child-server.js';
import type { TransportAdapter } from './transport-adapter.js';

const SERVER = fileURLToPath(new URL('../conformance-server.ts', import.meta.url));

/** How long a child may take to say `ready` (tsx compiles it first). */
const READY_TIMEOUT_MS = 15_000;

/**
 * An ordinary pipe to a child process: every connection spawns conformance-server.ts, which
 * serves over its stdin and stdout. A "server" here is the command line; each channel gets its
 * own child. A connection counts once its child said `ready` on stderr, as the other adapters'
 * servers are listening before a case starts: a case's deadline must not pay for tsx compiling
 * the child. Peer death is SIGKILL of the children; after it the transport refuses to spawn more,
 * as a server that is gone stays gone for the suite.
 */
export const pipeAdapter: TransportAdapter = {
  name: 'pipe',
  maxMessageSize: MAX_MESSAGE_SIZE,
  async start(options = {}) {
    const args = ['--import', 'tsx', SERVER, '--transport', 'pipe', '--max-message-size', String(MAX_MESSAGE_SIZE)];
    if (options.auth) args.push('--auth');
    const children = new Set<ChildProcess>();
    const ready = new Map<number, () => void>();
    let spawned: Promise<void> = Promise.resolve();
    const inner = pipe.spawn(process.execPath, args, {
      maxMessageSize: MAX_MESSAGE_SIZE,
      closeGrace: 1_000,
      killGrace: 1_000,
      stderr: 'pipe',
      onStderr: (chunk, pid) => {
        const text = chunk.toString();
        if (text.includes('ready')) ready.get(pid)?.();
        const rest = text.replace(/^ready\n?/m, '');
        if (rest !== '') process.stderr.write(rest);
      },
      onSpawn: (child) => {
        children.add(child);
        child.once('exit', () => children.delete(child));
        spawned = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`pipe child ${child.pid} did not say ready within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
          ready.set(child.pid as number, () => (clearTimeout(timer), resolve()));
          child.once('exit', () => (clearTimeout(timer), resolve()));
        });
      },
    });
    let killed = false;
    const target: Transport = {
      ...inner,
      connect: async (handlers) => {
        if (killed) throw new RpcError(Code.Unavailable, 'the pipe server was killed');
        const connection = await inner.connect(handlers);
        await spawned;
        return connection;
      },
    };
    const exitOfAll = () => Promise.all([...children].map((child) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve)))));
    return {
      target,
      async kill() {
        killed = true;
        for (const child of children) child.kill('SIGKILL');
        await exitOfAll();
      },
      async stop() {
        killed = true;
        // Channels close their children (stdin EOF); whatever is left after the suite's channels closed is ended here.
        for (const child of children) child.kill('SIGTERM');
        await exitOfAll();
      },
    };
  },
};
