/**
 * A pool of worker processes over ordinary pipes: spawns WORKERS children running worker.ts, one
 * channel each, and counts the primes below LIMIT in CHUNK-sized calls. Each worker keeps up to
 * DEPTH calls in flight and takes the next chunk as soon as one returns, so a worker that is
 * faster (or less loaded) answers more. Prints who answered what, the totals, and each worker's exit.
 */
import { fileURLToPath } from 'node:url';
import { connect, type Channel } from '@conduit/runtime';
import { pipe } from '@conduit/transports';
import { WorkerClient } from './generated/worker.rpc.js';

const WORKERS = 4;
const LIMIT = 2_000_000;
const CHUNK = 100_000;
/** Calls each worker has in flight: one computing, one waiting in its pipe so it never idles. */
const DEPTH = 2;

const workerPath = fileURLToPath(new URL('./worker.ts', import.meta.url));
const started = performance.now();
const ms = () => `${Math.round(performance.now() - started)} ms`;

interface PooledWorker {
  readonly pid: number;
  readonly channel: Channel;
  readonly client: WorkerClient;
  answered: number;
}

const workers: PooledWorker[] = await Promise.all(
  Array.from({ length: WORKERS }, async () => {
    // Each connect spawns a child; stderr is inherited, so the workers' logs show up here.
    const channel = await connect(
      pipe.spawn(process.execPath, ['--import', 'tsx', workerPath], { onExit: (exit) => console.log(`${exit.description} (${ms()})`) }),
    );
    const client = new WorkerClient(channel);
    return { pid: await client.whoami(), channel, client, answered: 0 };
  }),
);
console.log(`${WORKERS} workers up after ${ms()}: pids ${workers.map((worker) => worker.pid).join(', ')}`);

const chunks = Array.from({ length: Math.ceil(LIMIT / CHUNK) }, (_, i) => [i * CHUNK, Math.min(LIMIT, (i + 1) * CHUNK)] as const);
let next = 0;
let total = 0;

/** One of a worker's DEPTH lanes: takes the next chunk until none is left. */
async function lane(worker: PooledWorker): Promise<void> {
  for (let chunk = chunks[next++]; chunk !== undefined; chunk = chunks[next++]) {
    const [from, to] = chunk;
    const count = await worker.client.countPrimes(from, to);
    worker.answered++;
    total += count;
    console.log(`[${from}, ${to}) → ${count} primes  (pid ${worker.pid})`);
  }
}

await Promise.all(workers.flatMap((worker) => Array.from({ length: DEPTH }, () => lane(worker))));
console.log(`${total} primes below ${LIMIT}, in ${chunks.length} calls over ${WORKERS} workers, after ${ms()}`);
for (const worker of workers) console.log(`  pid ${worker.pid}: ${worker.answered} calls`);

// Closing a channel ends its child's stdin: each worker exits by itself, and this process ends once they have.
await Promise.all(workers.map((worker) => worker.channel.close()));
