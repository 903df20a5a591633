import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Code, connect, Server, type Channel } from '@conduit/runtime';
import { fifo } from '@conduit/transports';
import { ProbeClient, ProbeService } from '../fixtures/generated/probe.rpc.js';
import { probeHandlers } from '../fixtures/probe-handlers.js';
import { exerciseProbe } from '../support/probe-calls.js';
import { rejection } from '../support/rejection.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * What is particular to FIFOs, with servers (and some clients) in other processes: the
 * well-known FIFO's mode, many clients at once, junk written into the FIFO by other programs,
 * peer death, a restart over the stale FIFO a killed server leaves, files that are not FIFOs,
 * and nothing left behind in the temp folder. The behaviour every transport shares is
 * test/conformance's.
 */

const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything the tests make lives here, and goes in afterAll. */
const root = mkdtempSync(join(tmpdir(), 'fifo-test-'));
let paths = 0;
/** A fresh path for a well-known FIFO. */
const freshPath = () => join(root, `server-${++paths}.fifo`);

/** Processes whose private FIFO folders (`conduit-fifo-<pid>-…`) must all be gone at the end. */
const pids = new Set<number>([process.pid]);
const children = new Set<ChildProcess>();

const channels: Channel[] = [];
afterEach(async () => {
  await Promise.all(channels.splice(0).map((channel) => channel.close()));
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
  const ours = readdirSync(tmpdir()).filter((name) => [...pids].some((pid) => name.startsWith(`conduit-fifo-${pid}-`)));
  expect(ours).toEqual([]);
});

async function client(target: string, options?: Parameters<typeof connect>[1]): Promise<ProbeClient> {
  const channel = await connect(target, options);
  channels.push(channel);
  return new ProbeClient(channel);
}

async function startFifoServer(path: string): Promise<ServerProcess> {
  const server = await startServerProcess('fifo-server.ts', ['--path', path]);
  if (server.child.pid !== undefined) pids.add(server.child.pid);
  return server;
}

/**
 * Starts fifo-client.ts with `args` against `url`. `line()` resolves with its next stdout line
 * (`ready` first); writing `go` to its stdin starts its calls.
 */
function startClientProcess(url: string, args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../fixtures/fifo-client.ts', import.meta.url)), '--url', url, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.add(child);
  if (child.pid !== undefined) pids.add(child.pid);
  const lines = createInterface({ input: child.stdout! });
  const line = () => once(lines, 'line').then(([text]) => text as string);
  return { child, line, ready: line(), exited: once(child, 'exit') };
}

/** Waits until the server has written something matching `pattern` (its reports go to stderr). */
async function reported(server: ServerProcess, pattern: RegExp, ms = 5_000): Promise<string> {
  const until = performance.now() + ms;
  for (;;) {
    const output = server.output.join('');
    const match = pattern.exec(output);
    if (match !== null) return match[0];
    if (performance.now() > until) throw new Error(`the server reported nothing matching ${pattern} within ${ms} ms; its output: ${output}`);
    await sleep(10);
  }
}

/** Runs `script` with `sh -c`, its $0 being `path`: a program that knows nothing of Conduit writing into the FIFO. */
async function shell(script: string, path: string): Promise<void> {
  await execFileAsync('sh', ['-c', script, path], { timeout: 5_000 });
}

/** Serves a fresh channel: the server still takes new connections. */
async function servesNewClient(url: string): Promise<void> {
  const calc = await client(url);
  expect(await calc.add(40, 2)).toBe(42);
}

/**
 * A Probe server in this process, for listen-side checks that need no other process: the shared
 * handlers of test/fixtures/probe-handlers.ts rather than a hand-written subset.
 */
function localServer(): Server {
  return new Server().add(ProbeService, probeHandlers());
}

