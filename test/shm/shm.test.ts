import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Code, connect, RpcError, Server, type Channel, type Connection } from '@conduit/runtime';
import { shm } from '@conduit/transports';
import { CheckedMessages } from '../fixtures/checked-messages.js';
import { ProbeClient, ProbeService } from '../fixtures/generated/probe.rpc.js';
import { probeHandlers } from '../fixtures/probe-handlers.js';
import { exerciseProbe } from '../support/probe-calls.js';
import { rejection } from '../support/rejection.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * What is particular to shared memory, with the other side in another process: many messages of
 * every size through small rings, a peer killed with SIGKILL on either side, an idle connection's
 * CPU, nothing left in /dev/shm, and a machine without koffi. The behaviour every transport
 * shares is test/conformance's.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const freshName = () => `test-${randomBytes(6).toString('hex')}`;

/** Processes whose segments (`/dev/shm/conduit-<pid>-…`) must all be gone at the end. */
const pids = new Set<number>([process.pid]);
/** Peer processes this file started, stopped before /dev/shm is checked. */
const peers: ServerProcess[] = [];
const channels: Channel[] = [];

afterEach(async () => {
  await Promise.all(channels.splice(0).map((channel) => channel.close()));
});

afterAll(async () => {
  await Promise.all(peers.map((peer) => peer.stop()));
  expect(ourSegments()).toEqual([]);
});

function ourSegments(): string[] {
  return readdirSync('/dev/shm').filter((name) => [...pids].some((pid) => name.startsWith(`conduit-${pid}-`)));
}

async function probe(target: string): Promise<ProbeClient> {
  const channel = await connect(target);
  channels.push(channel);
  return new ProbeClient(channel);
}

async function startShmServer(name: string, args: string[] = []): Promise<ServerProcess> {
  const server = await startServerProcess('shm-server.ts', ['--name', name, ...args]);
  if (server.child.pid !== undefined) pids.add(server.child.pid);
  return server;
}

/** fixtures/shm-peer.ts with `args`, its segments counted as ours; `url` is its first stdout line. */
async function startPeer(args: string[]): Promise<ServerProcess> {
  const peer = await startServerProcess('shm-peer.ts', args);
  if (peer.child.pid !== undefined) pids.add(peer.child.pid);
  peers.push(peer);
  return peer;
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "pid (comm) ".
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describe('an shm server in another process', () => {
  let server: ServerProcess;
  const name = freshName();
  afterAll(async () => {
    await server?.stop();
  });

  it('serves unary, one-way and server-stream calls, metadata, large messages, deadlines and cancellation', async () => {
    // A 64 KiB ring: the 1 MiB messages are split into records and reassembled, the writer waiting for space.
    server = await startShmServer(name, ['--ring-size', String(64 * 1024)]);
    expect(server.url).toBe(`shm://${name}`);
    expect(await exerciseProbe(await probe(server.url))).toBe(`shm://${name} (client pid ${process.pid})`);
  });

  it('unlinks each segment as soon as both sides have mapped it', async () => {
    const calc = await probe(server.url);
    expect(await calc.add(2, 2)).toBe(4);
    expect(ourSegments()).toEqual([]);
  });

  it('answers 20 clients at once', async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, () => probe(server.url)));
    const slept = await Promise.all(clients.map((calc) => calc.sleep(300)));
    expect(slept).toEqual(Array(20).fill('slept 300'));
    expect(await Promise.all(clients.map((calc, n) => calc.echo(`c${n}`)))).toEqual(clients.map((_, n) => `c${n}`));
  });

  it('refuses a second server of the same name with AlreadyExists', async () => {
    const error = await rejection(new Server().add(ProbeService, probeHandlers()).listen(shm({ name })));
    expect(error.code).toBe(Code.AlreadyExists);
    expect(error.message).toContain(`listening on shm://${name}: another server already serves that name`);
  });

  it('costs next to no CPU on either side while a connection is idle', async () => {
    const calc = await probe(server.url);
    expect(await calc.add(1, 1)).toBe(2);
    await sleep(50); // past the spin budget: both sides sleep on their doorbells
    const pid = server.child.pid!;
    const before = { server: cpuSeconds(pid), client: cpuSeconds(process.pid) };
    await sleep(5_000);
    const used = { server: cpuSeconds(pid) - before.server, client: cpuSeconds(process.pid) - before.client };
    // Polling would burn a whole core, 5 s here; asleep, a process uses a few ticks at most.
    expect(used.server).toBeLessThan(0.1);
    expect(used.client).toBeLessThan(0.1);
    console.log(`shm idle 5 s: server ${used.server.toFixed(2)} s CPU, client ${used.client.toFixed(2)} s CPU`);
    expect(await calc.add(2, 3)).toBe(5);
  }, 15_000);
});

