import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Code, connect, type Channel } from '@conduit/runtime';
import { udp } from '@conduit/transports';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { CounterClient } from './generated/counter.rpc.js';
import { startLossyProxy, type Faults, type LossyProxy } from './lossy-proxy.js';

/**
 * Calls over a network that loses, duplicates and reorders datagrams: a real server process, a
 * real client, and the lossy proxy between them on loopback. Every call must complete exactly
 * once (the Counter service's `increment` is not idempotent, so a call run twice shows in its total).
 */

const HARSH: Faults = { loss: 0.2, duplicate: 0.1, reorder: 0.1, maxDelayMs: 10 };
const MILD: Faults = { loss: 0.05, duplicate: 0.05, reorder: 0.05, maxDelayMs: 10 };

const channels: Channel[] = [];
afterEach(async () => {
  await Promise.all(channels.splice(0).map((channel) => channel.close()));
});

/** A Counter client over udp to `url`, which is the proxy's or the server's own. */
async function counterAt(url: string): Promise<CounterClient> {
  const channel = await connect(udp({ port: Number(new URL(url).port) }));
  channels.push(channel);
  return new CounterClient(channel);
}

/** Runs `calls` calls of `call`, `concurrency` at a time; resolves with how many succeeded and the codes of the rest. */
async function callMany(calls: number, concurrency: number, call: () => Promise<unknown>): Promise<{ succeeded: number; failed: Code[] }> {
  let started = 0;
  let succeeded = 0;
  const failed: Code[] = [];
  const worker = async () => {
    while (started < calls) {
      started++;
      try {
        await call();
        succeeded++;
      } catch (error) {
        failed.push((error as { code: Code }).code);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { succeeded, failed };
}

describe('udp through a lossy network', () => {
  let server: ServerProcess;
  let proxy: LossyProxy;
  beforeAll(async () => {
    server = await startServerProcess('../udp/udp-server.ts');
    proxy = await startLossyProxy({ target: new URL(server.url), faults: HARSH, seed: 20_240_601 });
  });
  afterAll(async () => {
    await proxy.close();
    await server.stop();
  });

  it('runs each of 10 000 non-idempotent calls exactly once at 20 % loss with duplication and reordering', { timeout: 60_000 }, async () => {
    proxy.setFaults(HARSH);
    const counter = await counterAt(proxy.url);
    const before = proxy.counts.dropped;
    const { succeeded, failed } = await callMany(10_000, 64, () => counter.increment(1));
    expect(failed).toEqual([]);
    expect(succeeded).toBe(10_000);
    expect(proxy.counts.dropped - before).toBeGreaterThan(1000);
    expect(await (await counterAt(server.url)).total()).toBe(10_000);
  });

  it('echoes a 1 MiB argument intact at 5 % loss', { timeout: 30_000 }, async () => {
    proxy.setFaults(MILD);
    const counter = await counterAt(proxy.url);
    const data = Uint8Array.from({ length: 1024 * 1024 }, (_, i) => (i * 7 + (i >> 11)) & 0xff);
    const echoed = await counter.echo(data);
    expect(echoed.length).toBe(data.length);
    expect(Buffer.from(echoed).equals(data)).toBe(true);
  });
});

describe('udp with a reply cache too small for the calls in flight, at 20 % loss', () => {
  const servers: ServerProcess[] = [];
  const proxies: LossyProxy[] = [];
  afterAll(async () => {
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await Promise.all(servers.map((server) => server.stop()));
  });

  async function lossyServer(args: string[]): Promise<{ direct: string; lossy: string }> {
    const server = await startServerProcess('../udp/udp-server.ts', ['--reply-cache-entries', '8', ...args]);
    servers.push(server);
    const proxy = await startLossyProxy({ target: new URL(server.url), faults: { loss: 0.2, duplicate: 0, reorder: 0, maxDelayMs: 1 }, seed: 7 });
    proxies.push(proxy);
    return { direct: server.url, lossy: proxy.url };
  }

  it('still runs a call at most once: a caller whose reply was evicted and lost ends at its deadline', { timeout: 30_000 }, async () => {
    const { direct, lossy } = await lossyServer([]);
    const counter = await counterAt(lossy);
    const { succeeded, failed } = await callMany(500, 64, () => counter.increment(1, { timeout: 1000 }));
    const total = await (await counterAt(direct)).total();
    expect(failed.length).toBeGreaterThan(0);
    expect(new Set(failed)).toEqual(new Set([Code.DeadlineExceeded]));
    expect(total).toBeGreaterThanOrEqual(succeeded);
    expect(total).toBeLessThanOrEqual(500);
  });

  it.each([
    { declared: 'by the udp option', args: ['--idempotent', 'Counter.increment'], method: 'increment' },
    { declared: 'with @idempotent in the service', args: [], method: 'retryableIncrement' },
  ] as const)('asks the caller of an evicted idempotent reply to call again, so every call succeeds (declared $declared)', { timeout: 30_000 }, async ({ args, method }) => {
    const { direct, lossy } = await lossyServer([...args]);
    const counter = await counterAt(lossy);
    const { succeeded, failed } = await callMany(500, 64, () => counter[method](1, { timeout: 5000 }));
    expect(failed).toEqual([]);
    expect(succeeded).toBe(500);
    // Declared idempotent, the method ran again for the callers asked to call again.
    expect(await (await counterAt(direct)).total()).toBeGreaterThan(500);
  });
});
