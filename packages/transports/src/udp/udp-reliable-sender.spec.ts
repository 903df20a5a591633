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
  const outgoing = new ReliableSender({
    identity,
    maxDatagramSize: MAX_DATAGRAM,
    retryWindow,
    rtt: new RttEstimator(),
    counters,
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
  return { outgoing, sent, acknowledged, unanswered, counters, indexes, reset: () => (seen = sent.length) };
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
