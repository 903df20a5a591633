import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Code,
  connect,
  encodeFrameWithValue,
  FrameType,
  msgpackCodec,
  protobufCodec,
  type Channel,
  type Codec,
  type ConnectOptions,
  type MethodDescriptor,
  type Transport,
} from '@conduit/runtime';
import '@conduit/transports';
import { rejection } from '../support/rejection.js';
import { fifoAdapter } from './adapters/fifo.js';
import { memoryAdapter, memoryWithoutStreamsAdapter } from './adapters/memory.js';
import { pipeAdapter } from './adapters/pipe.js';
import { shmAdapter } from './adapters/shm.js';
import { tcpAdapter } from './adapters/tcp.js';
import { udpAdapter } from './adapters/udp.js';
import type { RunningServer, StartOptions, TransportAdapter } from './adapters/transport-adapter.js';
import { GOOD_AUTHORIZATION } from './conformance-service.js';
import { ConformanceClient, ConformanceService } from './generated/conformance.rpc.js';

/**
 * The transport conformance suite: the same cases, seen from the caller's side, against every
 * transport through its adapter. A transport joins by adding its adapter to this list (see README.md).
 */
const adapters: TransportAdapter[] = [memoryAdapter, memoryWithoutStreamsAdapter, tcpAdapter, pipeAdapter, fifoAdapter, shmAdapter, udpAdapter];

/** Every transport runs the cases with every codec the server offers: the codec must not change what a caller sees. */
const codecs: Codec[] = [msgpackCodec, protobufCodec];
const runs = adapters.flatMap((adapter) => codecs.map((codec) => ({ adapter, codec, name: `${adapter.name} with ${codec.name}` })));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rejects if `promise` has not settled within `ms`, so no case can hang on a transport that loses a reply. */
function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The size of the CALL frame `echo(text)` sends without options under `codec`: what a transport's limit counts. */
function echoCallSize(text: string, codec: Codec): number {
  const echo = ConformanceService.methods.echo;
  const call = { type: FrameType.Call, id: 1, method: echo.path, noReply: false, timeout: undefined, metadata: undefined, payload: new Uint8Array(0) } as const;
  const args = codec.forMethod === undefined ? codec : codec.forMethod(echo).args;
  return encodeFrameWithValue(call, [text], args, 0).length;
}

/** A text whose `echo` call frame is exactly `size` bytes (sizes well above the codecs' short-string forms). */
function echoTextOfCallSize(size: number, codec: Codec): string {
  const overhead = echoCallSize('x'.repeat(1 << 17), codec) - (1 << 17);
  const text = 'x'.repeat(size - overhead);
  expect(echoCallSize(text, codec)).toBe(size);
  return text;
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of stream) values.push(value);
  return values;
}

/** 1, 2, …, count, as a client stream. */
async function* numbers(count: number): AsyncGenerator<number> {
  for (let i = 1; i <= count; i++) yield i;
}

/** 'line 1', …, 'line <count>', as a client stream. */
async function* strings(count: number): AsyncGenerator<string> {
  for (let i = 1; i <= count; i++) yield `line ${i}`;
}