describe('a FIFO server in another process', () => {
  let server: ServerProcess;
  let path: string;
  beforeAll(async () => {
    path = freshPath();
    server = await startFifoServer(path);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('reports its absolute URL and makes the well-known FIFO with mode 0600', () => {
    expect(server.url).toBe(`fifo://${path}`);
    const stats = statSync(path);
    expect(stats.isFIFO()).toBe(true);
    expect(stats.mode & 0o777).toBe(0o600);
  });

  it('serves unary, one-way and server-stream calls, metadata, large messages, deadlines and cancellation', async () => {
    const peer = await exerciseProbe(await client(server.url));
    // The server knows each client by its private folder, whose name carries the client's pid.
    expect(peer).toMatch(new RegExp(`^fifo://${tmpdir()}/conduit-fifo-${process.pid}-\\w+$`));
  });

  it('answers 20 clients at once, 12 of them in 4 other processes', async () => {
    const SLEEP_MS = 500;
    const processes = Array.from({ length: 4 }, (_, p) => startClientProcess(server.url, ['--channels', '3', '--tag', `p${p}`, '--sleep', String(SLEEP_MS)]));
    for (const { ready } of processes) expect(await ready).toBe('ready');
    const local = await Promise.all(Array.from({ length: 8 }, () => client(server.url)));

    const started = performance.now();
    const results = processes.map(({ line }) => line());
    for (const { child } of processes) child.stdin!.write('go\n');
    const [slept, echoed] = await Promise.all([
      Promise.all(local.map((calc) => calc.sleep(SLEEP_MS))),
      Promise.all(local.map((calc, n) => calc.echo(`local-${n}`))),
    ]);
    const remote = (await Promise.all(results)).map((text) => JSON.parse(text) as { slept: string[]; echoed: string[] });
    const elapsed = performance.now() - started;

    expect(slept).toEqual(Array(8).fill(`slept ${SLEEP_MS}`));
    expect(echoed).toEqual(Array.from({ length: 8 }, (_, n) => `local-${n}`));
    remote.forEach((result, p) => {
      expect(result.slept).toEqual(Array(3).fill(`slept ${SLEEP_MS}`));
      expect(result.echoed).toEqual([0, 1, 2].map((n) => `p${p}-${n}`));
    });
    // One after the other, the sleeps alone would take 10 s; at once, about one of them.
    expect(elapsed).toBeLessThan(SLEEP_MS * 5);
    for (const { exited } of processes) expect((await exited)[0]).toBe(0);
  });

  it("notices a client process killed mid-call (EOF on its FIFO): the handler's signal aborts, and it serves the others", async () => {
    const calc = await client(server.url);
    const killed = startClientProcess(server.url, ['--channels', '2', '--tag', 'killed', '--hang']);
    expect(await killed.ready).toBe('ready');
    killed.child.stdin!.write('go\n');
    await sleep(100);
    killed.child.kill('SIGKILL');
    await killed.exited;
    await expect.poll(() => calc.aborted(), { timeout: 1_000 }).toEqual(expect.arrayContaining([`killed-0:${Code.Cancelled}`, `killed-1:${Code.Cancelled}`]));
    expect(await calc.add(2, 3)).toBe(5);
  });

  it('reports a line of garbage echoed into the well-known FIFO, and keeps serving', async () => {
    await shell('echo garbage > "$0"', path);
    await reported(server, /\[conduit\] fifo:\/\/\S+: ignored 8 bytes that are not a connection request: "garbage\\n"/);
    await servesNewClient(server.url);
  });

  it('reports a long line without a newline, and keeps serving', async () => {
    await shell(`head -c 5000 /dev/zero | tr '\\0' x > "$0"`, path);
    await reported(server, /ignored \d+ bytes that are not a connection request: "x{60}"…/);
    // One that starts like a request and runs past PIPE_BUF without a newline.
    await shell(`{ printf 'CNDT-FIFO 1 /'; head -c 5000 /dev/zero | tr '\\0' y; } > "$0"`, path);
    await reported(server, /ignored \d+ bytes that are not a connection request: "CNDT-FIFO 1 \/y+"…/);
    await servesNewClient(server.url);
  });

  it('skips junk left without a newline right before a real request', async () => {
    await shell('printf half-written > "$0"', path);
    await servesNewClient(server.url);
    await reported(server, /ignored 12 bytes that are not a connection request: "half-written"/);
  });

  it('refuses requests naming a missing folder, a folder others can read, or another version, and keeps serving', async () => {
    await shell('echo "CNDT-FIFO 1 /nonexistent/conduit-dir" > "$0"', path);
    await reported(server, /refused a connection request for \/nonexistent\/conduit-dir: \/nonexistent\/conduit-dir does not exist/);

    const open = join(root, 'open-folder');
    mkdirSync(open, { mode: 0o755 });
    await execFileAsync('mkfifo', ['-m', '600', join(open, 'c2s'), join(open, 's2c')]);
    await shell(`echo "CNDT-FIFO 1 ${open}" > "$0"`, path);
    await reported(server, new RegExp(`refused a connection request for ${open}: ${open} has mode 755, not 700`));

    await shell('echo "CNDT-FIFO 9 /tmp" > "$0"', path);
    await reported(server, /refused a connection request \(version "9", this server speaks 1\): "CNDT-FIFO 9 \/tmp"/);
    await servesNewClient(server.url);
  });

  it('refuses a second server on the same path: address in use', async () => {
    const error = await rejection(localServer().listen(fifo({ path })));
    expect(error.code).toBe(Code.AlreadyExists);
    expect(error.message).toBe(`listening on fifo://${path}: address already in use (a server is reading that FIFO)`);
    await servesNewClient(server.url);
  });
});

describe('peer death, restarts, stale FIFOs and files that are not FIFOs', () => {
  it('fails calls and streams within a second when the server is killed; the stale FIFO fails connects fast; a new server replaces it and the same channel serves again', async () => {
    const path = freshPath();
    const first = await startFifoServer(path);
    let second: ServerProcess | undefined;
    try {
      const channel = await connect(first.url);
      channels.push(channel);
      const calc = new ProbeClient(channel);
      expect(await calc.add(1, 1)).toBe(2);
      const stream = (async () => {
        for await (const chunk of calc.chunks(1_000_000, 16)) if (chunk.length !== 16) throw new Error('bad chunk');
      })();
      const pending = Promise.all([calc.hang('a'), calc.sleep(5_000), stream].map((call) => rejection(call)));
      await sleep(30);
      const killedAt = performance.now();
      await first.stop('SIGKILL');
      const errors = await pending;
      expect(performance.now() - killedAt).toBeLessThan(1_000);
      expect(errors.map((error) => error.code)).toEqual([Code.Unavailable, Code.Unavailable, Code.Unavailable]);
      expect(errors[0]!.message).toMatch(/^Probe\.hang: .*fifo:\/\//);

      // A killed server cannot remove its FIFO: it stays, stale.
      expect(statSync(path).isFIFO()).toBe(true);
      const started = performance.now();
      const refused = await rejection(connect(first.url, { reconnect: false }));
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(refused.code).toBe(Code.Unavailable);
      expect(refused.message).toBe(`could not connect to fifo://${path}: no server is reading ${path} (ENXIO): the FIFO is stale or its server not started`);

      second = await startFifoServer(path);
      expect(second.url).toBe(first.url);
      await reported(second, /replaced a stale FIFO that no server was reading/);
      expect(await calc.add(20, 22, { waitForReady: true, timeout: 5_000 })).toBe(42);
      expect(channel.state).toBe('ready');
    } finally {
      await first.stop();
      await second?.stop();
    }
  });

  it('drains on SIGTERM, exits 0 and removes its FIFO', async () => {
    const path = freshPath();
    const server = await startFifoServer(path);
    try {
      const calc = await client(server.url);
      const inFlight = calc.sleep(300);
      await sleep(50);
      server.child.kill('SIGTERM');
      expect(await inFlight).toBe('slept 300');
      expect(await server.exited).toBe(0);
      expect(() => statSync(path)).toThrow(/ENOENT/);
      const error = await rejection(connect(server.url, { reconnect: false }));
      expect(error.code).toBe(Code.Unavailable);
      expect(error.message).toBe(`could not connect to fifo://${path}: no server: ${path} does not exist (ENOENT)`);
    } finally {
      await server.stop();
    }
  });

  it('listens again on the same path after close, in one process', async () => {
    const path = freshPath();
    for (let round = 0; round < 3; round++) {
      const server = localServer();
      const listening = await server.listen(fifo({ path }));
      await servesNewClient(listening.url);
      await Promise.all(channels.splice(0).map((channel) => channel.close()));
      await server.close();
      expect(() => statSync(path)).toThrow(/ENOENT/);
    }
  });

  it('never overwrites a file that is not a FIFO: listen fails naming it, connect fails', async () => {
    const path = freshPath();
    writeFileSync(path, 'precious data\n', { mode: 0o644 });
    const error = await rejection(localServer().listen(fifo({ path })));
    expect(error.code).toBe(Code.AlreadyExists);
    expect(error.message).toBe(
      `listening on fifo://${path}: ${path} exists and is a regular file, not a FIFO; it was left untouched (remove it or choose another path)`,
    );
    expect(readFileSync(path, 'utf8')).toBe('precious data\n');
    expect(statSync(path).mode & 0o777).toBe(0o644);

    const refused = await rejection(connect(`fifo://${path}`, { reconnect: false }));
    expect(refused.code).toBe(Code.FailedPrecondition);
    expect(refused.message).toBe(`could not connect to fifo://${path}: ${path} is not a FIFO`);
    expect(readFileSync(path, 'utf8')).toBe('precious data\n');

    const folder = await rejection(localServer().listen(fifo({ path: root })));
    expect(folder.message).toMatch(/exists and is a directory, not a FIFO/);
  });

  it('fails listen in a folder that does not exist with NotFound', async () => {
    const error = await rejection(localServer().listen(fifo({ path: join(root, 'missing', 'server.fifo') })));
    expect(error.code).toBe(Code.NotFound);
    expect(error.message).toMatch(/^listening on fifo:\/\/\S+missing\/server\.fifo: no such file or directory \(ENOENT\)$/);
  });

  it('fails a connect the server never accepts within connectTimeout, and leaves no private folder', async () => {
    // A FIFO some process reads but no Conduit server: the request is taken and never answered.
    const path = freshPath();
    await execFileAsync('mkfifo', ['-m', '600', path]);
    const reader = spawn('sh', ['-c', 'exec 3<>"$0"; cat <&3 > /dev/null', path], { stdio: 'ignore' });
    children.add(reader);
    try {
      await sleep(100);
      const started = performance.now();
      const error = await rejection(connect(fifo({ path, connectTimeout: 300 }), { reconnect: false }));
      expect(performance.now() - started).toBeLessThan(1_500);
      expect(error.code).toBe(Code.Unavailable);
      expect(error.message).toBe(`could not connect to fifo://${path}: fifo://${path} did not accept within 300 ms`);
      expect(readdirSync(tmpdir()).filter((name) => name.startsWith(`conduit-fifo-${process.pid}-`))).toEqual([]);
    } finally {
      reader.kill('SIGKILL');
    }
  });
});
