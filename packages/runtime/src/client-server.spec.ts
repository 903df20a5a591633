import { afterEach, describe, expect, it } from 'vitest';
import type { CallContext } from './call-context.js';
import type { Channel } from './channel.js';
import { Code } from './code.js';
import { connect } from './connect.js';
import { FrameType } from './frame.js';
import { encodeFrame } from './frame-encode.js';
import type { ClientInterceptor, ServerInterceptor } from './interceptor.js';
import { memory } from './memory-transport.js';
import { RpcError } from './rpc-error.js';
import { Server, type ServerOptions } from './server.js';
import { defineService } from './service.js';
import type { Connection, ConnectionHandlers } from './transport.js';
import { rejection } from '../../../test/support/rejection.js';

interface Handlers {
  add(a: number, b: number, ctx: CallContext): number;
  greet(name: string, greeting: string | undefined, ctx: CallContext): string;
  hang(ctx: CallContext): Promise<never>;
  wait(ms: number, ctx: CallContext): Promise<string>;
  fail(code: number, ctx: CallContext): void;
  crash(ctx: CallContext): void;
  echoMetadata(ctx: CallContext): Record<string, string>;
  note(line: string, ctx: CallContext): void;
}

const service = defineService<Handlers>({
  name: 'Test',
  methods: {
    add: { kind: 'unary', params: ['a', 'b'], validate: ([a, b]) => (typeof a !== 'number' ? `a: expected number, got ${typeof a}` : typeof b !== 'number' ? `b: expected number, got ${typeof b}` : undefined) },
    greet: { kind: 'unary', params: ['name', 'greeting'] },
    hang: { kind: 'unary', params: [] },
    wait: { kind: 'unary', params: ['ms'] },
    fail: { kind: 'unary', params: ['code'] },
    crash: { kind: 'unary', params: [] },
    echoMetadata: { kind: 'unary', params: [] },
    note: { kind: 'oneway', params: ['line'] },
  },
});

/** What the handlers saw, for assertions on the server side. */
interface Seen {
  notes: string[];
  aborts: { method: string; reason: unknown }[];
  deadlines: (Date | undefined)[];
}

function handlers(seen: Seen): Handlers {
  const watch = (ctx: CallContext): void => {
    seen.deadlines.push(ctx.deadline);
    ctx.signal.addEventListener('abort', () => seen.aborts.push({ method: ctx.method, reason: ctx.signal.reason }));
  };
  return {
    add: (a, b) => a + b,
    greet: (name, greeting) => `${greeting ?? 'hello'}, ${name}`,
    hang: (ctx) => {
      watch(ctx);
      return new Promise(() => {});
    },
    wait: (ms, ctx) => {
      watch(ctx);
      return new Promise((resolve) => setTimeout(() => resolve(`waited ${ms}`), ms));
    },
    fail: (code) => {
      throw new RpcError(code, 'no such item', { details: { id: 7 } });
    },
    crash: () => {
      throw new Error('handler bug');
    },
    echoMetadata: (ctx) => {
      ctx.responseMetadata['x-echo'] = ctx.metadata['x-request'] ?? 'none';
      return { ...ctx.metadata };
    },
    note: (line) => {
      seen.notes.push(line);
    },
  };
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((thing) => thing.close()));
});

async function serve(options: ServerOptions = {}, connectOptions: Parameters<typeof connect>[1] = {}) {
  const seen: Seen = { notes: [], aborts: [], deadlines: [] };
  const problems: string[] = [];
  const server = new Server({ onError: (problem) => problems.push(problem), ...options });
  server.add(service, handlers(seen));
  const transport = memory();
  await server.listen(transport);
  const channel = await connect(transport, connectOptions);
  open.push(channel, server);
  return { server, channel, seen, problems, transport };
}

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

