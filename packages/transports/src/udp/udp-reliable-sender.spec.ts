import { describe, expect, it } from 'vitest';
import { DATA_HEADER_BYTES, DatagramKind, readDatagram, type Datagram } from './udp-datagram.js';
import { ReliableSender } from './udp-reliable-sender.js';
import { RttEstimator } from './udp-retransmit.js';
import { UdpCounters } from './udp-stats.js';

const identity = Buffer.alloc(12, 7);
const MAX_DATAGRAM = 256;
const FRAGMENT = MAX_DATAGRAM - DATA_HEADER_BYTES;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A sender whose datagrams and reports are recorded. */
function sender(retryWindow = 30_000) {
  const sent: { raw: Buffer | readonly Buffer[]; datagram: Datagram }[] = [];
  const acknowledged: [number, number][] = [];
  const unanswered: string[] = [];
  const counters = new UdpCounters(undefined);
  const rtt = new RttEstimator();
  /** What the other direction's receiver would have DATA carry: set by a test. */
  const peer = { deliveredThrough: 0 };
  const outgoing = new ReliableSender({
    identity,
    maxDatagramSize: MAX_DATAGRAM,
    retryWindow,
    rtt,
    counters,
    cumulativeAckToCarry: () => peer.deliveredThrough,
    transmit: (raw) => {
      const datagram = readDatagram(Buffer.isBuffer(raw) ? raw : Buffer.concat(raw as Buffer[]));
      if (typeof datagram === 'string') throw new Error(`sent a bad datagram: ${datagram}`);
      sent.push({ raw, datagram });
    },
    onAcknowledged: (seq, tag) => acknowledged.push([seq, tag]),
    onUnanswered: (problem) => unanswered.push(problem),
  });
  /** Which fragment indexes were sent, in order, since the last call. */
  let seen = 0;
  const indexes = () =>
    sent.splice(seen).map(({ datagram }) => (datagram.kind === DatagramKind.Data ? datagram.index : datagram.kind === DatagramKind.Skip ? 'skip' : '?'));
  return { outgoing, sent, acknowledged, unanswered, counters, rtt, peer, indexes, reset: () => (seen = sent.length) };
}

/** A message of `frameBytes` frame bytes with the DATA header's room in front. */
const message = (frameBytes: number) => Buffer.alloc(DATA_HEADER_BYTES + frameBytes, 1);

