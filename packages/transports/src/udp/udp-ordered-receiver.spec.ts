import { describe, expect, it } from 'vitest';
import { DATA_HEADER_BYTES, DatagramKind, type DataDatagram } from './udp-datagram.js';
import { FRAGMENT_OVERHEAD_BYTES, MIN_DATAGRAM_SIZE, REASSEMBLY_TIMEOUT_MS } from './udp-limits.js';
import { OrderedReceiver } from './udp-ordered-receiver.js';
import { clientPool, messageCharge, ReceiveBudget, ReceivePool } from './udp-receive-budget.js';
import { UdpCounters } from './udp-stats.js';

const MIN_FRAGMENT = 4;

/** A receiver whose deliveries and reports are recorded as text. */
function receiver(options: { maxMessageSize?: number; connectionLimit?: number; poolLimit?: number; pool?: ReceivePool } = {}) {
  const delivered: string[] = [];
  const completed: string[] = [];
  const counters = new UdpCounters(undefined);
  const pool = options.pool ?? new ReceivePool(options.poolLimit ?? 1 << 20, messageCharge(options.maxMessageSize ?? 1000));
  const budget = new ReceiveBudget(pool, options.connectionLimit ?? 1 << 20);
  const incoming = new OrderedReceiver({
    peer: 'udp://test:1',
    maxMessageSize: options.maxMessageSize ?? 1000,
    minFragmentBytes: MIN_FRAGMENT,
    maxBitmapBytes: 16,
    budget,
    counters,
    deliver: (message, seq) => delivered.push(`${seq}:${message.toString()}`),
    oversized: (head, size) => delivered.push(`oversized ${size}: ${head.toString()}`),
    completed: (message) => completed.push(message.toString()),
  });
  return { incoming, delivered, completed, counters, pool };
}

/** The fragments of `text` as message `seq`, cut every `fragmentBytes`. */
function fragments(seq: number, text: string, fragmentBytes = MIN_FRAGMENT): DataDatagram[] {
  const bytes = Buffer.from(text);
  const count = Math.max(1, Math.ceil(bytes.length / fragmentBytes));
  return Array.from({ length: count }, (_, index) => ({
    kind: DatagramKind.Data,
    seq,
    ack: 0,
    size: bytes.length,
    index,
    count,
    payload: bytes.subarray(index * fragmentBytes, (index + 1) * fragmentBytes),
  }));
}

