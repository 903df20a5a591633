import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Code, connect, RpcError, Server, type Channel, type ConnectionHandlers, type ConnectOptions } from '@conduit/runtime';
import { closeDatagram, CloseReason, DatagramKind, openDatagram, readDatagram, writeDataHeader, DATA_HEADER_BYTES } from '../../packages/transports/src/udp/udp-datagram.js';
import { udp, type UdpOptions } from '@conduit/transports';
import { ProbeClient, ProbeService } from '../fixtures/generated/probe.rpc.js';
import { rejection } from '../support/rejection.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { counterHandlers } from './counter-handlers.js';
import { CounterClient, CounterService } from './generated/counter.rpc.js';

/**
 * What is particular to UDP, with the server in another process (test/udp/udp-server.ts) unless a
 * test needs to look inside it: limits on both ends, streams refused, garbage and forged datagrams,
 * idle clients, a killed, frozen or restarted server, draining on SIGTERM. Loss, duplication and
 * reordering are udp-lossy.test.ts's; the behaviour every transport shares is test/conformance's.
 */

const channels: Channel[] = [];
afterEach(async () => {
  await Promise.all(channels.splice(0).map((channel) => channel.close()));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A udp transport towards `url` (`udp://host:port`). */
function udpTo(url: string, options: UdpOptions = {}) {
  const { hostname, port } = new URL(url);
  return udp({ host: hostname, port: Number(port), ...options });
}

async function open(url: string, transport: UdpOptions = {}, options?: ConnectOptions) {
  const channel = await connect(udpTo(url, transport), options);
  channels.push(channel);
  return { channel, probe: new ProbeClient(channel), counter: new CounterClient(channel) };
}

/** A socket of the test's own on loopback, for sending datagrams by hand. */
async function rawSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return socket;
}

describe('a UDP server in another process', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess('../udp/udp-server.ts', ['--max-message-size', String(64 * 1024)]);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('reports the real port it bound when asked for port 0', () => {
    expect(server.url).toMatch(/^udp:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(server.url).port)).toBeGreaterThan(0);
  });

  it('answers calls, and delivers one-way calls in order before a later call', async () => {
    const { probe, counter } = await open(server.url);
    expect(await probe.add(2, 3)).toBe(5);
    expect(await counter.increment(5)).toBeGreaterThanOrEqual(5);
    probe.note('one');
    probe.note('two');
    expect((await probe.notes()).slice(-2)).toEqual(['one', 'two']);
  });

  it("gives the caller a handler's RpcError with its code, message and details, and names an unknown method", async () => {
    const { channel, counter } = await open(server.url);
    const failed = await rejection(counter.fail(Code.NotFound, 'no such item'));
    expect([failed.code, failed.message, failed.details]).toEqual([Code.NotFound, 'no such item', { code: Code.NotFound }]);
    const missing = { ...ProbeService.methods.add, path: 'Probe.missing', validate: undefined };
    const unknown = await rejection(channel.unary(missing, [1, 2]));
    expect(unknown.code).toBe(Code.Unimplemented);
    expect(unknown.message).toMatch(/^Probe\.missing: no such method on this server \(udp:\/\/127\.0\.0\.1:\d+\)/);
  });

  it('ends a call at its deadline with DeadlineExceeded, and the server sees its signal abort', async () => {
    const { channel, probe } = await open(server.url);
    const started = performance.now();
    const error = await rejection(probe.hang('udp-deadline', { timeout: 100 }));
    const elapsed = performance.now() - started;
    expect(error.code).toBe(Code.DeadlineExceeded);
    expect(error.message).toBe(`Probe.hang: deadline exceeded after 100 ms (${channel.target})`);
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(1000);
    await expect.poll(() => probe.aborted()).toContainEqual(expect.stringMatching(/^udp-deadline:(1|4)$/));
  });

  it('cancels a call at once when its signal aborts, and the server sees it', async () => {
    const { probe } = await open(server.url);
    const controller = new AbortController();
    const failure = rejection(probe.hang('udp-cancel', { signal: controller.signal }));
    await sleep(20);
    controller.abort();
    expect((await failure).code).toBe(Code.Cancelled);
    await expect.poll(() => probe.aborted()).toContain(`udp-cancel:${Code.Cancelled}`);
  });

  it('answers a streaming method with Unimplemented naming the udp transport, and keeps serving', async () => {
    const { probe } = await open(server.url);
    const error = await rejection(
      (async () => {
        for await (const chunk of probe.chunks(3, 4)) expect(chunk).toBe('never');
      })(),
    );
    expect(error.code).toBe(Code.Unimplemented);
    expect(error.message).toMatch(/^Probe\.chunks: the udp transport cannot carry streams \(udp:/);
    expect(await probe.add(1, 1)).toBe(2);
  });

  it('refuses a request over the client limit with ResourceExhausted before sending it', async () => {
    const { probe } = await open(server.url);
    const error = await rejection(probe.echo('x'.repeat(5 * 1024 * 1024)));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.message).toMatch(/^Probe\.echo: message of \d+ bytes exceeds the 4194304-byte limit \(udp:/);
    expect(await probe.add(2, 2)).toBe(4);
  });

  it("refuses a request over the server's limit from its first fragment, and serves the next call", async () => {
    const { probe } = await open(server.url);
    const error = await rejection(probe.echo('y'.repeat(100 * 1024)));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.message).toMatch(/^Probe\.echo: request of \d+ bytes exceeds the server's message size limit \(udp:/);
    expect(await probe.echo('small')).toBe('small');
  });

  it('carries messages of many fragments both ways, with any datagram size', async () => {
    const data = Uint8Array.from({ length: 60 * 1024 }, (_, i) => (i * 31) & 0xff);
    for (const maxDatagramSize of [256, 1400, 65_000]) {
      const { counter } = await open(server.url, { maxDatagramSize });
      expect(Buffer.from(await counter.echo(data)).equals(data)).toBe(true);
    }
  });
});

