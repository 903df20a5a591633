import { afterEach, describe, expect, it } from 'vitest';
import { rejection } from '../../../test/support/rejection.js';
import type { CallContext } from './call-context.js';
import { Code } from './code.js';
import { connect } from './connect.js';
import { INITIAL_STREAM_WINDOW, MIN_STREAM_MESSAGE_CHARGE } from './limits.js';
import { memory } from './memory-transport.js';
import { RpcError } from './rpc-error.js';
import { Server } from './server.js';
import { defineService } from './service.js';

interface Handlers {
  count(to: number, ctx: CallContext): AsyncIterable<number>;
  blobs(count: number, size: number, ctx: CallContext): AsyncIterable<string>;
  failAfter(n: number, ctx: CallContext): AsyncIterable<number>;
  forever(ctx: CallContext): AsyncIterable<number>;
  notIterable(ctx: CallContext): AsyncIterable<number>;
  sum(values: AsyncIterable<number>, ctx: CallContext): Promise<number>;
  sumSlowly(values: AsyncIterable<number>, ctx: CallContext): Promise<number>;
  firstOnly(values: AsyncIterable<number>, ctx: CallContext): Promise<number>;
  echo(lines: AsyncIterable<string>, prefix: string, ctx: CallContext): AsyncIterable<string>;
  add(a: number, b: number, ctx: CallContext): number;
}

const service = defineService<Handlers>({
  name: 'Streams',
  methods: {
    count: { kind: 'server-stream', params: ['to'] },
    blobs: { kind: 'server-stream', params: ['count', 'size'] },
    failAfter: { kind: 'server-stream', params: ['n'] },
    forever: { kind: 'server-stream', params: [] },
    notIterable: { kind: 'server-stream', params: [] },
    sum: {
      kind: 'client-stream',
      params: ['values'],
      streamParam: 0,
      validateMessage: (m) => (typeof m === 'number' ? undefined : `expected number, got ${typeof m}`),
    },
    sumSlowly: { kind: 'client-stream', params: ['values'], streamParam: 0 },
    firstOnly: { kind: 'client-stream', params: ['values'], streamParam: 0 },
    echo: { kind: 'bidi-stream', params: ['lines', 'prefix'], streamParam: 0 },
    add: { kind: 'unary', params: ['a', 'b'] },
  },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the server side saw, for assertions. */
interface Seen {
  produced: number;
  aborts: unknown[];
  cleanups: number;
}

function handlers(seen: Seen): Handlers {
  return {
    async *count(to, ctx) {
      ctx.responseMetadata['x-count'] = String(to);
      for (let i = 1; i <= to; i++) {
        seen.produced = i;
        yield i;
      }
    },
    async *blobs(count, size) {
      const blob = 'b'.repeat(size);
      for (let i = 1; i <= count; i++) {
        seen.produced = i;
        yield blob;
      }
    },
    async *failAfter(n) {
      for (let i = 1; i <= n; i++) yield i;
      throw new RpcError(Code.DataLoss, 'the tape ran out', { details: { at: n } });
    },
    async *forever(ctx) {
      ctx.signal.addEventListener('abort', () => seen.aborts.push(ctx.signal.reason));
      try {
        for (let i = 0; ; i++) {
          seen.produced = i;
          yield i;
          await sleep(1);
        }
      } finally {
        seen.cleanups++;
      }
    },
    notIterable: () => 42 as unknown as AsyncIterable<number>,
    async sum(values) {
      let total = 0;
      for await (const value of values) total += value;
      return total;
    },
    async sumSlowly(values, ctx) {
      ctx.signal.addEventListener('abort', () => seen.aborts.push(ctx.signal.reason));
      let total = 0;
      for await (const value of values) {
        total += value;
        if (value % 1000 === 1) await sleep(1);
      }
      return total;
    },
    async firstOnly(values) {
      for await (const value of values) return value;
      return -1;
    },
    async *echo(lines, prefix) {
      for await (const line of lines) yield `${prefix}${line}`;
    },
    add: (a, b) => a + b,
  };
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((thing) => thing.close()));
});

async function serve() {
  const seen: Seen = { produced: 0, aborts: [], cleanups: 0 };
  const server = new Server({ onError: () => {} });
  server.add(service, handlers(seen));
  const transport = memory();
  await server.listen(transport);
  const channel = await connect(transport);
  open.push(channel, server);
  return { server, channel, seen };
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of stream) out.push(value);
  return out;
}

async function* numbers(count: number, pulled?: { count: number }): AsyncGenerator<number> {
  for (let i = 1; i <= count; i++) {
    if (pulled) pulled.count = i;
    yield i;
  }
}

