import { connect as netConnect, createServer } from 'node:net';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Code, connect, type Channel } from '@conduit/runtime';
import { tcp } from '@conduit/transports';
import { ProbeClient } from '../fixtures/generated/probe.rpc.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { rejection } from '../support/rejection.js';

/**
 * What is particular to TCP, with the server in another process: the port it reports, size
 * limits on both ends, garbage on the port, a frozen or killed server, a restart on the same
 * port, draining on SIGTERM. The behaviour every transport shares is test/conformance's.
 */

const channels: Channel[] = [];
afterEach(async () => {
  await Promise.all(channels.splice(0).map((channel) => channel.close()));
});

async function client(url: string, options?: Parameters<typeof connect>[1]): Promise<ProbeClient> {
  const channel = await connect(url, options);
  channels.push(channel);
  return new ProbeClient(channel);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a TCP server in another process', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess('probe-server.ts', ['--max-message-size', String(64 * 1024)]);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('reports the real port it bound when asked for port 0', () => {
    const port = Number(new URL(server.url).port);
    expect(server.url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(port).toBeGreaterThan(0);
  });

  it('rejects a request over the client limit with ResourceExhausted, and the connection serves the next call', async () => {
    const calc = await client(server.url);
    const error = await rejection(calc.echo('x'.repeat(5 * 1024 * 1024)));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.message).toMatch(/^Probe\.echo: message of \d+ bytes exceeds the 4194304-byte limit \(tcp:/);
    expect(await calc.add(2, 2)).toBe(4);
  });

  it("refuses a request over the server's limit without buffering it, and the connection serves the next call", async () => {
    const calc = await client(server.url);
    const error = await rejection(calc.echo('y'.repeat(100 * 1024)));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.message).toMatch(/^Probe\.echo: request of \d+ bytes exceeds the server's message size limit \(tcp:/);
    expect(await calc.echo('small')).toBe('small');
  });

  it("fails a reply over the client's own limit with ResourceExhausted, and carries on", async () => {
    const { hostname, port } = new URL(server.url);
    const channel = await connect(tcp({ host: hostname, port: Number(port), maxMessageSize: 1024 }));
    channels.push(channel);
    const strict = new ProbeClient(channel);
    // The request (about 640 bytes) fits; the reply repeats the value twice (payload and x-echo) and does not.
    const error = await rejection(strict.metadata({ metadata: { 'x-request': 'r'.repeat(600) } }));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.message).toMatch(/^Probe\.metadata: the reply of \d+ bytes exceeds the message size limit/);
    expect(await strict.add(1, 1)).toBe(2);
  });

  it('closes a connection that sends garbage and keeps serving the others', async () => {
    const calc = await client(server.url);
    const { hostname, port } = new URL(server.url);
    const garbage = netConnect({ host: hostname, port: Number(port) });
    await once(garbage, 'connect');
    garbage.write(Buffer.from('\x00\x00\x00\x10GET / HTTP/1.1\r\n\r\n'));
    garbage.resume();
    await once(garbage, 'close');
    expect(await calc.add(40, 2)).toBe(42);
    expect(server.output.join('')).toMatch(/does not speak the Conduit protocol/);
  });
});

describe('peer death and shutdown', () => {
  it('fails calls within the keepalive bound when the server stops answering without closing (SIGSTOP)', async () => {
    const server = await startServerProcess('probe-server.ts');
    try {
      const channel = await connect(server.url, { keepalive: { interval: 100, timeout: 200 } });
      channels.push(channel);
      const calc = new ProbeClient(channel);
      expect(await calc.add(1, 1)).toBe(2);
      const call = calc.hang('frozen');
      await sleep(20);
      const frozenAt = performance.now();
      server.child.kill('SIGSTOP');
      const error = await rejection(call);
      expect(performance.now() - frozenAt).toBeLessThan(1000);
      expect(error.code).toBe(Code.Unavailable);
      expect(error.message).toMatch(/did not answer a keepalive ping within 200 ms/);
    } finally {
      server.child.kill('SIGCONT');
      await server.stop();
    }
  });

  it('fails open calls and streams when the server is killed, then serves new calls on the same channel after a restart on the same port', async () => {
    const first = await startServerProcess('probe-server.ts');
    const port = new URL(first.url).port;
    let second: ServerProcess | undefined;
    try {
      const channel = await connect(first.url);
      channels.push(channel);
      const calc = new ProbeClient(channel);
      const stream = (async () => {
        for await (const chunk of calc.chunks(1_000_000, 16)) if (chunk.length !== 16) throw new Error('bad chunk');
      })();
      const pending = Promise.all([calc.hang('a'), calc.hang('b'), calc.sleep(5_000), stream].map((call) => rejection(call)));
      await sleep(20);
      await first.stop('SIGKILL');
      expect((await pending).map((error) => error.code)).toEqual([Code.Unavailable, Code.Unavailable, Code.Unavailable, Code.Unavailable]);
      second = await startServerProcess('probe-server.ts', ['--port', port]);
      expect(await calc.add(20, 22, { waitForReady: true, timeout: 5_000 })).toBe(42);
      expect(channel.state).toBe('ready');
    } finally {
      await first.stop();
      await second?.stop();
    }
  });

  it('drains on SIGTERM: the call in flight finishes, new calls get Unavailable, the process exits 0', async () => {
    const server = await startServerProcess('probe-server.ts', ['--grace', '2000']);
    try {
      const calc = await client(server.url);
      const inFlight = calc.sleep(300);
      await sleep(50);
      server.child.kill('SIGTERM');
      await sleep(50);
      const refused = await rejection(calc.add(1, 1));
      expect(refused.code).toBe(Code.Unavailable);
      expect(await inFlight).toBe('slept 300');
      expect(await server.exited).toBe(0);
      expect(server.output).toContain('closed');
    } finally {
      await server.stop();
    }
  });

  it('fails connect to a port where nobody listens fast, with Unavailable naming the address', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as { port: number }).port;
    probe.close();
    const started = performance.now();
    const error = await rejection(connect(`tcp://127.0.0.1:${port}`));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.code).toBe(Code.Unavailable);
    expect(error.message).toBe(`could not connect to tcp://127.0.0.1:${port}: connection refused (ECONNREFUSED)`);
  });

  it('names an unknown URL scheme', async () => {
    const error = await rejection(connect('carrier-pigeon://coop:1'));
    expect(error.message).toMatch(/unknown transport scheme 'carrier-pigeon' in 'carrier-pigeon:\/\/coop:1'; known schemes: .*tcp/);
  });
});
