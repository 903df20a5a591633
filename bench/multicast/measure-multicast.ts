/**
 * The multicast rows, measured inside a private network namespace (run.ts starts this under
 * scripts/private-network.sh): starts 3 Conduit members and 3 raw dgram members, each in its own
 * process, then times one call to all 3 at a time until every reply is in, rounds interleaved like
 * the unary rows, and prints one JSON line (`MulticastReport`) on stdout. Progress goes to stderr.
 *
 *   scripts/private-network.sh node --import tsx bench/multicast/measure-multicast.ts \
 *     --plan '{"warmupMs":100,"rounds":3,"roundMs":150}' --only conduit-multicast,raw-multicast
 */
import { createSocket } from 'node:dgram';
import { fstatSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connect, gather, type Channel } from '@conduit/runtime';
import { multicast } from '@conduit/transports';
import { BenchService } from '../bench-service.js';
import { startServer, type ServerProcess } from '../child.js';
import { MESSAGE_BYTES } from '../clients/raw-ping-pong.js';
import { measureSequential, type Call, type RoundPlan, type SequentialRound } from '../measure.js';
import { progress } from '../output.js';
import { exitWithParent } from '../servers/server-lifecycle.js';
import { median } from '../stats.js';
import { MEMBERS, multicastTargetIds, type MulticastReport, type MulticastTargetId, type MulticastTargetResult } from './multicast-report.js';
import { requirePrivateNetwork } from './private-network.js';

requirePrivateNetwork('bench/multicast/measure-multicast.ts');
// Started by the bench, stdin is a pipe: its end closing (the bench was killed) ends us, and the
// exit hooks of child.ts our members. Run by hand, the time limits of every call end it.
if (fstatSync(0).isFIFO()) exitWithParent();

/** Where each kind of member listens; this namespace is private, so fixed ports meet nobody. */
const GROUPS: Record<MulticastTargetId, string> = {
  'conduit-multicast': 'multicast://239.255.0.2:4200',
  'raw-multicast': 'multicast://239.255.0.3:4201',
};
/** gather()'s window, and the raw client's wait: a call not complete by then has lost a datagram. */
const WINDOW_MS = 1_000;

interface Client {
  call: Call;
  verify(): Promise<void>;
  close(): Promise<void>;
}

/** The least a generated client is, for gather(): `add` as a unary call. */
class BenchAddClient {
  readonly #channel: Channel;
  constructor(channel: Channel) {
    this.#channel = channel;
  }
  add(a: number, b: number): Promise<number> {
    return this.#channel.unary<number>(BenchService.methods.add, [a, b]);
  }
}

/** One call to the group, complete when all 3 members replied: `gather(…, { count: 3, window: 1000 }).add(1, 2)`. */
async function openConduit(group: string): Promise<Client> {
  const url = new URL(group);
  const channel = await connect(multicast({ group: url.hostname, port: Number(url.port) }));
  const all = gather(BenchAddClient, channel, { count: MEMBERS, window: WINDOW_MS });
  const call = async (): Promise<void> => {
    const replies = await all.add(1, 2);
    if (replies.length !== MEMBERS) throw new Error(`Conduit multicast: ${replies.length} of ${MEMBERS} members replied within ${WINDOW_MS} ms`);
  };
  return {
    call,
    async verify() {
      const replies = await all.add(1, 2);
      const wrong = replies.filter((r) => !r.ok || r.value !== 3);
      if (replies.length !== MEMBERS || wrong.length > 0) throw new Error(`Conduit multicast: add(1, 2) gathered ${JSON.stringify(replies)}`);
    },
    close: () => channel.close(),
  };
}

/**
 * A 64-byte datagram to the group, numbered in its first 4 bytes; complete when 3 replies with
 * that number came back. One ping at a time, so a reply of another number is a late one, ignored.
 */
