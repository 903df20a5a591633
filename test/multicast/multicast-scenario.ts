/**
 * The multicast group scenario, run by multicast.test.ts inside a private network namespace
 * (scripts/private-network.sh): three member processes, then every kind of group call from this
 * process. It asserts nothing itself; it prints what it saw as one JSON line, `REPORT {…}`, for
 * the test to check. Every step records its error instead of throwing, so one broken step does not
 * hide what the others saw.
 */
import { createSocket } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, gather, RpcError, Server, type Reply } from '@conduit/runtime';
import { discover, multicast } from '@conduit/transports';
import { startServerProcess, stopGracefully, type ServerProcess } from '../support/server-process.js';
import { startLossyRelay } from './lossy-relay.js';
import { RollCallClient, type Tally } from './generated/roll-call.rpc.js';

const GROUP = '239.255.0.9';
const PORT = 47_001;
const EMPTY_GROUP = '239.255.0.10';
/** Joined only by the lossy relay, which passes calls on to GROUP. */
const RELAY_GROUP = '239.255.0.11';
const names = ['a', 'b', 'c'];

const report: Record<string, unknown> = {};
async function step(name: string, run: () => Promise<unknown>): Promise<void> {
  try {
    report[name] = await run();
  } catch (error) {
    report[name] = { failed: error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error) };
  }
}

function errorOf(error: unknown) {
  return error instanceof RpcError ? { code: error.code, message: error.message } : { code: -1, message: String(error) };
}

function replyOf<T>(reply: Reply<T>) {
  return reply.ok ? { from: reply.from, ok: true, value: reply.value } : { from: reply.from, ok: false, ...errorOf(reply.error) };
}

const members: ServerProcess[] = await Promise.all(
  names.map((name, i) =>
    startServerProcess('multicast-member.ts', ['--name', name, '--rank', String(i + 1), '--group', GROUP, '--port', String(PORT), '--reply-delay', '10']),
  ),
);
const transport = multicast({ group: GROUP, port: PORT });
const channel = await connect(transport, { reconnect: false });
const calls = new RollCallClient(channel);
const tallies = async (): Promise<Record<string, Tally>> => {
  const replies = await gather(RollCallClient, channel, { window: 300 }).tally();
  const byMember: Record<string, Tally> = {};
  for (const [i, reply] of replies.entries()) byMember[reply.ok ? reply.from : `failed-${i}`] = reply.ok ? reply.value : (undefined as never);
  return byMember;
};

report.memberUrls = members.map((member) => member.url);

await step('firstReply', async () => {
  const started = performance.now();
  const value = await calls.name();
  return { value, ms: performance.now() - started };
});

await step('gatherAll', async () => {
  const started = performance.now();
  const replies = await gather(RollCallClient, channel, { window: 300 }).name();
  return { replies: replies.map(replyOf), ms: performance.now() - started };
});

await step('gatherCount', async () => {
  const started = performance.now();
  const replies = await gather(RollCallClient, channel, { count: 2, window: 3_000 }).name();
  return { replies: replies.map(replyOf), ms: performance.now() - started };
});

await step('gatherErrors', async () => (await gather(RollCallClient, channel, { window: 300 }).failOn(['b'])).map(replyOf));

await step('firstReplyCancelsTheRest', async () => {
  // a answers after 250 ms; b would after 500 and c after 750, so a busy machine has 250 ms to deliver the CANCEL.
  const value = await calls.slow(250);
  await sleep(300);
  return { value, tallies: await tallies() };
});

await step('resentCallsRunOnce', async () => {
  const before = await tallies();
  const resendsBefore = transport.stats.resends;
  const replies = await gather(RollCallClient, channel, { window: 400 }).increment(1);
  const resends = transport.stats.resends - resendsBefore;
  const after = await tallies();
  const runs = Object.keys(after).map((member) => (after[member]?.increments ?? 0) - (before[member]?.increments ?? 0));
  const copies = Object.keys(after).map((member) => (after[member]?.duplicates ?? 0) - (before[member]?.duplicates ?? 0));
  return { replies: replies.map(replyOf), resends, runs, copies };
});

await step('lossy', async () => {
  const before = await tallies();
  const faults = { loss: 0.2, duplicate: 0.1, reorder: 0.1, maxDelayMs: 20 };
  const relay = await startLossyRelay({ front: { group: RELAY_GROUP, port: PORT }, members: { group: GROUP, port: PORT }, faults, seed: 8 });
  const lossy = await connect(multicast({ group: RELAY_GROUP, port: PORT }), { reconnect: false });
  const calls = 40;
  let complete = 0;
  const totalsSeen: Record<string, number[]> = {};
  for (let i = 0; i < calls; i++) {
    const replies = await gather(RollCallClient, lossy, { count: 3, window: 400 }).increment(1);
    if (replies.length === 3) complete++;
    for (const reply of replies) if (reply.ok) (totalsSeen[reply.from] ??= []).push(reply.value);
  }
  await lossy.close();
  await relay.close();
  const after = await tallies();
  const ran = Object.keys(after).map((member) => (after[member]?.increments ?? 0) - (before[member]?.increments ?? 0));
  return { calls, complete, totalsSeen: Object.values(totalsSeen), ran, counts: relay.counts };
});