describe('OrderedReceiver', () => {
  it('delivers messages in sequence order, each once, however their fragments arrive', () => {
    const { incoming, delivered, completed, counters } = receiver();
    const [a0, a1, a2] = fragments(1, 'first message') as [DataDatagram, DataDatagram, DataDatagram, DataDatagram];
    const [b] = fragments(2, 'two');
    incoming.data(b as DataDatagram, 0);
    incoming.data(a2, 0);
    incoming.data(a0, 0);
    expect(delivered).toEqual([]);
    expect(completed).toEqual(['two']);
    for (const fragment of fragments(1, 'first message')) incoming.data(fragment, 0);
    incoming.data(a1, 0);
    incoming.data(b as DataDatagram, 0);
    expect(delivered).toEqual(['1:first message', '2:two']);
    expect(counters.duplicates).toBe(4);
  });

  it('acknowledges whole messages, and partial ones with what they hold, once per call', () => {
    const { incoming } = receiver();
    const [first, , third] = fragments(1, '0123456789ab') as DataDatagram[];
    incoming.data(first as DataDatagram, 0);
    incoming.data(third as DataDatagram, 0);
    for (const fragment of fragments(3, 'x')) incoming.data(fragment, 0);
    expect(incoming.takeAcks()).toEqual([
      { seq: 1, complete: false, base: 1, bitmap: new Uint8Array([0b01000000]) },
      { seq: 3, complete: true },
    ]);
    expect(incoming.takeAcks()).toEqual([]);
    for (const fragment of fragments(3, 'x')) incoming.data(fragment, 0);
    expect(incoming.takeAcks()).toEqual([{ seq: 3, complete: true }]);
  });

  it('covers delivered messages by the cumulative ack a DATA carries, but not partial or held ones', () => {
    const { incoming } = receiver();
    expect(incoming.carryCumulativeAck()).toBe(0);
    for (const fragment of fragments(1, 'one')) incoming.data(fragment, 0);
    for (const fragment of fragments(2, 'two')) incoming.data(fragment, 0);
    expect([incoming.acksDue, incoming.acksUrgent]).toEqual([true, false]);
    expect(incoming.carryCumulativeAck()).toBe(2);
    expect([incoming.acksDue, incoming.takeAcks()]).toEqual([false, []]);

    // Message 4 whole ahead of a missing 3, and a partial 5: only an ACK can say these.
    for (const fragment of fragments(4, 'four')) incoming.data(fragment, 0);
    incoming.data(fragments(5, 'partial five')[0] as DataDatagram, 0);
    expect(incoming.acksUrgent).toBe(true);
    expect(incoming.carryCumulativeAck()).toBe(2);
    expect(incoming.takeAcks()).toEqual([
      { seq: 4, complete: true },
      { seq: 5, complete: false, base: 1, bitmap: new Uint8Array([0b00000000]) },
    ]);

    // A duplicate of a delivered message (our ack was lost) can wait for the cumulative ack too.
    for (const fragment of fragments(1, 'one')) incoming.data(fragment, 0);
    expect([incoming.acksDue, incoming.acksUrgent]).toEqual([true, false]);
    for (const fragment of fragments(3, 'three')) incoming.data(fragment, 0);
    expect(incoming.carryCumulativeAck()).toBe(4);
    expect(incoming.acksDue).toBe(false);
  });

  it('goes past a message its sender skipped, but delivers one that arrived whole before the skip', () => {
    const { incoming, delivered } = receiver();
    for (const fragment of fragments(2, 'two')) incoming.data(fragment, 0);
    incoming.data(fragments(1, 'partial one')[0] as DataDatagram, 0);
    incoming.skip(1);
    incoming.skip(2);
    expect(delivered).toEqual(['2:two']);
    expect(incoming.takeAcks()).toEqual([
      { seq: 2, complete: true },
      { seq: 1, complete: true },
    ]);
  });

  it('reports a message over the limit by its head, in its turn, without keeping the rest', () => {
    const { incoming, delivered, pool } = receiver({ maxMessageSize: 8 });
    const big = fragments(1, 'CALL head and a body far too long');
    incoming.data(big[3] as DataDatagram, 0);
    expect(incoming.takeAcks()).toEqual([]);
    incoming.data(big[0] as DataDatagram, 0);
    for (const fragment of fragments(2, 'ok')) incoming.data(fragment, 0);
    expect(delivered).toEqual(['oversized 33: CALL', '2:ok']);
    expect(incoming.takeAcks()).toEqual([
      { seq: 1, complete: true },
      { seq: 2, complete: true },
    ]);
    expect(pool.used).toBe(0);
  });

  it('holds out-of-order data only within the budget, but always takes the next message', () => {
    const charge = (bytes: number) => bytes + FRAGMENT_OVERHEAD_BYTES;
    const { incoming, delivered, counters, pool } = receiver({ connectionLimit: charge(4) });
    const later = fragments(3, 'abcdefgh');
    incoming.data(later[0] as DataDatagram, 0);
    incoming.data(later[1] as DataDatagram, 0);
    expect(counters.dropped['buffer-full']).toBe(1);
    for (const fragment of fragments(1, 'the next one is always taken')) incoming.data(fragment, 0);
    for (const fragment of fragments(2, 'two')) incoming.data(fragment, 0);
    incoming.data(later[1] as DataDatagram, 0);
    expect(delivered).toEqual(['1:the next one is always taken', '2:two', '3:abcdefgh']);
    expect(pool.used).toBe(0);
  });

  it('takes a next message larger than the connection bound in a client pool, even behind held data', () => {
    const maxMessageSize = 1000;
    const connectionLimit = 100;
    const { incoming, delivered, counters, pool } = receiver({ maxMessageSize, connectionLimit, pool: clientPool(connectionLimit, maxMessageSize) });
    // Out-of-order data up to the connection bound is held...
    incoming.data(fragments(2, 'held')[0] as DataDatagram, 0);
    expect(counters.dropped['buffer-full']).toBe(0);
    // ...and a message of maxMessageSize, ten times the bound, cut as finely as a real receiver
    // allows (MIN_DATAGRAM_SIZE - DATA_HEADER_BYTES), still arrives.
    const large = 'x'.repeat(maxMessageSize);
    for (const fragment of fragments(1, large, MIN_DATAGRAM_SIZE - DATA_HEADER_BYTES)) incoming.data(fragment, 0);
    expect(counters.dropped['buffer-full']).toBe(0);
    expect(delivered).toEqual([`1:${large}`, '2:held']);
    expect(pool.used).toBe(0);
  });

  it('drops a partial message that stopped growing, and frees its memory', () => {
    const { incoming, counters, pool } = receiver();
    incoming.data(fragments(2, 'never finished')[0] as DataDatagram, 0);
    expect(pool.used).toBeGreaterThan(0);
    incoming.expire(REASSEMBLY_TIMEOUT_MS - 1);
    expect(counters.dropped['reassembly-timeout']).toBe(0);
    incoming.expire(REASSEMBLY_TIMEOUT_MS);
    expect(counters.dropped['reassembly-timeout']).toBe(1);
    expect(pool.used).toBe(0);
  });

  it('drops fragments that contradict their message, or sequence numbers far ahead', () => {
    const { incoming, counters } = receiver();
    const [first] = fragments(1, 'consistent');
    incoming.data(first as DataDatagram, 0);
    incoming.data({ ...(first as DataDatagram), index: 1, size: 99 }, 0);
    incoming.data({ ...(first as DataDatagram), seq: 1_000_000 }, 0);
    incoming.data({ ...(first as DataDatagram), seq: 5, count: 1 }, 0);
    expect(counters.dropped).toMatchObject({ malformed: 2, 'too-far-ahead': 1 });
  });
});
