/**
 * The Conformance service's handlers and the server that serves them, shared by the server
 * process (conformance-server.ts) and adapters that run the server in the test's own process.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Code, msgpackCodec, protobufCodec, RpcError, Server, type CallContext, type ServerInterceptor } from '@conduit/runtime';
import { ConformanceService, type ConformanceHandlers } from './generated/conformance.rpc.js';

export interface ConformanceServerOptions {
  /** Require `authorization: Bearer good` on every call (Unauthenticated otherwise). Default false. */
  auth?: boolean;
  /** Passed to `new Server({ gracePeriod })`. Default: the runtime's. */
  gracePeriod?: number;
  /** Passed to `new Server({ onError })`. Default: the runtime's (a line on stderr). */
  onError?: (problem: string, cause?: unknown) => void;
}

/** The token `auth` servers accept; the suite's client interceptor sends it. */
export const GOOD_AUTHORIZATION = 'Bearer good';

const requireToken: ServerInterceptor = (next) => (request) => {
  if (request.context.metadata.authorization !== GOOD_AUTHORIZATION) {
    throw new RpcError(Code.Unauthenticated, `${request.method.path}: a valid bearer token is required`);
  }
  return next(request);
};

/** A Server with the Conformance service added, not yet listening. Each has its own state. */
export function conformanceServer(options: ConformanceServerOptions = {}): Server {
  const server = new Server({
    codecs: [msgpackCodec, protobufCodec],
    interceptors: options.auth ? [requireToken] : [],
    ...(options.gracePeriod !== undefined && { gracePeriod: options.gracePeriod }),
    ...(options.onError !== undefined && { onError: options.onError }),
  });
  return server.add(ConformanceService, conformanceHandlers());
}

function conformanceHandlers(): ConformanceHandlers {
  const instance = `${process.pid}/${randomUUID()}`;
  const aborted: string[] = [];
  const notes: string[] = [];
  /** Records `tag:code` once the call's signal aborts. */
  const watch = (tag: string, ctx: CallContext): void => {
    const record = (): void => void aborted.push(`${tag}:${(ctx.signal.reason as RpcError).code}`);
    if (ctx.signal.aborted) record();
    else ctx.signal.addEventListener('abort', record, { once: true });
  };
  return {
    add: (a, b) => a + b,
    echo: (text) => text,
    fail: (code, message, ctx) => {
      ctx.responseMetadata['x-failed'] = 'yes';
      throw new RpcError(code, message, { details: { code, list: [1, 2, 3] } });
    },
    crash: () => {
      throw new Error('handler bug');
    },
    hang: (tag, ctx) => {
      watch(tag, ctx);
      return new Promise<void>(() => {});
    },
    aborted: () => aborted,
    metadata: (ctx) => {
      ctx.responseMetadata['x-echo'] = ctx.metadata['x-request'] ?? '';
      return Object.entries(ctx.metadata);
    },
    note: (line) => {
      notes.push(line);
    },
    notes: () => notes,
    whoami: () => instance,
    async *countdown(from) {
      for (let i = from; i >= 1; i--) yield i;
    },
    async total(values) {
      let sum = 0;
      for await (const value of values) sum += value;
      return sum;
    },
    async *echoStream(lines) {
      for await (const line of lines) yield `echo: ${line}`;
    },
    async *ticks(tag, count, intervalMs, ctx) {
      watch(tag, ctx);
      for (let i = 0; i < count; i++) {
        if (i > 0) await delay(intervalMs, undefined, { signal: ctx.signal });
        yield i;
      }
    },
    async *failAfter(count, code) {
      for (let i = 0; i < count; i++) yield i;
      throw new RpcError(code, `failed after ${count}`, { details: { count } });
    },
  };
}