async function openRaw(group: string): Promise<Client> {
  const url = new URL(group);
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.setMulticastInterface('127.0.0.1');
  socket.setMulticastTTL(1);
  socket.setMulticastLoopback(true);
  let waiting: { seq: number; from: Set<string>; resolve: () => void; reject: (error: Error) => void; timer: NodeJS.Timeout } | undefined;
  socket.on('message', (reply, from) => {
    if (waiting === undefined || reply.length !== MESSAGE_BYTES || reply.readUInt32BE(0) !== waiting.seq) return;
    waiting.from.add(`${from.address}:${from.port}`);
    if (waiting.from.size < MEMBERS) return;
    const done = waiting;
    waiting = undefined;
    clearTimeout(done.timer);
    done.resolve();
  });
  const ping = Buffer.alloc(MESSAGE_BYTES, 0x2a);
  let seq = 0;
  const call = (): Promise<void> =>
    new Promise((resolve, reject) => {
      seq = (seq + 1) >>> 0;
      const timer = setTimeout(() => {
        waiting = undefined;
        reject(new Error(`raw multicast: fewer than ${MEMBERS} members replied within ${WINDOW_MS} ms`));
      }, WINDOW_MS);
      waiting = { seq, from: new Set(), resolve, reject, timer };
      ping.writeUInt32BE(seq, 0);
      socket.send(ping, Number(url.port), url.hostname);
    });
  return {
    call,
    verify: call,
    close: async () => {
      socket.close();
    },
  };
}

interface Opened {
  id: MulticastTargetId;
  members: ServerProcess[];
  client?: Client;
  rounds: SequentialRound[];
  error?: string;
}

async function open(id: MulticastTargetId): Promise<Opened> {
  const opened: Opened = { id, members: [], rounds: [] };
  const script = id === 'conduit-multicast' ? 'servers/conduit-multicast-member.ts' : 'servers/raw-multicast-member.ts';
  try {
    for (let i = 0; i < MEMBERS; i++) opened.members.push(await startServer(`${script}`, { args: [GROUPS[id]] }));
    opened.client = id === 'conduit-multicast' ? await openConduit(GROUPS[id]) : await openRaw(GROUPS[id]);
    await opened.client.verify();
  } catch (error) {
    fail(opened, error);
  }
  return opened;
}

function fail(opened: Opened, error: unknown): void {
  opened.error = error instanceof Error ? error.message : String(error);
  progress(`${opened.id}: FAILED: ${opened.error}`);
}

const { values } = parseArgs({ options: { plan: { type: 'string' }, only: { type: 'string' } } });
const plan = JSON.parse(values.plan ?? '{"warmupMs":500,"rounds":7,"roundMs":800}') as RoundPlan;
const ids = values.only === undefined ? multicastTargetIds : multicastTargetIds.filter((id) => values.only!.split(',').includes(id));

const all: Opened[] = [];
try {
  for (const id of ids) all.push(await open(id));
  for (let round = 0; round < plan.rounds; round++) {
    progress(`multicast to ${MEMBERS} members: round ${round + 1} of ${plan.rounds}`);
    for (const opened of all) {
      if (opened.error !== undefined || opened.client === undefined) continue;
      try {
        const once: RoundPlan = { warmupMs: round === 0 ? plan.warmupMs : 0, rounds: 1, roundMs: plan.roundMs };
        opened.rounds.push(...(await measureSequential(opened.client.call, once)).rounds);
      } catch (error) {
        fail(opened, error);
      }
    }
  }
} finally {
  for (const opened of all) {
    await opened.client?.close().catch(() => undefined);
    await Promise.all(opened.members.map((member) => member.stop()));
  }
}

const results: MulticastTargetResult[] = all.map((opened) =>
  opened.error !== undefined
    ? { id: opened.id, error: opened.error }
    : { id: opened.id, p50Us: median(opened.rounds.map((r) => r.p50)), p99Us: median(opened.rounds.map((r) => r.p99)), rounds: opened.rounds },
);
const report: MulticastReport = { members: MEMBERS, windowMs: WINDOW_MS, results };
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exit(0);