describe('a UDP server in this process', () => {
  it('counts and drops garbage, truncated, unknown and forged datagrams, and keeps serving', async () => {
    const drops: string[] = [];
    const transport = udp({ onDrop: (reason) => drops.push(reason) });
    const server = new Server().add(CounterService, counterHandlers());
    const listening = await server.listen(transport);
    const { port } = new URL(listening.url);
    try {
      const { counter } = await open(listening.url);
      expect(await counter.increment(1)).toBe(1);

      const junk = await rawSocket();
      const replies: Buffer[] = [];
      junk.on('message', (bytes: Buffer) => replies.push(bytes));
      const send = (bytes: Buffer) => junk.send(bytes, Number(port), '127.0.0.1');
      const identity = Buffer.from('ffeeddccbbaa998800000001', 'hex');
      const data = Buffer.alloc(DATA_HEADER_BYTES + 3);
      writeDataHeader(data, 0, identity, 1, 0, 3, 0, 1);
      send(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
      send(Buffer.from([0xc1]));
      send(Buffer.from([0xc7, 1, ...identity]));
      send(Buffer.from([0xc1, 0x55, ...identity]));
      send(data.subarray(0, DATA_HEADER_BYTES - 2));
      send(data);
      // Noise of every length up to a header and a half, none starting like a Conduit datagram.
      for (let i = 0; i < 200; i++) send(Buffer.from(Array.from({ length: 1 + (i % 21) }, (_, j) => (i * 37 + j * 101) % (j === 0 ? 0xc0 : 0x100))));

      // A client that opened a connection, and someone else who sends on it from another port.
      const owner = await rawSocket();
      owner.send(openDatagram(identity), Number(port), '127.0.0.1');
      await once(owner, 'message');
      send(data);

      await expect.poll(() => drops.length).toBe(207);
      expect(transport.stats.dropped).toMatchObject({ foreign: 201, truncated: 2, version: 1, 'unknown-kind': 1, 'unknown-connection': 1, 'wrong-address': 1 });
      // The datagram for a connection the server does not know was answered, so such a client fails fast.
      expect(replies.map((bytes) => readDatagram(bytes))).toContainEqual({ kind: DatagramKind.Close, reason: CloseReason.UnknownConnection });
      expect(await counter.increment(1)).toBe(2);
      junk.close();
      owner.close();
    } finally {
      await server.close();
    }
  });

  it('acknowledges quick replies and the calls after them on their DATA, with hardly any ACK datagrams', async () => {
    const serverTransport = udp();
    const server = new Server().add(CounterService, counterHandlers());
    const listening = await server.listen(serverTransport);
    try {
      const clientTransport = udpTo(listening.url);
      const channel = await connect(clientTransport);
      channels.push(channel);
      const counter = new CounterClient(channel);
      expect(await counter.increment(1)).toBe(1);
      // Let the handshake's and the first call's acks settle before counting.
      await sleep(20);
      const counted = () => {
        const { stats: client } = clientTransport;
        const { stats: server } = serverTransport;
        return { clientAcks: client.acksSent, clientDatagrams: client.datagramsSent - client.retransmissions, serverAcks: server.acksSent, serverDatagrams: server.datagramsSent - server.retransmissions };
      };
      const before = counted();
      const calls = 100;
      for (let i = 0; i < calls; i++) await counter.increment(1);
      await sleep(20);
      const after = counted();
      // The server's reply carries its call's ack; each call carries the previous reply's. Only the
      // last reply, with no call after it, needs an ACK of its own, after the delay. On a loaded
      // machine the 1 ms delay may run out before a reply or the next call leaves, adding an ACK
      // here and there: only bounds are asserted where timing decides.
      const acks = { server: after.serverAcks - before.serverAcks, client: after.clientAcks - before.clientAcks };
      expect(acks.server).toBeLessThanOrEqual(5);
      expect(acks.client).toBeGreaterThanOrEqual(1);
      expect(acks.client).toBeLessThanOrEqual(5);
      // One DATA each way per call, whatever the timing.
      const data = { server: after.serverDatagrams - before.serverDatagrams - acks.server, client: after.clientDatagrams - before.clientDatagrams - acks.client };
      expect(data).toEqual({ server: calls, client: calls });
    } finally {
      await server.close();
    }
  });

  it('forgets a client that went silent for the idle timeout, while a live one is kept by its keepalives', async () => {
    const transport = udp({ idleTimeout: 400 });
    const closes: (RpcError | undefined)[] = [];
    const listener = await transport.listen((): ConnectionHandlers => ({
      onMessage: () => {},
      onOversized: () => {},
      onClose: (reason) => closes.push(reason),
    }));
    const { port } = new URL(listener.url);
    const silent = await rawSocket();
    try {
      silent.send(openDatagram(Buffer.alloc(12, 1)), Number(port), '127.0.0.1');
      const [opened] = (await once(silent, 'message')) as [Buffer];
      expect(readDatagram(opened)).toEqual({ kind: DatagramKind.Opened, idleTimeout: 400 });
      const live = await udpTo(listener.url).connect({ onMessage: () => {}, onOversized: () => {}, onClose: () => {} });
      await expect.poll(() => closes.length, { timeout: 3000 }).toBe(1);
      expect(closes[0]?.message).toMatch(/^udp:\/\/127\.0\.0\.1:\d+ sent nothing for 400 ms$/);
      await sleep(1000);
      expect(closes).toHaveLength(1);
      live.close();
      await expect.poll(() => closes.length).toBe(2);
    } finally {
      silent.close();
      await listener.close();
    }
  });

  it('tells the other end when one end closes its connection', async () => {
    const transport = udp();
    const serverSide: { close: () => void }[] = [];
    const serverCloses: (RpcError | undefined)[] = [];
    const listener = await transport.listen((connection) => {
      serverSide.push(connection);
      return { onMessage: () => {}, onOversized: () => {}, onClose: (reason) => serverCloses.push(reason) };
    });
    try {
      const clientCloses: (RpcError | undefined)[] = [];
      const handlers: ConnectionHandlers = { onMessage: () => {}, onOversized: () => {}, onClose: (reason) => clientCloses.push(reason) };
      const first = await udpTo(listener.url).connect(handlers);
      first.close();
      await expect.poll(() => serverCloses.length).toBe(1);
      await udpTo(listener.url).connect(handlers);
      await expect.poll(() => serverSide.length).toBe(2);
      serverSide[1]?.close();
      await expect.poll(() => clientCloses.length).toBe(2);
      expect(clientCloses[1]?.code).toBe(Code.Unavailable);
      expect(clientCloses[1]?.message).toMatch(/^udp:\/\/127\.0\.0\.1:\d+ closed the connection$/);
    } finally {
      await listener.close();
    }
  });

  it('never answers a CLOSE for a connection it does not know, so two ends cannot bounce CLOSEs', async () => {
    const transport = udp();
    const listener = await transport.listen(() => ({ onMessage: () => {}, onOversized: () => {}, onClose: () => {} }));
    const socket = await rawSocket();
    try {
      const replies: Buffer[] = [];
      socket.on('message', (bytes: Buffer) => replies.push(bytes));
      socket.send(closeDatagram(Buffer.alloc(12, 9), CloseReason.Closed), Number(new URL(listener.url).port), '127.0.0.1');
      await expect.poll(() => transport.stats.dropped['unknown-connection']).toBe(1);
      await sleep(50);
      expect(replies).toEqual([]);
    } finally {
      socket.close();
      await listener.close();
    }
  });

  it('refuses a new connection once its listener is closed, with Unavailable', async () => {
    const server = new Server().add(CounterService, counterHandlers());
    const listening = await server.listen(udp());
    const { counter } = await open(listening.url);
    await listening.close();
    // The open connection keeps the socket, and a new one is refused on it.
    expect(await counter.increment(1)).toBe(1);
    const error = await rejection(connect(udpTo(listening.url)));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.message).toMatch(/is not accepting connections$/);
    await server.close();
  });
});