describe('shm errors', () => {
  it('fails with Unavailable when no server has that name', async () => {
    const error = await rejection(connect(`shm://${freshName()}`, { reconnect: false }));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.message).toMatch(/no server is listening on that name/);
  });

  it('refuses names that cannot be socket names', () => {
    for (const bad of ['', 'a/b', '-x', 'x'.repeat(101), 'sp ace']) {
      expect(() => shm({ name: bad })).toThrow(expect.objectContaining({ code: Code.InvalidArgument }) as unknown as Error);
    }
    expect(() => shm({ name: 'ok', ringSize: 5000 })).toThrow(/power of two/);
  });

  it('says koffi is missing when it cannot be loaded, and tcp still works', async () => {
    // Its one line is a JSON report where a server's would be its URL.
    const child = await startServerProcess('shm-without-koffi.ts');
    const result = JSON.parse(child.url) as { shm: { code: Code; message: string }; tcp: number };
    expect(result.shm.code).toBe(Code.FailedPrecondition);
    expect(result.shm.message).toMatch(/shm transport needs the koffi package: Cannot find module 'koffi'/);
    expect(result.tcp).toBe(5);
  });
});

describe('bare shm connections between two processes', () => {
  /** `onClose` for a connection, and a promise of its reason and when it came. */
  function closeWatch() {
    let onClose: (reason: RpcError | undefined) => void = () => {};
    const whenClosed = new Promise<{ reason: RpcError | undefined; at: number }>((resolve) => {
      onClose = (reason) => resolve({ reason, at: performance.now() });
    });
    return { onClose: (reason: RpcError | undefined) => onClose(reason), whenClosed };
  }

  /**
   * Once more than 1000 echoes went through, kills `peer` with SIGKILL and checks that this side's
   * connection ends with Unavailable within 1 s.
   */
  async function killMidTraffic(
    peer: ServerProcess,
    echoes: () => number,
    whenClosed: Promise<{ reason: RpcError | undefined; at: number }>,
  ): Promise<void> {
    await expect.poll(echoes, { timeout: 5_000 }).toBeGreaterThan(1_000);
    const killedAt = performance.now();
    peer.child.kill('SIGKILL');
    const { reason, at } = await whenClosed;
    expect(reason?.code).toBe(Code.Unavailable);
    expect(at - killedAt).toBeLessThan(1_000);
    await peer.exited;
  }

  /** Connects to a `shm-peer.ts --listen` echo; echoes come back to `onEcho`. */
  async function connectToEcho(name: string, onEcho: (message: Uint8Array) => void) {
    const { onClose, whenClosed } = closeWatch();
    const connection: Connection = await shm({ name }).connect({ onMessage: onEcho, onOversized: () => {}, onClose });
    return { connection, whenClosed };
  }

  it('carries 1 000 000 messages of 1 byte to 3× the ring, none lost, reordered or corrupted', async () => {
    const RING = 16 * 1024;
    const TOTAL = 1_000_000;
    const name = freshName();
    const peer = await startPeer(['--listen', name, '--ring-size', String(RING)]);
    expect(peer.url).toBe(`shm://${name}`);
    const messages = new CheckedMessages({ seed: 7, maxSize: 3 * RING, largeShare: 0.01 });
    let sent = 0;
    let done: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    let failure: unknown;
    const { connection, whenClosed } = await connectToEcho(name, (message) => {
      try {
        messages.check(message);
      } catch (error) {
        failure ??= error;
        done();
        return;
      }
      if (sent < TOTAL) {
        connection.send(messages.next());
        sent++;
      }
      if (messages.checked === TOTAL) done();
    });
    // A window of messages in flight: every echo sends the next one.
    for (; sent < 256; sent++) connection.send(messages.next());
    await finished;
    expect(failure).toBeUndefined();
    expect(messages.checked).toBe(TOTAL);
    connection.close();
    await whenClosed;
    peer.child.kill('SIGKILL');
    await peer.exited;
  }, 120_000);

  it('refuses to queue without bound for a peer that stopped reading, and loses nothing it accepted', async () => {
    const name = freshName();
    const peer = await startPeer(['--listen', name, '--ring-size', String(16 * 1024)]);
    expect(peer.url).toBe(`shm://${name}`);
    const messages = new CheckedMessages({ seed: 5, maxSize: 16 * 1024, largeShare: 1 });
    const { onClose, whenClosed } = closeWatch();
    const connection = await shm({ name, maxMessageSize: 64 * 1024 }).connect({ onMessage: (echo) => messages.check(echo), onOversized: () => {}, onClose });
    connection.send(messages.next());
    await expect.poll(() => messages.checked).toBe(1);
    peer.child.kill('SIGSTOP');
    let accepted = 1;
    let refusal: RpcError | undefined;
    while (refusal === undefined) {
      try {
        connection.send(messages.next());
        accepted++;
      } catch (error) {
        refusal = error as RpcError;
      }
    }
    expect(refusal.code).toBe(Code.ResourceExhausted);
    expect(refusal.message).toMatch(new RegExp(`^shm://${name} is not reading: its ring is full and \\d+ bytes already wait for space \\(limit 524288\\)$`));
    peer.child.kill('SIGCONT');
    // Everything accepted before the refusal arrives, checked and in order.
    await expect.poll(() => messages.checked, { timeout: 10_000 }).toBe(accepted);
    connection.close();
    await whenClosed;
    peer.child.kill('SIGKILL');
    await peer.exited;
  });

  it('tells the client within 1 s when the server is killed mid-traffic, and leaves nothing in /dev/shm', async () => {
    const name = freshName();
    const peer = await startPeer(['--listen', name, '--ring-size', String(64 * 1024)]);
    expect(peer.url).toBe(`shm://${name}`);
    const messages = new CheckedMessages({ seed: 11, maxSize: 200_000, largeShare: 0.05 });
    let echoes = 0;
    const { connection, whenClosed } = await connectToEcho(name, (message) => {
      messages.check(message);
      echoes++;
      connection.send(messages.next());
    });
    for (let i = 0; i < 64; i++) connection.send(messages.next());
    await killMidTraffic(peer, () => echoes, whenClosed);
    expect(() => connection.send(new Uint8Array(1))).toThrow(/closed/);
    expect(ourSegments()).toEqual([]);
  });

  it('tells the server within 1 s when the client is killed mid-traffic, and leaves nothing in /dev/shm', async () => {
    const name = freshName();
    let echoes = 0;
    const { onClose, whenClosed } = closeWatch();
    const listener = await shm({ name }).listen((connection) => ({
      onMessage: (message) => {
        echoes++;
        connection.send(message);
      },
      onOversized: () => {},
      onClose,
    }));
    const peer = await startPeer(['--connect', name]);
    expect(peer.url).toBe('connected');
    await killMidTraffic(peer, () => echoes, whenClosed);
    await listener.close();
    expect(ourSegments()).toEqual([]);
  });
});
