import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CallContext } from './call-context.js';
import type { CallOptions } from './call-options.js';
import type { Channel } from './channel.js';
import { Code } from './code.js';
import { connect } from './connect.js';
import { gather } from './gather.js';
import { memory } from './memory-transport.js';
import { RpcError } from './rpc-error.js';
import { Server } from './server.js';
import { defineService } from './service.js';
import type { Connection, Transport } from './transport.js';
import { rejection, thrown } from '../../../test/support/rejection.js';

interface Handlers {
  /** Member i answers i (or fails, or takes its time). */
  answer(ctx: CallContext): Promise<number>;
}

const service = defineService<Handlers>({ name: 'Group', methods: { answer: { kind: 'unary', params: [] } } });

/** What codegen would emit for the service. */
class GroupClient {
  readonly #channel: Channel;
  constructor(channel: Channel) {
    this.#channel = channel;
  }
  answer(options?: CallOptions): Promise<number> {
    return this.#channel.unary<number>(service.methods.answer, [], options);
  }
}

/** One member of the group: how its handler behaves, and how its link to the client behaves. */
interface Member {
  /** The handler answers after this many ms (aborted by its signal). */
  delay?: number;
  /** The handler throws an RpcError (NotFound) with this message. */
  fail?: string;
  /** The link delivers every message from this member twice. */
  twice?: boolean;
  /** The link delivers messages from this member this many ms late. */
  lag?: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

const memberUrl = (i: number) => `memory://member-${i}`;

/**
 * A test-only one-to-many transport: one memory connection per member, every message sent to
 * each of them, every message received tagged with the member it came from.
 */
function fanOut(members: { transport: Transport; twice?: boolean; lag?: number }[], replyTimeout: number): Transport {
  return {
    name: 'fan-out',
    address: 'fan-out://group',
    streams: false,
    async connect(handlers) {
      const links = await Promise.all(
        members.map(({ transport, twice, lag }, i) => {
          const deliver = (message: Uint8Array) => {
            handlers.onMessage(message, memberUrl(i));
            if (twice) handlers.onMessage(message.slice(), memberUrl(i));
          };
          return transport.connect({
            onMessage: (message) => (lag === undefined ? deliver(message) : setTimeout(() => deliver(message), lag)),
            onOversized: (head, size) => handlers.onOversized(head, size),
            onClose: () => {},
          });
        }),
      );
      let open = true;
      const connection: Connection = {
        peer: 'fan-out://group',
        headroom: 0,
        oneToMany: { replyTimeout },
        send(message) {
          if (!open) throw new RpcError(Code.Unavailable, 'fan-out://group is closed');
          for (const link of links) link.send(message.slice());
        },
        close(reason) {
          if (!open) return;
          open = false;
          for (const link of links) link.close(reason);
          queueMicrotask(() => handlers.onClose(reason));
        },
      };
      return connection;
    },
    listen: () => Promise.reject(new RpcError(Code.Unimplemented, 'the fan-out transport only connects')),
  };
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  // Channels were opened last: close them first, then the servers.
  for (const thing of open.splice(0).reverse()) await thing.close();
});

/** Serves each member on its own memory transport and connects one channel to all of them. */
async function group(members: Member[], replyTimeout = 1_000) {
  const aborts: { member: number; reason: unknown }[] = [];
  const links = await Promise.all(
    members.map(async ({ delay, fail, twice, lag }, i) => {
      const server = new Server({ gracePeriod: 0, onError: () => {} });
      server.add(service, {
        answer: async (ctx) => {
          ctx.signal.addEventListener('abort', () => aborts.push({ member: i, reason: ctx.signal.reason }));
          if (delay !== undefined) await sleep(delay, ctx.signal);
          if (fail !== undefined) throw new RpcError(Code.NotFound, fail);
          return i;
        },
      });
      const transport = memory();
      await server.listen(transport);
      open.push(server);
      return { transport, twice, lag };
    }),
  );
  const channel = await connect(fanOut(links, replyTimeout), { keepalive: false, reconnect: false });
  open.push(channel);
  return { channel, aborts, client: new GroupClient(channel) };
}

/** Runs `call` and says how long it took. */
async function timed<T>(call: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await call();
  return [result, performance.now() - start];
}

const byFrom = <R extends { from: string }>(replies: R[]) => [...replies].sort((a, b) => a.from.localeCompare(b.from));

describe('a plain call on a one-to-many connection', () => {
  it('takes the first reply and cancels the call on the other members', async () => {
    const { client, aborts } = await group([{ delay: 300 }, {}, { delay: 300 }]);
    const [value, elapsed] = await timed(() => client.answer());
    expect(value).toBe(1);
    expect(elapsed).toBeLessThan(250);
    await vi.waitFor(() => expect(aborts.map((abort) => abort.member).sort()).toEqual([0, 2]), { timeout: 250 });
    for (const { reason } of aborts) expect(reason).toMatchObject({ code: Code.Cancelled });
  });
});