describe('peer death, restart and shutdown', () => {
  it('fails a call in flight with Unavailable at once when the server is killed (ICMP port unreachable)', async () => {
    const server = await startServerProcess('../udp/udp-server.ts');
    try {
      const { probe } = await open(server.url);
      expect(await probe.add(1, 1)).toBe(2);
      const call = rejection(probe.hang('killed'));
      await sleep(50);
      const killedAt = performance.now();
      await server.stop('SIGKILL');
      const error = await call;
      expect(performance.now() - killedAt).toBeLessThan(1000);
      expect(error.code).toBe(Code.Unavailable);
      expect(error.message).toMatch(/^Probe\.hang: connection lost: sending to udp:\/\/127\.0\.0\.1:\d+: connection refused \(ECONNREFUSED\)/);
    } finally {
      await server.stop();
    }
  });

  it('fails connect to a port where nobody listens fast, with Unavailable naming the address', async () => {
    const socket = await rawSocket();
    const { port } = socket.address();
    socket.close();
    const started = performance.now();
    const error = await rejection(connect(udp({ port })));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.code).toBe(Code.Unavailable);
    expect(error.message).toBe(`could not connect to udp://127.0.0.1:${port}: connection refused (ECONNREFUSED)`);
  });

  it('ends calls at their deadline when the server stops answering without a word (SIGSTOP), and the rest after the retry window', async () => {
    const server = await startServerProcess('../udp/udp-server.ts');
    try {
      const { probe } = await open(server.url, { retryWindow: 600 }, { keepalive: false });
      expect(await probe.add(1, 1)).toBe(2);
      server.child.kill('SIGSTOP');
      const started = performance.now();
      const timed = await rejection(probe.add(1, 2, { timeout: 300 }));
      expect(timed.code).toBe(Code.DeadlineExceeded);
      expect(timed.message).toMatch(/^Probe\.add: deadline exceeded after 300 ms/);
      const untimed = await rejection(probe.add(1, 3));
      expect(untimed.code).toBe(Code.Unavailable);
      expect(untimed.message).toMatch(/^Probe\.add: connection lost: udp:\/\/127\.0\.0\.1:\d+ stopped answering: nothing was acknowledged for 600 ms/);
      // The retry window counts from the last acknowledgement, before the first call; backoff adds up to one 500 ms wait.
      expect(performance.now() - started).toBeLessThan(4000);
    } finally {
      server.child.kill('SIGCONT');
      await server.stop();
    }
  });

  it('fails a call on a connection the restarted server does not know, then serves new calls on the same channel', async () => {
    const first = await startServerProcess('../udp/udp-server.ts');
    const port = new URL(first.url).port;
    let second: ServerProcess | undefined;
    try {
      const { channel, counter } = await open(first.url);
      expect(await counter.increment(1)).toBe(1);
      // Let the server's acknowledgements arrive: a client with nothing left to retransmit sends
      // nothing until the next call, so it learns of the restart only then.
      await sleep(200);
      await first.stop('SIGKILL');
      second = await startServerProcess('../udp/udp-server.ts', ['--port', port]);
      const error = await rejection(counter.increment(1));
      expect(error.code).toBe(Code.Unavailable);
      expect(error.message).toMatch(/does not know this connection \(the server restarted, or forgot this client after it went silent\)/);
      expect(await counter.increment(1, { waitForReady: true, timeout: 5_000 })).toBe(1);
      expect(channel.state).toBe('ready');
    } finally {
      await first.stop();
      await second?.stop();
    }
  });

  it('drains on SIGTERM: the call in flight finishes, new calls get Unavailable, the process exits 0', async () => {
    const server = await startServerProcess('../udp/udp-server.ts', ['--grace', '2000']);
    try {
      const { probe } = await open(server.url);
      const inFlight = probe.sleep(300);
      await sleep(50);
      server.child.kill('SIGTERM');
      await sleep(50);
      expect((await rejection(probe.add(1, 1))).code).toBe(Code.Unavailable);
      expect(await inFlight).toBe('slept 300');
      expect(await server.exited).toBe(0);
      expect(server.output).toContain('closed');
    } finally {
      await server.stop();
    }
  });
});