await step('notification', async () => {
  calls.note('hello, group');
  await sleep(200);
  return await tallies();
});

await step('stream', async () => {
  try {
    for await (const n of calls.count(2)) return { unexpected: n };
    return { unexpected: 'an empty stream' };
  } catch (error) {
    return errorOf(error);
  }
});

await step('oversized', async () => {
  const refused = await calls.echo(new Uint8Array(2_000)).then(() => ({ code: 0, message: 'accepted' }), errorOf);
  return { refused, after: await calls.name() };
});

await step('garbage', async () => {
  const raw = createSocket('udp4');
  await new Promise<void>((resolve) => raw.bind(0, '127.0.0.1', resolve));
  raw.setMulticastInterface('127.0.0.1');
  const header = (kind: number, version = 1) => Buffer.from([0x43, 0x4d, version, kind, 1, 2, 3, 4, 5, 6, 7, 8]);
  const junk = [
    Buffer.from('hello from a shell\n'),
    Buffer.from([0x43, 0x4d, 1]),
    Buffer.concat([header(1, 9), Buffer.from([7]), Buffer.from('msgpack')]),
    Buffer.concat([header(2), Buffer.from([3, 0, 0, 0, 1])]),
    Buffer.concat([header(1), Buffer.from([7]), Buffer.from('msgpack'), Buffer.from([0x02, 0, 0, 0, 9, 0xff, 0xff, 0xff])]),
    Buffer.concat([header(1), Buffer.from([200]), Buffer.from('short')]),
  ];
  for (const datagram of junk) await new Promise<void>((resolve) => raw.send(datagram, PORT, GROUP, () => resolve()));
  raw.close();
  await sleep(100);
  const replies = await gather(RollCallClient, channel, { window: 300 }).name();
  return { sent: junk.length, replies: replies.map(replyOf), tallies: await tallies() };
});

await step('discovery', async () => {
  const found = await discover('RollCall', { window: 300 });
  const answers: string[] = [];
  for (const { url } of found) {
    const direct = await connect(url, { reconnect: false });
    answers.push(await new RollCallClient(direct).name());
    await direct.close();
  }
  return { found, answers, none: await discover('NoSuchService', { window: 200 }) };
});

await step('deadMember', async () => {
  await members[2]?.stop('SIGKILL');
  const replies = await gather(RollCallClient, channel, { window: 300 }).name();
  return { replies: replies.map(replyOf), first: await calls.name() };
});

await step('resendsCarryTimeLeft', async () => {
  // A listener of our own on the empty group sees every copy of a call with a 1000 ms timeout.
  const listener = createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((resolve) => listener.bind(PORT, EMPTY_GROUP, resolve));
  listener.addMembership(EMPTY_GROUP, '127.0.0.1');
  const timeouts: number[] = [];
  listener.on('message', (datagram: Buffer) => {
    // Header (12), codec name (1 + n), then the CALL: type, id, flags, and its u32 timeout.
    const frameAt = 13 + (datagram[12] as number);
    if (datagram[frameAt] === 0x02) timeouts.push(datagram.readUInt32BE(frameAt + 6));
  });
  const empty = await connect(multicast({ group: EMPTY_GROUP, port: PORT }), { reconnect: false });
  await new RollCallClient(empty).name({ timeout: 1_000 }).catch(() => undefined);
  await empty.close();
  listener.close();
  return timeouts;
});

await step('unknownInterface', async () => {
  const elsewhere = multicast({ group: EMPTY_GROUP, port: PORT, interface: '10.9.9.9' });
  const connecting = await connect(elsewhere, { reconnect: false }).then(() => ({ code: 0, message: 'connected' }), errorOf);
  const listening = await new Server().listen(elsewhere).then(() => ({ code: 0, message: 'listening' }), errorOf);
  return { connecting, listening };
});

await step('nobodyThere', async () => {
  const empty = await connect(multicast({ group: EMPTY_GROUP, port: PORT, replyTimeout: 300 }), { reconnect: false });
  const started = performance.now();
  const plain = await new RollCallClient(empty).name().then((value) => ({ code: 0, message: value }), errorOf);
  const ms = performance.now() - started;
  const gathered = await gather(RollCallClient, empty, { window: 150 }).name();
  await empty.close();
  return { plain, ms, gathered: gathered.length };
});

report.channelState = channel.state;
await channel.close();
await Promise.all(members.map((member) => stopGracefully(member, 2_000)));
console.log(`REPORT ${JSON.stringify(report)}`);