describe('ReliableSender', () => {
  it('sends a message that fits one datagram as the very buffer it was given', () => {
    const { outgoing, sent } = sender();
    const small = message(10);
    expect(outgoing.enqueue(small, 5, undefined)).toBe(1);
    expect(sent[0]?.raw).toBe(small);
    expect(sent[0]?.datagram).toMatchObject({ kind: DatagramKind.Data, seq: 1, size: 10, index: 0, count: 1 });
  });

  it('keeps at most the window in flight, and sends more as acks come', () => {
    const { outgoing, indexes } = sender();
    outgoing.enqueue(message(FRAGMENT * 200), 0, undefined);
    expect(indexes()).toHaveLength(128);
    outgoing.ack([{ seq: 1, complete: false, base: 10, bitmap: new Uint8Array(0) }]);
    expect(indexes()).toEqual(Array.from({ length: 10 }, (_, i) => 128 + i));
  });

  it('reports a message acknowledged whole once, with its tag, then has nothing pending', () => {
    const { outgoing, acknowledged } = sender();
    let drained = 0;
    outgoing.onDrained = () => drained++;
    outgoing.enqueue(message(10), 42, undefined);
    outgoing.ack([{ seq: 1, complete: true }]);
    outgoing.ack([{ seq: 1, complete: true }]);
    expect(acknowledged).toEqual([[1, 42]]);
    expect([outgoing.pending, drained]).toEqual([0, 1]);
  });

  it('has every DATA carry the cumulative ack current when it leaves, retransmissions and later fragments too', async () => {
    const { outgoing, sent, peer } = sender();
    const acks = () => sent.splice(0).map(({ datagram }) => (datagram.kind === DatagramKind.Data ? [datagram.index, datagram.ack] : '?'));
    peer.deliveredThrough = 3;
    outgoing.enqueue(message(FRAGMENT * 2), 0, undefined);
    expect(acks()).toEqual([
      [0, 3],
      [1, 3],
    ]);
    peer.deliveredThrough = 2 ** 32 + 4;
    await sleep(35);
    expect(acks()).toContainEqual([0, 4]);
  });

  it('takes a cumulative ack as a whole-message ack of every message up to it, in order', () => {
    const { outgoing, acknowledged, indexes } = sender();
    let drained = 0;
    outgoing.onDrained = () => drained++;
    for (const tag of [11, 12, 13]) outgoing.enqueue(message(10), tag, undefined);
    outgoing.enqueue(message(FRAGMENT * 3), 14, undefined);
    indexes();
    outgoing.acknowledgeThrough(0);
    outgoing.acknowledgeThrough(2);
    expect(acknowledged).toEqual([
      [1, 11],
      [2, 12],
    ]);
    outgoing.acknowledgeThrough(4);
    outgoing.acknowledgeThrough(4);
    expect(acknowledged.slice(2)).toEqual([
      [3, 13],
      [4, 14],
    ]);
    expect([outgoing.pending, drained, indexes()]).toEqual([0, 1, []]);
  });

  it('measures a round trip from a cumulative ack only for a message sent once (Karn)', async () => {
    // A 100 ms round trip measured already: timeout 300 ms, so nothing goes again by itself here.
    const once = sender();
    once.rtt.sample(100);
    once.outgoing.enqueue(message(10), 0, undefined);
    await sleep(5);
    once.outgoing.acknowledgeThrough(1);
    expect(once.rtt.timeout).not.toBe(300);
    const twice = sender();
    twice.rtt.sample(100);
    twice.outgoing.enqueue(message(10), 0, undefined);
    twice.outgoing.retransmitNow(1);
    expect(twice.sent).toHaveLength(2);
    twice.outgoing.acknowledgeThrough(1);
    expect(twice.rtt.timeout).toBe(300);
  });

  it('sends again, on its timer, only the fragments the receiver lacks', async () => {
    const { outgoing, indexes, counters } = sender();
    outgoing.enqueue(message(FRAGMENT * 4), 0, undefined);
    indexes();
    outgoing.ack([{ seq: 1, complete: false, base: 1, bitmap: new Uint8Array([0b10000000]) }]);
    expect(indexes()).toEqual([]);
    await sleep(35);
    expect(new Set(indexes())).toEqual(new Set([2, 3]));
    expect(counters.retransmissions).toBeGreaterThanOrEqual(2);
  });

  it('sends a fragment again at once when fragments sent after it were acknowledged', () => {
    const { outgoing, indexes } = sender();
    outgoing.enqueue(message(FRAGMENT * 8), 0, undefined);
    indexes();
    outgoing.ack([{ seq: 1, complete: false, base: 0, bitmap: new Uint8Array([0b01111110]) }]);
    expect(indexes()).toEqual([0]);
  });

  it('sends a SKIP in place of an abandoned message until it is acknowledged, and reports nothing', async () => {
    const { outgoing, indexes, acknowledged } = sender();
    outgoing.enqueue(message(FRAGMENT * 3), 9, undefined);
    indexes();
    outgoing.abandon(1);
    expect(indexes()).toEqual(['skip']);
    await sleep(60);
    expect(indexes()).toContain('skip');
    outgoing.ack([{ seq: 1, complete: true }]);
    expect([outgoing.pending, acknowledged]).toEqual([0, []]);
  });

  it('sends what is missing at once when asked (a probe of a finished call)', () => {
    const { outgoing, indexes } = sender();
    outgoing.enqueue(message(FRAGMENT * 3), 0, undefined);
    indexes();
    outgoing.ack([{ seq: 1, complete: false, base: 1, bitmap: new Uint8Array([0b10000000]) }]);
    outgoing.retransmitNow(1);
    expect(indexes()).toEqual([2]);
  });

  it('rewrites a call’s remaining time on each send', async () => {
    const { outgoing, sent } = sender();
    const call = message(10);
    outgoing.enqueue(call, 1, { offset: DATA_HEADER_BYTES + 6, timeout: 1000, since: performance.now() });
    const first = Buffer.from(sent[0]?.raw as Buffer).readUInt32BE(DATA_HEADER_BYTES + 6);
    // The first retransmission goes after about 20 ms (the initial timeout, ±20 %).
    await sleep(40);
    expect(sent.length).toBeGreaterThan(1);
    const again = Buffer.from(sent.at(-1)?.raw as Buffer).readUInt32BE(DATA_HEADER_BYTES + 6);
    expect(first).toBeGreaterThan(990);
    expect(again).toBeLessThanOrEqual(first - 15);
  });

  it('gives up after the retry window even when every wait between retransmissions is shorter', async () => {
    // Backoff stops at 500 ms (+20 % at most): the window must count from the send, not from each resend.
    const { outgoing, unanswered } = sender(700);
    outgoing.enqueue(message(10), 0, undefined);
    await expect.poll(() => unanswered, { timeout: 3000 }).toEqual(['nothing was acknowledged for 700 ms']);
    outgoing.stop();
  });

  it('gives up once nothing was acknowledged for the retry window', async () => {
    const { outgoing, unanswered } = sender(150);
    outgoing.enqueue(message(10), 0, undefined);
    await sleep(100);
    expect(unanswered).toEqual([]);
    await sleep(1000);
    expect(unanswered).toEqual(['nothing was acknowledged for 150 ms']);
    outgoing.stop();
  });
});
