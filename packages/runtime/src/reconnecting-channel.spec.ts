import { afterEach, describe, expect, it } from 'vitest';
import { rejection } from '../../../test/support/rejection.js';
import type { CallContext } from './call-context.js';
import type { Channel, ChannelState } from './channel.js';
import { Code } from './code.js';
import { connect } from './connect.js';
import { memory } from './memory-transport.js';
import { Server } from './server.js';
import { defineService } from './service.js';

interface Handlers {
  whoami(ctx: CallContext): string;
}
const service = defineService<Handlers>({ name: 'Who', methods: { whoami: { kind: 'unary', params: [] } } });

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((thing) => thing.close()));
});

async function startServer(name: string, identity: string): Promise<Server> {
  const server = new Server({ onError: () => {} });
  server.add(service, { whoami: () => identity });
  await server.listen(memory({ name }));
  open.push(server);
  return server;
}

async function channelTo(name: string, options: Parameters<typeof connect>[1] = {}): Promise<{ channel: Channel; states: ChannelState[] }> {
  const channel = await connect(memory({ name }), { reconnect: { initialBackoff: 20, maxBackoff: 50 }, ...options });
  open.push(channel);
  const states: ChannelState[] = [];
  channel.onStateChange((state) => states.push(state));
  return { channel, states };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a channel whose server goes away', () => {
  it('reconnects on the next call once a server is back, without a new channel', async () => {
    const first = await startServer('restarting', 'first');
    const { channel, states } = await channelTo('restarting');
    expect(await channel.unary(service.methods.whoami, [])).toBe('first');
    await first.close();
    await sleep(5);
    expect(channel.state).toBe('idle');
    await startServer('restarting', 'second');
    expect(await channel.unary(service.methods.whoami, [])).toBe('second');
    expect(states).toEqual(['idle', 'connecting', 'ready']);
  });

  it('fails a call fast with Unavailable while nobody listens, and backs off before trying again', async () => {
    const first = await startServer('gone', 'first');
    const { channel, states } = await channelTo('gone');
    await first.close();
    await sleep(5);
    const error = await rejection(channel.unary(service.methods.whoami, []));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.message).toMatch(/^Who\.whoami: could not connect to memory:\/\/gone: no memory server is listening/);
    // Within the backoff the next call does not even try.
    await rejection(channel.unary(service.methods.whoami, []));
    expect(states.filter((state) => state === 'connecting')).toHaveLength(1);
  });

  it('makes a waitForReady call wait until a server is back', async () => {
    const first = await startServer('later', 'first');
    const { channel } = await channelTo('later');
    await first.close();
    await sleep(5);
    setTimeout(() => void startServer('later', 'back'), 120);
    expect(await channel.unary(service.methods.whoami, [], { waitForReady: true, timeout: 3_000 })).toBe('back');
  });

  it('bounds the wait by the call deadline and by its signal', async () => {
    const first = await startServer('never', 'first');
    const { channel } = await channelTo('never');
    await first.close();
    await sleep(5);
    const expired = await rejection(channel.unary(service.methods.whoami, [], { waitForReady: true, timeout: 80 }));
    expect([expired.code, expired.message]).toEqual([Code.DeadlineExceeded, 'Who.whoami: deadline exceeded while waiting for a connection (memory://never)']);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const cancelled = await rejection(channel.unary(service.methods.whoami, [], { waitForReady: true, signal: controller.signal }));
    expect(cancelled.code).toBe(Code.Cancelled);
  });

  it('stays down when reconnection is off', async () => {
    const first = await startServer('once', 'first');
    const { channel } = await channelTo('once', { reconnect: false });
    await first.close();
    await startServer('once', 'second');
    expect((await rejection(channel.unary(service.methods.whoami, []))).code).toBe(Code.Unavailable);
  });

  it('refuses every call once closed, and says so', async () => {
    await startServer('closing', 'first');
    const { channel, states } = await channelTo('closing');
    await channel.close();
    const error = await rejection(channel.unary(service.methods.whoami, [], { waitForReady: true }));
    expect([error.code, error.message]).toEqual([Code.Unavailable, 'Who.whoami: the channel was closed (memory://closing)']);
    expect(states).toEqual(['closed']);
  });
});