describe('server streams', () => {
  it('deliver every message in order, then end, with the response metadata', async () => {
    const { channel } = await serve();
    let metadata: Record<string, string> = {};
    const values = await collect(channel.serverStream<number>(service.methods.count, [1000], { onResponseMetadata: (m) => (metadata = { ...m }) }));
    expect(values).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(metadata).toEqual({ 'x-count': '1000' });
  });

  it("deliver the handler's error after the messages before it", async () => {
    const { channel } = await serve();
    const received: number[] = [];
    const error = await rejection(
      (async () => {
        for await (const value of channel.serverStream<number>(service.methods.failAfter, [3])) received.push(value);
      })(),
    );
    expect(received).toEqual([1, 2, 3]);
    expect([error.code, error.message, error.details]).toEqual([Code.DataLoss, 'the tape ran out', { at: 3 }]);
  });

  it('hold the producer to the window while the consumer is slow', async () => {
    const { channel, seen } = await serve();
    const size = 64 * 1024;
    let consumed = 0;
    let furthestAhead = 0;
    for await (const blob of channel.serverStream<string>(service.methods.blobs, [200, size])) {
      expect(blob.length).toBe(size);
      consumed++;
      furthestAhead = Math.max(furthestAhead, seen.produced - consumed);
      if (consumed % 20 === 0) await sleep(5);
    }
    expect(consumed).toBe(200);
    // A window's worth, the message that may start while any window is left, and the one the
    // generator has made but not been allowed to send.
    expect(furthestAhead).toBeLessThanOrEqual(Math.ceil(INITIAL_STREAM_WINDOW / size) + 2);
    expect(furthestAhead).toBeGreaterThan(1);
  });

  it('count even tiny messages against the window', async () => {
    const { channel, seen } = await serve();
    let furthestAhead = 0;
    let consumed = 0;
    for await (const value of channel.serverStream<number>(service.methods.count, [40_000])) {
      consumed = value;
      furthestAhead = Math.max(furthestAhead, seen.produced - consumed);
      if (value === 1) await sleep(20);
    }
    expect(consumed).toBe(40_000);
    expect(furthestAhead).toBeLessThanOrEqual(INITIAL_STREAM_WINDOW / MIN_STREAM_MESSAGE_CHARGE + 2);
  });

  it('cancel on the server when the caller breaks out, running the generator cleanup', async () => {
    const { channel, seen } = await serve();
    for await (const value of channel.serverStream<number>(service.methods.forever, [])) {
      if (value === 5) break;
    }
    await expect.poll(() => seen.cleanups).toBe(1);
    expect((seen.aborts[0] as RpcError).code).toBe(Code.Cancelled);
    expect(await channel.unary(service.methods.add, [1, 1])).toBe(2);
  });

  it('fail with DeadlineExceeded when the deadline passes mid-stream', async () => {
    const { channel, seen } = await serve();
    const error = await rejection(collect(channel.serverStream<number>(service.methods.forever, [], { timeout: 60 })));
    expect(error.code).toBe(Code.DeadlineExceeded);
    await expect.poll(() => seen.cleanups).toBe(1);
  });

  it('fail with Cancelled when the signal aborts', async () => {
    const { channel } = await serve();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const error = await rejection(collect(channel.serverStream<number>(service.methods.forever, [], { signal: controller.signal })));
    expect(error.code).toBe(Code.Cancelled);
  });

  it('fail with Internal when the handler returns something that is not iterable', async () => {
    const { channel } = await serve();
    const error = await rejection(collect(channel.serverStream<number>(service.methods.notIterable, [])));
    expect([error.code, error.message]).toEqual([Code.Internal, 'Streams.notIterable: the handler did not return an AsyncIterable']);
  });

  it('fail with Unavailable when the channel closes under them', async () => {
    const { channel } = await serve();
    const stream = channel.serverStream<number>(service.methods.forever, []);
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await channel.close();
    const error = await rejection((async () => {
      for (;;) if ((await iterator.next()).done) return;
    })());
    expect(error.code).toBe(Code.Unavailable);
  });

  it('leave small unary calls unblocked behind a stream whose consumer stalls', async () => {
    const { channel } = await serve();
    const iterator = channel.serverStream<number>(service.methods.count, [100_000])[Symbol.asyncIterator]();
    await iterator.next();
    const started = performance.now();
    const sums = await Promise.all(Array.from({ length: 50 }, (_, i) => channel.unary<number>(service.methods.add, [i, 1])));
    expect(sums[49]).toBe(50);
    expect(performance.now() - started).toBeLessThan(500);
    await iterator.return?.();
  });
});