describe('gather', () => {
  it('returns one reply per member for the whole window, errors included', async () => {
    const { channel } = await group([{}, { fail: 'member 1 has none' }, { delay: 20 }]);
    const [replies, elapsed] = await timed(() => gather(GroupClient, channel, { window: 100 }).answer());
    expect(elapsed).toBeGreaterThanOrEqual(90);
    expect(byFrom(replies)).toMatchObject([
      { from: memberUrl(0), ok: true, value: 0 },
      { from: memberUrl(1), ok: false, error: { code: Code.NotFound, message: 'member 1 has none' } },
      { from: memberUrl(2), ok: true, value: 2 },
    ]);
    expect(replies).toHaveLength(3);
    const failed = replies.find((reply) => !reply.ok);
    expect(failed?.ok === false && failed.error).toBeInstanceOf(RpcError);
  });

  it('ends as soon as `count` replies came, and cancels the call on the rest', async () => {
    const { channel, aborts } = await group([{}, { delay: 400 }, { delay: 10 }]);
    const [replies, elapsed] = await timed(() => gather(GroupClient, channel, { count: 2, window: 1_000 }).answer());
    expect(elapsed).toBeLessThan(350);
    expect(byFrom(replies).map((reply) => reply.from)).toEqual([memberUrl(0), memberUrl(2)]);
    await vi.waitFor(() => expect(aborts).toMatchObject([{ member: 1, reason: { code: Code.Cancelled } }]), { timeout: 250 });
  });

  it('keeps one reply per member when a member answers twice', async () => {
    const { channel } = await group([{}, { twice: true }]);
    const replies = await gather(GroupClient, channel, { window: 100 }).answer();
    expect(byFrom(replies)).toEqual([
      { from: memberUrl(0), ok: true, value: 0 },
      { from: memberUrl(1), ok: true, value: 1 },
    ]);
  });

  it('leaves out the members that answer after the window', async () => {
    // Member 1's handler is slow; member 2 answers at once but its reply is delivered late.
    const { channel } = await group([{}, { delay: 500 }, { lag: 400 }]);
    const [replies, elapsed] = await timed(() => gather(GroupClient, channel, { window: 150 }).answer());
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(380);
    expect(replies).toEqual([{ from: memberUrl(0), ok: true, value: 0 }]);
  });

  it('resolves with one reply, from the peer, on a one-to-one connection', async () => {
    const server = new Server({ gracePeriod: 0 });
    server.add(service, { answer: async () => 42 });
    const transport = memory();
    await server.listen(transport);
    const channel = await connect(transport, { keepalive: false, reconnect: false });
    open.push(server, channel);
    const start = performance.now();
    const replies = await gather(GroupClient, channel, { window: 2_000 }).answer();
    expect(replies).toEqual([{ from: `${transport.address}#server`, ok: true, value: 42 }]);
    // Its one peer has one reply to give: the call ends with it, not at the window.
    expect(performance.now() - start).toBeLessThan(1_000);
  });

  it('refuses a count or window that is not usable', async () => {
    const { channel } = await group([]);
    expect(thrown(() => gather(GroupClient, channel, { count: 0 })).code).toBe(Code.InvalidArgument);
    expect(thrown(() => gather(GroupClient, channel, { count: 1.5 })).code).toBe(Code.InvalidArgument);
    expect(thrown(() => gather(GroupClient, channel, { window: -1 })).code).toBe(Code.InvalidArgument);
  });
});

describe('a group with no members', () => {
  it('fails a plain call without a deadline with Unavailable after the reply timeout', async () => {
    const { client } = await group([], 150);
    const start = performance.now();
    const error = await rejection(client.answer());
    expect(performance.now() - start).toBeGreaterThanOrEqual(140);
    expect(error.code).toBe(Code.Unavailable);
    expect(error.message).toContain('nobody answered');
  });

  it('resolves a gathering call with no replies when the window closes', async () => {
    const { channel } = await group([], 1_000);
    const [replies, elapsed] = await timed(() => gather(GroupClient, channel, { window: 120 }).answer());
    expect(replies).toEqual([]);
    expect(elapsed).toBeGreaterThanOrEqual(110);
    expect(elapsed).toBeLessThan(900);
  });

  it('collects for the reply timeout when the call names no window', async () => {
    const { channel } = await group([], 150);
    const [replies, elapsed] = await timed(() => gather(GroupClient, channel).answer());
    expect(replies).toEqual([]);
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(900);
  });
});
