import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Code, connect, type Channel, type ConnectOptions, type Transport } from '@conduit/runtime';
import { pipe, type PipeChildExit, type PipeSpawnOptions } from '@conduit/transports';
import { ConformanceClient } from '../conformance/generated/conformance.rpc.js';
import { ProbeClient } from '../fixtures/generated/probe.rpc.js';
import { rejection } from '../support/rejection.js';

/**
 * The pipe transport with real child processes (test/fixtures/pipe-server.ts under tsx): calls of
 * every kind, a child that crashes or prints junk mid-call, stderr capture, how a closed channel
 * ends its child (stdin EOF, SIGTERM, SIGKILL), spawn failures and the restart of a crashed child.
 */

const CHILD = fileURLToPath(new URL('../fixtures/pipe-server.ts', import.meta.url));
/** How the transport describes the fixture in its messages. */
const CHILD_COMMAND = `${basename(process.execPath)} --import tsx ${CHILD}`;

/**
 * The children's temp folder (TMPDIR), private to this suite and with tsx's cache off, so that
 * anything a child or the transport leaves behind is found: it must be empty at the end.
 */
const childTmp = mkdtempSync(join(tmpdir(), 'conduit-pipe-test-'));
const childEnv = { ...process.env, TMPDIR: childTmp, TSX_DISABLE_CACHE: '1' };
const tmpBefore = new Set(readdirSync(tmpdir()));

/** Children started and not yet seen to exit; a failed test must not leave them behind. */
const live = new Set<number>();
function killLeftovers(): void {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.once('exit', killLeftovers);

interface Child {
  /** pipe.spawn of the fixture with `flags`; every child it starts is recorded below. */
  readonly transport: Transport;
  /** Pids of the children this transport spawned, in order. */
  readonly pids: number[];
  readonly exits: PipeChildExit[];
  readonly stderr: string[];
}

function child(flags: string[] = [], options: PipeSpawnOptions = {}): Child {
  const pids: number[] = [];
  const exits: PipeChildExit[] = [];
  const stderr: string[] = [];
  const transport = pipe.spawn(process.execPath, ['--import', 'tsx', CHILD, ...flags], {
    env: childEnv,
    onStderr: (chunk) => stderr.push(chunk.toString()),
    onSpawn: ({ pid }) => {
      pids.push(pid as number);
      live.add(pid as number);
    },
    onExit: (exit) => {
      live.delete(exit.pid);
      exits.push(exit);
    },
    ...options,
  });
  return { transport, pids, exits, stderr };
}

const channels: Channel[] = [];
async function open(transport: Transport, options?: ConnectOptions): Promise<{ channel: Channel; conformance: ConformanceClient; probe: ProbeClient }> {
  const channel = await connect(transport, options);
  channels.push(channel);
  return { channel, conformance: new ConformanceClient(channel), probe: new ProbeClient(channel) };
}


async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of stream) values.push(value);
  return values;
}

async function* items<T>(...values: T[]): AsyncGenerator<T> {
  yield* values;
}

afterEach(async () => {
  await Promise.all(channels.splice(0).map((channel) => channel.close()));
  // Closing a channel ends its child within closeGrace + killGrace (2 s + 2 s by default).
  try {
    // vitest's expect.poll, checking every 10 ms, in place of a hand-written wait loop.
    await expect.poll(() => [...live], { timeout: 6_000, interval: 10, message: 'children still running after their channels closed' }).toEqual([]);
  } finally {
    killLeftovers();
  }
});

afterAll(() => {
  const left = readdirSync(childTmp);
  rmSync(childTmp, { recursive: true, force: true });
  expect(left, 'files the children left in their TMPDIR').toEqual([]);
  // Other runs of this suite may be going on: their children's folders are theirs to remove.
  const newPipeEntries = readdirSync(tmpdir()).filter((name) => !tmpBefore.has(name) && /pipe/i.test(name) && !name.startsWith('conduit-pipe-test-'));
  expect(newPipeEntries, `entries left in ${tmpdir()}`).toEqual([]);
});