describe.each(runs)('conformance over $name', ({ adapter, codec }) => {
  const channels: Channel[] = [];
  /** Servers a single case started (with auth, or to kill); stopped when it ends. */
  const ownServers: RunningServer[] = [];
  /** The server most cases share. */
  let server: RunningServer | undefined;

  async function start(options?: StartOptions): Promise<RunningServer> {
    const started = await adapter.start(options);
    ownServers.push(started);
    return started;
  }

  async function open(target?: string | Transport, options?: ConnectOptions): Promise<{ channel: Channel; client: ConformanceClient }> {
    const channel = await connect(target ?? (server as RunningServer).target, { codec, ...options });
    channels.push(channel);
    return { channel, client: new ConformanceClient(channel) };
  }

  beforeAll(async () => {
    server = await adapter.start();
  });
  afterEach(async () => {
    await Promise.all(channels.splice(0).map((channel) => channel.close()));
    await Promise.all(ownServers.splice(0).map((running) => running.stop()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  describe('unary', () => {
    it('answers a call', async () => {
      const { client } = await open();
      expect(await client.add(1, 2)).toBe(3);
    });

    it('answers 500 concurrent calls on one channel, each with its own result', async () => {
      const { client } = await open();
      const sums = await within(10_000, Promise.all(Array.from({ length: 500 }, (_, i) => client.add(i, 1000))), '500 calls');
      expect(sums).toEqual(Array.from({ length: 500 }, (_, i) => i + 1000));
    });

    it('delivers one-way calls, in order, before a later call on the same channel', async () => {
      const { client } = await open();
      client.note(`${adapter.name} one`);
      client.note(`${adapter.name} two`);
      expect((await client.notes()).slice(-2)).toEqual([`${adapter.name} one`, `${adapter.name} two`]);
    });
  });

  describe('errors', () => {
    it("gives the caller a handler's RpcError with its code, message, details and response metadata", async () => {
      const { client } = await open();
      let response: Record<string, string> = {};
      const error = await rejection(client.fail(Code.NotFound, 'no such item', { onResponseMetadata: (metadata) => (response = { ...metadata }) }));
      expect([error.code, error.message, error.details]).toEqual([Code.NotFound, 'no such item', { code: Code.NotFound, list: [1, 2, 3] }]);
      expect(error.metadata).toEqual({ 'x-failed': 'yes' });
      expect(response).toEqual({ 'x-failed': 'yes' });
    });

    it('turns a plain Error into Internal with its message and no stack', async () => {
      const { client } = await open();
      const error = await rejection(client.crash());
      expect([error.code, error.message, error.details]).toEqual([Code.Internal, 'handler bug', undefined]);
    });

    it('answers an unknown method with Unimplemented naming it, and keeps serving', async () => {
      const { channel, client } = await open();
      // Encoded like `add` (a schema-driven codec finds it by name), sent to a path the server does not serve.
      const missing: MethodDescriptor = { ...ConformanceService.methods.add, path: 'Conformance.missing', validate: undefined };
      const error = await rejection(channel.unary(missing, [1, 2]));
      expect(error.code).toBe(Code.Unimplemented);
      expect(error.message).toMatch(/^Conformance\.missing: no such method on this server \(.+\)$/);
      expect(await client.add(2, 3)).toBe(5);
    });

    it('rejects an argument of the wrong type with InvalidArgument naming its path', async () => {
      const { client } = await open();
      const untyped = client.add as unknown as (a: unknown, b: unknown) => Promise<number>;
      const error = await rejection(untyped.call(client, 'one', 2));
      expect(error.code).toBe(Code.InvalidArgument);
      // msgpack sends anything and the server's validator refuses it; protobuf refuses to encode it.
      expect(error.message).toMatch(/^Conformance\.add: (could not encode the arguments with protobuf: )?a: expected number, got string \(.+\)$/);
    });
  });

  describe('deadlines and cancellation', () => {
    it('rejects with DeadlineExceeded on time when the server never answers, and the server sees its signal abort', async () => {
      const { channel, client } = await open();
      const started = performance.now();
      const error = await rejection(within(2_000, client.hang(`${adapter.name}-deadline`, { timeout: 100 }), 'the call'));
      const elapsed = performance.now() - started;
      expect(error.code).toBe(Code.DeadlineExceeded);
      expect(error.message).toBe(`Conformance.hang: deadline exceeded after 100 ms (${channel.target})`);
      expect(elapsed).toBeGreaterThanOrEqual(95);
      expect(elapsed).toBeLessThan(1000);
      // Either the CANCEL that follows the deadline or the server's own deadline timer aborts it.
      await expect.poll(() => client.aborted()).toContainEqual(expect.stringMatching(new RegExp(`^${adapter.name}-deadline:(${Code.Cancelled}|${Code.DeadlineExceeded})$`)));
    });

    it('rejects with Cancelled at once when the signal aborts, and the server sees its signal abort', async () => {
      const { client } = await open();
      const controller = new AbortController();
      let failedAt = Number.NaN;
      const failure = rejection(client.hang(`${adapter.name}-cancel`, { signal: controller.signal }).finally(() => (failedAt = performance.now())));
      await sleep(20);
      const abortedAt = performance.now();
      controller.abort();
      const error = await failure;
      expect(failedAt - abortedAt).toBeLessThan(50);
      expect(error.code).toBe(Code.Cancelled);
      await expect.poll(() => client.aborted()).toContain(`${adapter.name}-cancel:${Code.Cancelled}`);
    });
  });

  describe('metadata and interceptors', () => {
    it('carries request metadata to the handler and response metadata back', async () => {
      const { client } = await open();
      let response: Record<string, string> = {};
      const seen = await client.metadata({
        metadata: { 'x-request': 'r-42', 'x-tenant': 'acme' },
        onResponseMetadata: (metadata) => (response = { ...metadata }),
      });
      expect(seen).toEqual([
        ['x-request', 'r-42'],
        ['x-tenant', 'acme'],
      ]);
      expect(response).toEqual({ 'x-echo': 'r-42' });
    });

    it("rejects a call without a token with Unauthenticated, and serves a caller whose interceptor adds it", async () => {
      const guarded = await start({ auth: true });
      const anonymous = (await open(guarded.target)).client;
      const error = await rejection(anonymous.add(1, 2));
      expect([error.code, error.message]).toEqual([Code.Unauthenticated, 'Conformance.add: a valid bearer token is required']);
      const { client } = await open(guarded.target, {
        interceptors: [(next) => (request) => next({ ...request, metadata: { ...request.metadata, authorization: GOOD_AUTHORIZATION } })],
      });
      expect(await client.add(1, 2)).toBe(3);
    });
  });

  describe('message size', () => {
    it('carries a message of exactly the limit', async () => {
      const { client } = await open();
      const text = echoTextOfCallSize(adapter.maxMessageSize, codec);
      expect(await within(10_000, client.echo(text), 'the call')).toBe(text);
    });

    it('fails a message one byte over the limit with ResourceExhausted, and the channel serves the next call', async () => {
      const { client } = await open();
      const text = echoTextOfCallSize(adapter.maxMessageSize + 1, codec);
      const error = await rejection(within(10_000, client.echo(text), 'the call'));
      expect(error.code).toBe(Code.ResourceExhausted);
      // Refused by the client before sending, or by the server without buffering it; either way it
      // names the method and the size.
      expect(error.message).toMatch(new RegExp(`^Conformance\\.echo: .*\\b${adapter.maxMessageSize + 1} bytes exceeds\\b`));
      expect(await client.echo('small')).toBe('small');
    });
  });

  // A transport either carries streams or declares it cannot; each case list applies to one kind.
  if (adapter.unsupported?.streams !== true) {
    describe('streams', () => {
      it('server stream: yields every value in order, then ends', async () => {
        const { client } = await open();
        expect(await within(5_000, collect(client.countdown(5)), 'the stream')).toEqual([5, 4, 3, 2, 1]);
        // 20 000 messages cost at least 64 bytes of window each: more than the 1 MiB window.
        const many = await within(10_000, collect(client.countdown(20_000)), 'the stream');
        expect(many).toEqual(Array.from({ length: 20_000 }, (_, i) => 20_000 - i));
      });

      it('client stream: the server reads every value sent, and answers once', async () => {
        const { client } = await open();
        expect(await within(5_000, client.total(numbers(100)), 'the stream')).toBe(5050);
        expect(await within(5_000, client.total(numbers(0)), 'the empty stream')).toBe(0);
      });

      it('bidirectional stream: each reply arrives while the caller is still sending', async () => {
        const { client } = await open();
        let replied: () => void = () => {};
        // Sends the next line only after the reply to the previous one came back: lockstep.
        async function* lines(): AsyncGenerator<string> {
          for (const line of ['a', 'b', 'c']) {
            yield line;
            await new Promise<void>((resolve) => (replied = resolve));
          }
        }
        const replies: string[] = [];
        await within(
          5_000,
          (async () => {
            for await (const reply of client.echoStream(lines())) {
              replies.push(reply);
              replied();
            }
          })(),
          'the stream',
        );
        expect(replies).toEqual(['echo: a', 'echo: b', 'echo: c']);
      });

      it("delivers a handler's error mid-stream to the iterator, after the values before it", async () => {
        const { client } = await open();
        const received: number[] = [];
        const error = await rejection(
          within(
            5_000,
            (async () => {
              for await (const value of client.failAfter(3, Code.DataLoss)) received.push(value);
            })(),
            'the stream',
          ),
        );
        expect(received).toEqual([0, 1, 2]);
        expect([error.code, error.message, error.details]).toEqual([Code.DataLoss, 'failed after 3', { count: 3 }]);
      });

      it('cancels a server stream on the server when the caller breaks out, and the channel goes on', async () => {
        const { client } = await open();
        const tag = `${adapter.name}-break`;
        await within(
          5_000,
          (async () => {
            for await (const value of client.ticks(tag, 1000, 5)) if (value === 3) break;
          })(),
          'the stream',
        );
        await expect.poll(() => client.aborted()).toContain(`${tag}:${Code.Cancelled}`);
        expect(await client.add(1, 1)).toBe(2);
      });

      it('fails a stream with Cancelled when its signal aborts, and the server sees the abort', async () => {
        const { client } = await open();
        const tag = `${adapter.name}-stream-cancel`;
        const controller = new AbortController();
        const received: number[] = [];
        const failure = rejection(
          within(
            5_000,
            (async () => {
              for await (const value of client.ticks(tag, 1000, 10, { signal: controller.signal })) {
                received.push(value);
                if (value === 2) controller.abort();
              }
            })(),
            'the stream',
          ),
        );
        expect((await failure).code).toBe(Code.Cancelled);
        expect(received.slice(0, 3)).toEqual([0, 1, 2]);
        await expect.poll(() => client.aborted()).toContain(`${tag}:${Code.Cancelled}`);
      });

      it('fails a stream with DeadlineExceeded on time, and the server sees its signal abort', async () => {
        const { client } = await open();
        const tag = `${adapter.name}-stream-deadline`;
        const received: number[] = [];
        const started = performance.now();
        const error = await rejection(
          within(
            5_000,
            (async () => {
              for await (const value of client.ticks(tag, 1000, 10, { timeout: 150 })) received.push(value);
            })(),
            'the stream',
          ),
        );
        const elapsed = performance.now() - started;
        expect(error.code).toBe(Code.DeadlineExceeded);
        expect(error.message).toMatch(/^Conformance\.ticks: /);
        expect(elapsed).toBeGreaterThanOrEqual(145);
        expect(elapsed).toBeLessThan(1000);
        expect(received.length).toBeGreaterThan(0);
        await expect.poll(() => client.aborted()).toContainEqual(expect.stringMatching(new RegExp(`^${tag}:(${Code.Cancelled}|${Code.DeadlineExceeded})$`)));
      });

      it('fails an open stream with Unavailable within a second when the server dies', async () => {
        const doomed = await start();
        const { channel, client } = await open(doomed.target);
        const received: number[] = [];
        let first: () => void = () => {};
        const flowing = new Promise<void>((resolve) => (first = resolve));
        let failedAt = Number.NaN;
        const failure = rejection(
          within(
            5_000,
            (async () => {
              for await (const value of client.ticks(`${adapter.name}-stream-killed`, 100_000, 10)) {
                received.push(value);
                first();
              }
            })(),
            'the stream',
          ).finally(() => (failedAt = performance.now())),
        );
        await within(5_000, flowing, 'the first value');
        const killedAt = performance.now();
        await doomed.kill();
        const error = await failure;
        expect(failedAt - killedAt).toBeLessThan(1000);
        expect(error.code).toBe(Code.Unavailable);
        expect(error.message).toMatch(/^Conformance\.ticks: /);
        expect(error.message.endsWith(`(${channel.target})`)).toBe(true);
      });
    });
  } else {
    describe('streams, declared unsupported', () => {
      it.each([
        ['server stream', (client: ConformanceClient) => collect(client.countdown(3))],
        ['client stream', (client: ConformanceClient) => client.total(numbers(3))],
        ['bidirectional stream', (client: ConformanceClient) => collect(client.echoStream(strings(3)))],
      ] as const)('answers a %s with a clear Unimplemented naming the method', async (_, call) => {
        const { client } = await open();
        // An async function turns a synchronous throw of the stub into a rejection too.
        const error = await rejection(within(5_000, (async () => call(client))(), 'the call'));
        expect(error.code).toBe(Code.Unimplemented);
        expect(error.message).toMatch(/^Conformance\.(countdown|total|echoStream): .*\S/);
        expect(await client.add(1, 1)).toBe(2);
      });
    });
  }

  describe('peer death', () => {
    it('fails a call in flight with Unavailable within a second when the server dies, and later calls too', async () => {
      const doomed = await start();
      const { channel, client } = await open(doomed.target);
      let failedAt = Number.NaN;
      const failure = rejection(within(2_000, client.hang(`${adapter.name}-killed`), 'the call').finally(() => (failedAt = performance.now())));
      await sleep(20);
      const killedAt = performance.now();
      await doomed.kill();
      const error = await failure;
      expect(failedAt - killedAt).toBeLessThan(1000);
      expect(error.code).toBe(Code.Unavailable);
      expect(error.message).toMatch(/^Conformance\.hang: /);
      expect(error.message.endsWith(`(${channel.target})`)).toBe(true);
      expect((await rejection(within(2_000, client.add(1, 1), 'the next call'))).code).toBe(Code.Unavailable);
    });

    it('is a fresh server on each start', async () => {
      const other = await start();
      const [first, second] = await Promise.all([(await open()).client.whoami(), (await open(other.target)).client.whoami()]);
      expect(first).not.toBe(second);
    });
  });
});