describe('unary and one-way calls', () => {
  it('returns the handler result', async () => {
    const { channel } = await serve();
    expect(await channel.unary(service.methods.add, [1, 2])).toBe(3);
  });

  it('multiplexes many concurrent calls on one connection, each with its own answer', async () => {
    const { channel } = await serve();
    const results = await Promise.all(Array.from({ length: 500 }, (_, i) => channel.unary(service.methods.add, [i, i])));
    expect(results).toEqual(Array.from({ length: 500 }, (_, i) => 2 * i));
  });

  it('passes a skipped trailing optional argument as undefined, keeping ctx in its place', async () => {
    const { channel } = await serve();
    expect(await channel.unary(service.methods.greet, ['Ada'])).toBe('hello, Ada');
    expect(await channel.unary(service.methods.greet, ['Ada', undefined])).toBe('hello, Ada');
    expect(await channel.unary(service.methods.greet, ['Ada', 'hi'])).toBe('hi, Ada');
  });

  it('delivers one-way calls without a reply', async () => {
    const { channel, seen } = await serve();
    channel.oneway(service.methods.note, ['first']);
    channel.oneway(service.methods.note, ['second']);
    expect(await channel.unary(service.methods.add, [0, 0])).toBe(0);
    expect(seen.notes).toEqual(['first', 'second']);
  });
});

describe('errors', () => {
  it("delivers a handler's RpcError with code, message and details", async () => {
    const { channel } = await serve();
    const error = await rejection(channel.unary(service.methods.fail, [Code.NotFound]));
    expect([error.code, error.message, error.details]).toEqual([Code.NotFound, 'no such item', { id: 7 }]);
  });

  it('turns a plain Error into Internal with its message and no stack', async () => {
    const { channel } = await serve();
    const error = await rejection(channel.unary(service.methods.crash, []));
    expect([error.code, error.message, error.details]).toEqual([Code.Internal, 'handler bug', undefined]);
  });

  it('sends the stack only when the server opts in', async () => {
    const { channel } = await serve({ exposeErrorStack: true });
    const error = await rejection(channel.unary(service.methods.crash, []));
    expect((error.details as { stack: string }).stack).toMatch(/handler bug\n\s+at /);
  });

  it('answers an unknown method with Unimplemented naming it and the server', async () => {
    const { channel } = await serve();
    const error = await rejection(channel.unary({ ...service.methods.add, path: 'Test.nope' }, []));
    expect(error.code).toBe(Code.Unimplemented);
    expect(error.message).toMatch(/^Test\.nope: no such method on this server \(memory:\/\/memory-\d+\)$/);
  });

  it('rejects arguments the validator refuses with InvalidArgument, and too many arguments', async () => {
    const { channel } = await serve();
    const invalid = await rejection(channel.unary(service.methods.add, [1, 'two']));
    expect([invalid.code, invalid.message]).toEqual([Code.InvalidArgument, expect.stringMatching(/^Test\.add: b: expected number, got string \(/)]);
    const tooMany = await rejection(channel.unary(service.methods.add, [1, 2, 3]));
    expect(tooMany.message).toMatch(/expected at most 2 arguments, got 3/);
    expect(await channel.unary(service.methods.add, [2, 2])).toBe(4);
  });

  it('rejects arguments the codec cannot encode without sending anything', async () => {
    const { channel } = await serve();
    const error = await rejection(channel.unary(service.methods.greet, [Symbol('not data')]));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.message).toMatch(/^Test\.greet: could not encode the arguments/);
  });
});