describe('calls over a child process', () => {
  it('carries unary, one-way, server-stream, client-stream and bidirectional calls, with errors and metadata', async () => {
    const { transport } = child();
    expect([transport.name, transport.address]).toEqual(['pipe', `pipe:${CHILD_COMMAND}`]);
    const { conformance } = await open(transport);
    expect(await conformance.add(1, 2)).toBe(3);
    conformance.note('one');
    conformance.note('two');
    expect(await conformance.notes()).toEqual(['one', 'two']);
    expect(await collect(conformance.countdown(5))).toEqual([5, 4, 3, 2, 1]);
    expect(await conformance.total(items(1, 2, 3, 4))).toBe(10);
    expect(await collect(conformance.echoStream(items('a', 'b')))).toEqual(['echo: a', 'echo: b']);
    expect((await collect(conformance.countdown(20_000))).length).toBe(20_000);
    const failed = await rejection(conformance.fail(Code.NotFound, 'no such item'));
    expect([failed.code, failed.message, failed.details]).toEqual([Code.NotFound, 'no such item', { code: Code.NotFound, list: [1, 2, 3] }]);
    expect(await conformance.metadata({ metadata: { 'x-request': 'r' } })).toContainEqual(['x-request', 'r']);
    const sums = await Promise.all(Array.from({ length: 200 }, (_, i) => conformance.add(i, 1)));
    expect(sums).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it("hands the child's stderr to onStderr, apart from the protocol, and the child reports listening on pipe:stdio", async () => {
    const { transport, stderr, pids } = child();
    const { probe } = await open(transport);
    probe.note('stderr a line for the log');
    expect(await probe.add(2, 3)).toBe(5);
    await expect.poll(() => stderr.join(''), { timeout: 2_000, interval: 10, message: 'the stderr line' }).toContain('a line for the log');
    expect(stderr.join('')).toContain(`pipe-server ${pids[0]}: serving on pipe:stdio`);
    expect(await probe.echo('still fine')).toBe('still fine');
  });

  it('refuses listen on the parent side and connect on the child side, saying which side does what', async () => {
    const listening = await rejection(child().transport.listen(() => ({ onMessage() {}, onOversized() {}, onClose() {} })));
    expect(listening.code).toBe(Code.InvalidArgument);
    expect(listening.message).toBe(`pipe:${CHILD_COMMAND} is the parent's side of a pipe and cannot listen: the child serves with server.listen(pipe.stdio())`);
    const connecting = await rejection(connect(pipe.stdio()));
    expect(connecting.code).toBe(Code.InvalidArgument);
    expect(connecting.message).toMatch(/pipe:stdio is the child's side of a pipe and cannot connect: the parent connects with connect\(pipe\.spawn\(command, args\)\)/);
  });
});

describe('a child that dies or misbehaves', () => {
  it.each([
    ['exits with code 3', 'exit 3', 'exited with code 3', { code: 3, signal: null }],
    ['is killed by SIGKILL', 'kill SIGKILL', 'was killed by SIGKILL', { code: null, signal: 'SIGKILL' }],
  ])('fails the pending call and the open stream with Unavailable when the child %s mid-call', async (_, note, how, exit) => {
    const { transport, pids, exits } = child();
    const { conformance, probe } = await open(transport, { reconnect: false });
    const ticks = conformance.ticks('t', 1_000, 20)[Symbol.asyncIterator]();
    expect((await ticks.next()).value).toBe(0);
    const call = rejection(probe.hang('pending'));
    const stream = rejection(
      (async () => {
        while (!(await ticks.next()).done);
      })(),
    );
    const crashedAt = performance.now();
    probe.note(note);
    const errors = await Promise.all([call, stream]);
    expect(performance.now() - crashedAt).toBeLessThan(1_500);
    const description = `the child process ${pids[0]} (${CHILD_COMMAND}) ${how}`;
    expect(errors.map((error) => error.code)).toEqual([Code.Unavailable, Code.Unavailable]);
    expect(errors[0]?.message).toBe(`Probe.hang: connection lost: ${description} (pipe:${CHILD_COMMAND})`);
    expect(errors[1]?.message).toBe(`Conformance.ticks: connection lost: ${description} (pipe:${CHILD_COMMAND})`);
    expect(exits).toEqual([{ pid: pids[0], ...exit, description }]);
    // Without reconnect the channel stays down, and no other child is started.
    expect((await rejection(probe.add(1, 1))).code).toBe(Code.Unavailable);
    expect(pids.length).toBe(1);
  });

  it('closes the connection when the child console.logs mid-call, quoting the text; the child then exits by itself and the parent carries on', async () => {
    const { transport, pids, exits } = child();
    const { probe, conformance } = await open(transport);
    const call = rejection(probe.hang('pending'));
    probe.note('log hello from a stray console.log');
    const error = await call;
    expect(error.code).toBe(Code.Unavailable);
    // The quote may run on into frames that arrived in the same read as the text.
    expect(error.message).toContain(`pipe:${CHILD_COMMAND} (pid ${pids[0]}) wrote text that is not a Conduit frame: "hello from a stray console.log\\n`);
    expect(error.message).toContain('" (a stray console.log in the child? Write logs to stderr)');
    // The parent closed the child's stdin: a pipe.stdio() server then ends by itself, at once.
    await expect.poll(() => exits.length, { timeout: 3_000, interval: 10, message: 'the child to exit' }).toBe(1);
    expect(exits[0]).toMatchObject({ code: 0, signal: null });
    // The next call restarts the child.
    expect(await conformance.add(20, 22)).toBe(42);
    expect(pids.length).toBe(2);
  });

  it('fails the first call with the quoted text when the child prints to stdout before it serves', async () => {
    const { transport } = child(['--junk-at-start', 'Listening on stdio…']);
    const { probe } = await open(transport, { reconnect: false });
    const error = await rejection(probe.add(1, 2));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.message).toContain('wrote text that is not a Conduit frame: "Listening on stdio…\\n');
    expect(error.message).toContain('" (a stray console.log in the child? Write logs to stderr)');
  });

  it('spawns a new child for the next call after the child crashed, as an editor restarts its language server', async () => {
    const { transport, pids, exits } = child();
    const { conformance, probe } = await open(transport);
    const first = await conformance.whoami();
    probe.note('exit 3');
    await expect.poll(() => exits.length, { timeout: 3_000, interval: 10, message: 'the child to exit' }).toBe(1);
    const second = await conformance.whoami({ waitForReady: true, timeout: 10_000 });
    expect(first.split('/')[0]).toBe(String(pids[0]));
    expect(second.split('/')[0]).toBe(String(pids[1]));
    expect(pids[1]).not.toBe(pids[0]);
  });

  it('serves the next call from a new child after the child shut its server down (GOAWAY), and the old child exits 0', async () => {
    const { transport, pids, exits } = child();
    const { conformance, probe } = await open(transport);
    expect(await conformance.add(1, 1)).toBe(2);
    probe.note('shutdown');
    await expect.poll(() => exits.length, { timeout: 3_000, interval: 10, message: 'the child to exit' }).toBe(1);
    expect(exits[0]).toMatchObject({ pid: pids[0], code: 0, signal: null });
    expect(await conformance.add(2, 2, { waitForReady: true, timeout: 10_000 })).toBe(4);
    expect(pids.length).toBe(2);
  });

  it('fails connect with Unavailable naming a command that does not exist, and the errno', async () => {
    const error = await rejection(connect(pipe.spawn('conduit-no-such-command', ['--flag'])));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.message).toBe(
      "could not connect to pipe:conduit-no-such-command --flag: could not start 'conduit-no-such-command': no such file or directory (ENOENT)",
    );
    const badCwd = await rejection(connect(pipe.spawn(process.execPath, ['-e', '0'], { cwd: '/no/such/folder' })));
    expect(badCwd.code).toBe(Code.Unavailable);
    expect(badCwd.message).toContain(`could not start '${process.execPath}' in /no/such/folder: no such file or directory (ENOENT)`);
  });
});

describe('closing the channel ends the child', () => {
  it('by stdin EOF: the child exits 0 by itself, long before any signal', async () => {
    const { transport, exits } = child([], { closeGrace: 10_000 });
    const { channel, conformance } = await open(transport);
    const stream = rejection(collect(conformance.ticks('open at close', 1_000, 20)));
    expect(await conformance.add(1, 1)).toBe(2);
    const closedAt = performance.now();
    await channel.close();
    expect((await stream).code).toBe(Code.Unavailable);
    await expect.poll(() => exits.length, { timeout: 3_000, interval: 10, message: 'the child to exit' }).toBe(1);
    expect(exits[0]).toMatchObject({ code: 0, signal: null });
    expect(performance.now() - closedAt).toBeLessThan(3_000);
  });

  it('by SIGTERM after closeGrace when the child ignores stdin EOF', async () => {
    const { transport, exits } = child(['--ignore-eof'], { closeGrace: 300, killGrace: 10_000 });
    const { channel, conformance } = await open(transport);
    expect(await conformance.add(1, 1)).toBe(2);
    const closedAt = performance.now();
    await channel.close();
    await expect.poll(() => exits.length, { timeout: 3_000, interval: 10, message: 'the child to exit' }).toBe(1);
    const took = performance.now() - closedAt;
    expect(exits[0]).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(exits[0]?.description).toMatch(/ was killed by SIGTERM, sent by the parent because it had not exited 300 ms after its stdin closed$/);
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(2_000);
  });

  it('by SIGKILL after killGrace when the child ignores stdin EOF and SIGTERM', async () => {
    const { transport, exits, stderr } = child(['--ignore-eof', '--ignore-sigterm'], { closeGrace: 200, killGrace: 300 });
    const { channel, conformance } = await open(transport);
    expect(await conformance.add(1, 1)).toBe(2);
    const closedAt = performance.now();
    await channel.close();
    await expect.poll(() => exits.length, { timeout: 3_000, interval: 10, message: 'the child to exit' }).toBe(1);
    const took = performance.now() - closedAt;
    expect(exits[0]).toMatchObject({ code: null, signal: 'SIGKILL' });
    expect(exits[0]?.description).toMatch(/ was killed by SIGKILL, sent by the parent because SIGTERM had not ended it within 300 ms$/);
    expect(took).toBeGreaterThanOrEqual(490);
    expect(took).toBeLessThan(2_500);
    expect(stderr.join('')).toContain('ignoring SIGTERM');
  });
});