describe('client streams', () => {
  it('send every value and get the answer', async () => {
    const { channel } = await serve();
    expect(await channel.clientStream<number>(service.methods.sum, [numbers(1000)])).toBe(500_500);
    expect(await channel.clientStream<number>(service.methods.sum, [[1, 2, 3]])).toBe(6);
  });

  it('do not pull the caller’s generator more than a window ahead of a slow server', async () => {
    const { channel } = await serve();
    const pulled = { count: 0 };
    const count = 3 * (INITIAL_STREAM_WINDOW / MIN_STREAM_MESSAGE_CHARGE);
    const answer = channel.clientStream<number>(service.methods.sumSlowly, [numbers(count, pulled)]);
    await sleep(20);
    expect(pulled.count).toBeLessThan(count);
    expect(await answer).toBe((count * (count + 1)) / 2);
    expect(pulled.count).toBe(count);
  });

  it('stop sending once the server has answered early', async () => {
    const { channel } = await serve();
    const pulled = { count: 0 };
    expect(await channel.clientStream<number>(service.methods.firstOnly, [numbers(1_000_000, pulled)])).toBe(1);
    await sleep(20);
    expect(pulled.count).toBeLessThanOrEqual(INITIAL_STREAM_WINDOW / MIN_STREAM_MESSAGE_CHARGE + 2);
  });

  it("fail with Cancelled when the caller's stream throws, and abort the handler", async () => {
    const { channel, seen } = await serve();
    async function* broken() {
      yield 1;
      throw new Error('sensor unplugged');
    }
    const error = await rejection(channel.clientStream(service.methods.sumSlowly, [broken()]));
    expect(error.code).toBe(Code.Cancelled);
    expect(error.message).toMatch(/^Streams\.sumSlowly: the request stream failed: sensor unplugged \(memory:\/\/memory-\d+\)$/);
    await expect.poll(() => seen.aborts.length).toBe(1);
  });

  it('reject a stream message the validator refuses with InvalidArgument', async () => {
    const { channel } = await serve();
    const error = await rejection(channel.clientStream(service.methods.sum, [[1, 'two', 3]]));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.message).toMatch(/^Streams\.sum: stream message: expected number, got string/);
  });

  it('reject a stream argument that is not iterable', async () => {
    const { channel } = await serve();
    const error = await rejection(channel.clientStream(service.methods.sum, [42]));
    expect(error.message).toMatch(/the stream argument is not an AsyncIterable/);
  });
});

describe('bidirectional streams', () => {
  it('carry both directions at once, with the other arguments', async () => {
    const { channel } = await serve();
    const replies = await collect(channel.bidiStream<string>(service.methods.echo, [['a', 'b', 'c'], '> ']));
    expect(replies).toEqual(['> a', '> b', '> c']);
  });

  it('interleave: each reply arrives before the next line is sent', async () => {
    const { channel } = await serve();
    const log: string[] = [];
    let next: (() => void) | undefined;
    async function* lines() {
      for (const line of ['one', 'two', 'three']) {
        log.push(`sent ${line}`);
        yield line;
        await new Promise<void>((resolve) => (next = resolve));
      }
    }
    for await (const reply of channel.bidiStream<string>(service.methods.echo, [lines(), ''])) {
      log.push(`got ${reply}`);
      next?.();
    }
    expect(log).toEqual(['sent one', 'got one', 'sent two', 'got two', 'sent three', 'got three']);
  });

  it('run many streams and calls on one connection at once', async () => {
    const { channel } = await serve();
    const results = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => collect(channel.serverStream<number>(service.methods.count, [50 + i])).then((v) => v.length)),
      ...Array.from({ length: 20 }, (_, i) => channel.clientStream<number>(service.methods.sum, [numbers(i)])),
      ...Array.from({ length: 20 }, (_, i) => channel.unary<number>(service.methods.add, [i, i])),
    ]);
    expect(results.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => 50 + i));
    expect(results.slice(20, 40)).toEqual(Array.from({ length: 20 }, (_, i) => (i * (i + 1)) / 2));
    expect(results.slice(40)).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i));
  });
});

describe('a transport that cannot carry streams', () => {
  it('refuses stream calls on the server too, with Unimplemented naming the method, and serves the rest', async () => {
    const server = new Server({ onError: () => {} });
    server.add(service, handlers({ produced: 0, aborts: [], cleanups: 0 }));
    await server.listen(memory({ name: 'no-streams', streams: false }));
    // A client that believes the transport carries streams still gets a clear answer.
    const channel = await connect(memory({ name: 'no-streams' }));
    open.push(channel, server);
    const error = await rejection(collect(channel.serverStream<number>(service.methods.count, [3])));
    expect([error.code, error.message]).toEqual([Code.Unimplemented, 'Streams.count: this transport cannot carry streams (memory://no-streams)']);
    expect(await channel.unary(service.methods.add, [1, 2])).toBe(3);
  });
});
