import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Channel } from '@conduit/runtime';
import '@conduit/transports';
import { ProbeClient } from '../fixtures/generated/probe.rpc.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * Flow control seen from outside: a server in another process streams far more than either
 * process could hold, to a consumer that is slow or fast, and neither process's memory grows.
 */

const MiB = 1024 * 1024;
/** The bound the issue sets for the growth of either process while 1 GiB streams through. */
const MAX_RSS_GROWTH = 64 * MiB;

let server: ServerProcess;
let channel: Channel;
let probe: ProbeClient;
beforeAll(async () => {
  server = await startServerProcess('probe-server.ts');
  channel = await connect(server.url);
  probe = new ProbeClient(channel);
});
afterAll(async () => {
  await channel?.close();
  await server?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Samples both processes' RSS while `consume` runs; returns the largest growth of each. */
async function growthDuring(consume: (sample: () => Promise<void>) => Promise<void>): Promise<{ client: number; server: number }> {
  const [serverBefore] = await probe.memory();
  const clientBefore = process.memoryUsage().rss;
  let client = 0;
  let remote = 0;
  await consume(async () => {
    client = Math.max(client, process.memoryUsage().rss - clientBefore);
    // A unary call on the same connection as the stream: it must not wait behind it.
    const [rss] = await probe.memory({ timeout: 2_000 });
    remote = Math.max(remote, (rss ?? 0) - (serverBefore ?? 0));
  });
  return { client, server: remote };
}

/** Runs test/fixtures/stream-memory-client.ts against the server and returns what it printed. */
async function streamFromAnotherProcess(): Promise<{ received: number; bytes: number; client: number; server: number }> {
  const script = fileURLToPath(new URL('../fixtures/stream-memory-client.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, server.url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  expect(code, out).toBe(0);
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
}

describe('a server stream over TCP', () => {
  // The client is a process of its own: its RSS is then the stream's, not a test runner's that
  // other test files share (under a loaded CI machine that runner's garbage made this flaky).
  it('streams 1 GiB in 64 KiB messages with both processes growing less than 64 MiB', async () => {
    const result = await streamFromAnotherProcess();
    expect(result.received).toBe((1024 * MiB) / (64 * 1024));
    expect(result.bytes).toBe(1024 * MiB);
    expect(result.client).toBeLessThan(MAX_RSS_GROWTH);
    expect(result.server).toBeLessThan(MAX_RSS_GROWTH);
  }, 120_000);

  it('holds 100 000 messages back for a consumer that sleeps, keeping the heap flat', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    let received = 0;
    let heapGrowth = 0;
    const growth = await growthDuring(async (sample) => {
      for await (const chunk of probe.chunks(100_000, 1024)) {
        if (chunk.length !== 1024) throw new Error(`message ${received} has ${chunk.length} characters`);
        if (++received % 10_000 === 0) {
          // The slow part: the server's stream must wait here instead of queueing the rest.
          await sleep(100);
          heapGrowth = Math.max(heapGrowth, process.memoryUsage().heapUsed - heapBefore);
          await sample();
        }
      }
    });
    expect(received).toBe(100_000);
    // 100 000 messages of 1 KiB are 100 MiB; the stream window is 1 MiB. Everything else is noise.
    expect(heapGrowth).toBeLessThan(32 * MiB);
    expect(growth.server).toBeLessThan(MAX_RSS_GROWTH);
  }, 120_000);
});
