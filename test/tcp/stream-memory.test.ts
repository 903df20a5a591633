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

describe('a server stream over TCP', () => {
  it('streams 1 GiB in 64 KiB messages with both processes growing less than 64 MiB', async () => {
    const size = 64 * 1024;
    const count = (1024 * MiB) / size;
    let received = 0;
    let bytes = 0;
    const growth = await growthDuring(async (sample) => {
      for await (const chunk of probe.chunks(count, size)) {
        received++;
        bytes += chunk.length;
        if (received % 1024 === 0) await sample();
      }
    });
    expect(received).toBe(count);
    expect(bytes).toBe(1024 * MiB);
    expect(growth.client).toBeLessThan(MAX_RSS_GROWTH);
    expect(growth.server).toBeLessThan(MAX_RSS_GROWTH);
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