describe('deadlines', () => {
  it('rejects with DeadlineExceeded on time even if the server never answers, and aborts the handler', async () => {
    const { channel, seen } = await serve();
    const started = performance.now();
    const error = await rejection(channel.unary(service.methods.hang, [], { timeout: 50 }));
    const elapsed = performance.now() - started;
    expect(error.code).toBe(Code.DeadlineExceeded);
    expect(error.message).toMatch(/^Test\.hang: deadline exceeded after 50 ms \(memory:/);
    expect(elapsed).toBeGreaterThanOrEqual(45);
    await tick(20);
    expect(seen.aborts).toHaveLength(1);
    expect(seen.deadlines[0]).toBeInstanceOf(Date);
  });

  it('takes the earlier of timeout and deadline, and tells the handler when', async () => {
    const { channel, seen } = await serve();
    const deadline = new Date(Date.now() + 40);
    const error = await rejection(channel.unary(service.methods.hang, [], { timeout: 10_000, deadline }));
    expect(error.code).toBe(Code.DeadlineExceeded);
    expect(error.message).toMatch(new RegExp(`^Test\\.hang: deadline ${deadline.toISOString().replace(/\./g, '\\.')} exceeded`));
    expect(Math.abs((seen.deadlines[0]?.getTime() ?? 0) - deadline.getTime())).toBeLessThan(30);
  });

  it('drops a result that comes after the deadline', async () => {
    const { channel } = await serve();
    const error = await rejection(channel.unary(service.methods.wait, [80], { timeout: 20 }));
    expect(error.code).toBe(Code.DeadlineExceeded);
    await tick(100);
    expect(await channel.unary(service.methods.add, [1, 1])).toBe(2);
  });

  it('fails at once when the deadline has already passed', async () => {
    const { channel, seen } = await serve();
    const error = await rejection(channel.unary(service.methods.hang, [], { deadline: new Date(Date.now() - 1) }));
    expect(error.code).toBe(Code.DeadlineExceeded);
    expect(seen.deadlines).toHaveLength(0);
  });

  it('gives the handler no deadline when the caller set none', async () => {
    const { channel, seen } = await serve();
    expect(await channel.unary(service.methods.wait, [1])).toBe('waited 1');
    expect(seen.deadlines).toEqual([undefined]);
  });
});

describe('cancellation', () => {
  it('rejects with Cancelled at once and aborts the handler signal on the server', async () => {
    const { channel, seen } = await serve();
    const controller = new AbortController();
    const call = channel.unary(service.methods.hang, [], { signal: controller.signal });
    await tick(5);
    controller.abort();
    const error = await rejection(call);
    expect(error.code).toBe(Code.Cancelled);
    expect(error.message).toMatch(/^Test\.hang: cancelled by the caller/);
    await tick(5);
    expect(seen.aborts).toHaveLength(1);
    expect((seen.aborts[0]?.reason as RpcError).code).toBe(Code.Cancelled);
  });

  it('does not send a call whose signal is already aborted', async () => {
    const { channel, seen } = await serve();
    const error = await rejection(channel.unary(service.methods.hang, [], { signal: AbortSignal.abort() }));
    expect(error.code).toBe(Code.Cancelled);
    await tick(5);
    expect(seen.deadlines).toHaveLength(0);
  });
});

describe('metadata', () => {
  it('carries request metadata to ctx.metadata and response metadata back', async () => {
    const { channel } = await serve();
    const received: Record<string, string>[] = [];
    const echoed = await channel.unary(service.methods.echoMetadata, [], {
      metadata: { 'x-request': 'r1', authorization: 'Bearer t' },
      onResponseMetadata: (metadata) => received.push({ ...metadata }),
    });
    expect(echoed).toEqual({ 'x-request': 'r1', authorization: 'Bearer t' });
    expect(received).toEqual([{ 'x-echo': 'r1' }]);
  });

  it('carries response metadata on errors as RpcError.metadata', async () => {
    const tagging: ServerInterceptor = (next) => async (request) => {
      request.context.responseMetadata['x-trace'] = 't-1';
      return next(request);
    };
    const { channel } = await serve({ interceptors: [tagging] });
    const error = await rejection(channel.unary(service.methods.fail, [Code.NotFound]));
    expect(error.metadata).toEqual({ 'x-trace': 't-1' });
  });
});

describe('interceptors', () => {
  it('run onion-style on both sides: logging, auth and metrics', async () => {
    const log: string[] = [];
    const logging: ClientInterceptor = (next) => async (request) => {
      log.push(`client> ${request.method.path}`);
      try {
        return await next(request);
      } finally {
        log.push(`client< ${request.method.path}`);
      }
    };
    const token: ClientInterceptor = (next) => (request) => next({ ...request, metadata: { ...request.metadata, authorization: 'Bearer good' } });
    const auth: ServerInterceptor = (next) => (request) => {
      if (request.context.metadata.authorization !== 'Bearer good') {
        throw new RpcError(Code.Unauthenticated, `${request.method.path}: a valid bearer token is required`);
      }
      return next(request);
    };
    const calls = new Map<string, number>();
    const metrics: ServerInterceptor = (next) => async (request) => {
      calls.set(request.method.path, (calls.get(request.method.path) ?? 0) + 1);
      return next(request);
    };
    const { transport } = await serve({ interceptors: [metrics, auth] });
    const authorized = await connect(transport, { interceptors: [logging, token] });
    const anonymous = await connect(transport);
    open.push(authorized, anonymous);

    expect(await authorized.unary(service.methods.add, [2, 3])).toBe(5);
    expect(log).toEqual(['client> Test.add', 'client< Test.add']);
    const refused = await rejection(anonymous.unary(service.methods.add, [2, 3]));
    expect([refused.code, refused.message]).toEqual([Code.Unauthenticated, 'Test.add: a valid bearer token is required']);
    expect(calls.get('Test.add')).toBe(2);
  });

  it('may change the arguments on the way to the handler', async () => {
    const double: ServerInterceptor = (next) => (request) => next({ ...request, args: request.args.map((a) => (a as number) * 2) });
    const { channel } = await serve({ interceptors: [double] });
    expect(await channel.unary(service.methods.add, [1, 2])).toBe(6);
  });
});

describe('shutdown', () => {
  it('lets in-flight calls finish while new calls find no server (GOAWAY sends them elsewhere)', async () => {
    const { server, channel } = await serve();
    const states: string[] = [];
    channel.onStateChange((state) => states.push(state));
    const inFlight = channel.unary(service.methods.wait, [50]);
    await tick(5);
    const closing = server.close({ gracePeriod: 1_000 });
    await tick(5);
    // The draining connection is no longer the channel's: a new call needs a new connection,
    // and the draining server accepts none.
    expect(channel.state).toBe('idle');
    const refused = await rejection(channel.unary(service.methods.add, [1, 1]));
    expect(refused.code).toBe(Code.Unavailable);
    expect(refused.message).toMatch(/^Test\.add: could not connect to memory:\/\/memory-\d+: no memory server is listening/);
    expect(await inFlight).toBe('waited 50');
    await closing;
    expect(states).toEqual(['idle', 'connecting', 'idle']);
  });

  it('cancels calls still running when the grace period ends; their callers get Unavailable', async () => {
    const { server, channel, seen } = await serve();
    const stuck = channel.unary(service.methods.hang, []);
    await tick(5);
    const started = performance.now();
    await server.close({ gracePeriod: 30 });
    expect(performance.now() - started).toBeLessThan(500);
    const error = await rejection(stuck);
    expect(error.code).toBe(Code.Unavailable);
    expect(error.message).toMatch(/Test\.hang: the server shut down before the call finished/);
    expect(seen.aborts).toHaveLength(1);
  });

  it('fails calls on a closed channel with Unavailable', async () => {
    const { channel } = await serve();
    const pending = channel.unary(service.methods.hang, []);
    await channel.close();
    expect((await rejection(pending)).code).toBe(Code.Unavailable);
    const error = await rejection(channel.unary(service.methods.add, [1, 1]));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.message).toMatch(/^Test\.add: the channel was closed \(memory:/);
  });

  it('refuses to connect where nobody listens', async () => {
    const error = await rejection(connect(memory({ name: 'nobody-here' })));
    expect([error.code, error.message]).toEqual([Code.Unavailable, 'could not connect to memory://nobody-here: no memory server is listening at memory://nobody-here']);
  });
});

describe('bad input from the wire', () => {
  /** A raw connection to the server, to send bytes no well-behaved client would. */
  async function rawPeer(server: Server) {
    const transport = memory();
    await server.listen(transport);
    const received: Uint8Array[] = [];
    let closed = false;
    const handlers: ConnectionHandlers = {
      onMessage: (message) => received.push(message),
      onOversized: () => {},
      onClose: () => (closed = true),
    };
    const connection: Connection = await transport.connect(handlers);
    return { connection, received, isClosed: () => closed };
  }

  it('closes a connection whose first message is not a HELLO, and keeps serving others', async () => {
    const { server, channel, problems } = await serve();
    const peer = await rawPeer(server);
    peer.connection.send(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await tick(5);
    expect(peer.isClosed()).toBe(true);
    expect(problems.join('\n')).toMatch(/does not speak the Conduit protocol/);
    expect(await channel.unary(service.methods.add, [1, 1])).toBe(2);
  });

  it('refuses a codec it does not speak with a GOAWAY saying which it does', async () => {
    const { server } = await serve();
    const peer = await rawPeer(server);
    peer.connection.send(encodeFrame({ type: FrameType.Hello, version: 1, codec: 'xml' }));
    await tick(5);
    expect(peer.isClosed()).toBe(true);
    expect(Buffer.from(peer.received[0] ?? []).toString('latin1')).toMatch(/codec 'xml' is not supported; this server speaks msgpack/);
  });

  it('answers a malformed CALL with InvalidArgument for that call only', async () => {
    const { server } = await serve();
    const peer = await rawPeer(server);
    peer.connection.send(encodeFrame({ type: FrameType.Hello, version: 1, codec: 'msgpack' }));
    const call = encodeFrame({ type: FrameType.Call, id: 9, method: 'Test.add', noReply: false, timeout: undefined, metadata: undefined, payload: Uint8Array.of(0x92, 1, 2) });
    peer.connection.send(call.subarray(0, 8));
    peer.connection.send(call);
    await tick(5);
    const [hello, error, result] = peer.received.map((message) => Buffer.from(message));
    expect(hello?.[0]).toBe(FrameType.Hello);
    expect([error?.[0], error?.readUInt32BE(1), error?.readUInt16BE(6)]).toEqual([FrameType.Error, 9, Code.InvalidArgument]);
    expect([result?.[0], result?.readUInt32BE(1)]).toEqual([FrameType.Result, 9]);
    expect(peer.isClosed()).toBe(false);
  });

  it('answers arguments that are not a decodable array with InvalidArgument', async () => {
    const { server } = await serve();
    const peer = await rawPeer(server);
    peer.connection.send(encodeFrame({ type: FrameType.Hello, version: 1, codec: 'msgpack' }));
    peer.connection.send(encodeFrame({ type: FrameType.Call, id: 1, method: 'Test.add', noReply: false, timeout: undefined, metadata: undefined, payload: Uint8Array.of(0x92, 0x01) }));
    peer.connection.send(encodeFrame({ type: FrameType.Call, id: 2, method: 'Test.add', noReply: false, timeout: undefined, metadata: undefined, payload: Uint8Array.of(0x01) }));
    await tick(5);
    const messages = peer.received.slice(1).map((message) => Buffer.from(message).toString('latin1'));
    expect(messages[0]).toMatch(/Test\.add: could not decode the arguments with msgpack/);
    expect(messages[1]).toMatch(/Test\.add: the arguments are not an array/);
  });
});

describe('channel ids', () => {
  it('keeps answering after many calls, each settled exactly once', async () => {
    const { channel }: { channel: Channel } = await serve();
    let total = 0;
    for (let round = 0; round < 20; round++) {
      const batch = await Promise.all(Array.from({ length: 100 }, () => channel.unary<number>(service.methods.add, [1, 0])));
      total += batch.reduce((sum, one) => sum + one, 0);
    }
    expect(total).toBe(2000);
  });
});
