import { describe, expect, it } from 'vitest';
import { RecordKind, RingMessageReader, RingMessageWriter } from './ring-messages.js';
import { SpscRing } from './spsc-ring.js';

const CAPACITY = 4096;
/** maxRecordPayload of a 4096-byte ring. */
const MAX = CAPACITY / 4 - 8;
/** Where the data starts in a ring at offset 0. */
const DATA = 256;

interface Received {
  readonly messages: Uint8Array[];
  readonly oversized: Array<{ head: Uint8Array; size: number }>;
  readonly corrupt: string[];
}

function setup(maxMessageSize = 1 << 20) {
  const buffer = new ArrayBuffer(SpscRing.bytesFor(CAPACITY));
  const producer = new SpscRing(buffer, 0, CAPACITY, true);
  const consumer = new SpscRing(buffer, 0, CAPACITY, false);
  const received: Received = { messages: [], oversized: [], corrupt: [] };
  const writer = new RingMessageWriter(producer);
  const reader = new RingMessageReader(consumer, {
    maxMessageSize,
    onMessage: (message) => received.messages.push(message),
    onOversized: (head, size) => received.oversized.push({ head, size }),
    onCorrupt: (problem) => received.corrupt.push(problem),
  });
  return { buffer, producer, consumer, writer, reader, received };
}

function message(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (seed * 13 + i * 101 + (i >> 8)) & 0xff;
  return out;
}

/** The kinds of the records in the ring, consumed. */
function recordKinds(consumer: SpscRing): number[] {
  const kinds: number[] = [];
  while (consumer.peek() >= 0) {
    kinds.push(consumer.kind);
    consumer.release();
  }
  return kinds;
}

describe('RingMessageWriter and RingMessageReader', () => {
  it('sends a message that fits one record as one WHOLE record, even an empty one', () => {
    const { writer, consumer } = setup();
    expect(writer.write(message(0, 0))).toBe(true);
    expect(writer.write(message(MAX, 1))).toBe(true);
    expect(recordKinds(consumer)).toEqual([RecordKind.WHOLE, RecordKind.WHOLE]);
  });

  it('splits a longer message into FIRST (with the total), MIDDLE… and LAST', () => {
    const { writer, consumer } = setup();
    expect(writer.write(message(MAX + 1, 0))).toBe(true);
    expect(consumer.peek()).toBe(MAX);
    expect(consumer.kind).toBe(RecordKind.FIRST);
    expect(consumer.readUint32(0)).toBe(MAX + 1);
    consumer.release();
    expect(consumer.peek()).toBe(5); // MAX + 1 less the MAX - 4 bytes the first fragment carried
    expect(consumer.kind).toBe(RecordKind.LAST);
    consumer.release();
    // FIRST carries MAX - 4 bytes, MIDDLE and LAST MAX each: exactly three records.
    expect(writer.write(message(3 * MAX - 4, 1))).toBe(true);
    expect(recordKinds(consumer)).toEqual([RecordKind.FIRST, RecordKind.MIDDLE, RecordKind.LAST]);
  });

  it('delivers messages of every size in order, each a copy of its own', () => {
    const { writer, reader, received, buffer } = setup();
    const sizes = [0, 1, 7, 8, 9, 64, 65, MAX - 1, MAX, MAX + 1, 2 * MAX - 4, 2 * MAX - 3, 3 * MAX, 3 * CAPACITY, 100_000];
    const sent = sizes.map((size, i) => message(size, i));
    for (const m of sent) {
      writer.write(m);
      while (writer.queuedBytes > 0) {
        expect(reader.poll()).toBeGreaterThan(0);
        writer.flush();
      }
    }
    reader.poll();
    expect(received.messages.map((m) => m.length)).toEqual(sizes);
    received.messages.forEach((m, i) => expect(Buffer.from(m).equals(sent[i] as Uint8Array), `message ${i}`).toBe(true));
    for (const m of received.messages) expect(m.buffer).not.toBe(buffer);
    // Scribbling over the ring afterwards changes nothing delivered.
    const before = received.messages.map((m) => Buffer.from(m));
    new Uint8Array(buffer).fill(0xee);
    received.messages.forEach((m, i) => expect(Buffer.from(m).equals(before[i] as Buffer)).toBe(true));
    expect(received.corrupt).toEqual([]);
  });

  it('queues what does not fit, keeps order behind a queue, and flushes as space comes back', () => {
    const { writer, reader, received } = setup();
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 40; i++) sent.push(message(i % 3 === 0 ? 2500 : 200, i));
    const accepted = sent.map((m) => writer.write(m));
    expect(accepted[0]).toBe(true);
    expect(accepted).toContain(false);
    // Once one is queued, later ones queue behind it even when they would fit.
    expect(accepted.slice(accepted.indexOf(false))).not.toContain(true);
    const total = sent.reduce((sum, m) => sum + m.length, 0);
    expect(writer.queuedBytes).toBeGreaterThan(0);
    expect(writer.queuedBytes).toBeLessThan(total);
    expect(writer.write(message(1, 99))).toBe(false);
    sent.push(message(1, 99));

    // One record at a time on the reading side, so fragments are reassembled across polls.
    let rounds = 0;
    while (received.messages.length < sent.length && rounds++ < 10_000) {
      reader.poll(1);
      writer.flush();
    }
    expect(writer.queuedBytes).toBe(0);
    expect(writer.flush()).toBe(true);
    expect(received.messages.length).toBe(sent.length);
    received.messages.forEach((m, i) => expect(Buffer.from(m).equals(sent[i] as Uint8Array), `message ${i}`).toBe(true));
  });

  it('lets a producer that waits for space sleep exactly while the next record does not fit', () => {
    const { writer, reader, producer, consumer } = setup();
    while (writer.write(message(MAX, 0)));
    expect(producer.announceWaitingForSpace()).toBe(true);
    expect(reader.poll(1)).toBe(1);
    expect(consumer.shouldRingProducer()).toBe(true);
    producer.stopWaitingForSpace();
    expect(writer.flush()).toBe(true);
    expect(producer.announceWaitingForSpace()).toBe(false); // nothing blocked any more
    expect(writer.write(message(MAX, 1))).toBe(false);
    expect(producer.announceWaitingForSpace()).toBe(true);
  });

  it('skips a message over maxMessageSize without buffering it and reports its first 512 bytes', () => {
    const { writer, reader, received } = setup(2000);
    const big = message(10_000, 1);
    const small = message(300, 2);
    const whole = message(MAX, 3); // one record, but still over a limit below MAX
    for (const m of [small, big, small]) {
      writer.write(m);
      while (writer.queuedBytes > 0) {
        reader.poll();
        writer.flush();
      }
    }
    reader.poll();
    expect(received.messages.map((m) => m.length)).toEqual([300, 300]);
    expect(received.oversized).toHaveLength(1);
    expect(received.oversized[0]?.size).toBe(10_000);
    expect(Buffer.from(received.oversized[0]?.head ?? []).equals(big.subarray(0, 512))).toBe(true);

    const tight = setup(100);
    tight.writer.write(whole);
    tight.writer.write(message(300, 4));
    tight.writer.write(message(50, 5));
    tight.reader.poll();
    expect(tight.received.oversized.map((o) => [o.size, o.head.length])).toEqual([[MAX, 512], [300, 300]]);
    expect(Buffer.from(tight.received.oversized[1]?.head ?? []).equals(message(300, 4))).toBe(true);
    expect(tight.received.messages.map((m) => m.length)).toEqual([50]);
  });

  it('takes an oversized head from later fragments when the first one is short', () => {
    const { producer, reader, received } = setup(100);
    const body = message(700, 6);
    // A writer with smaller fragments than ours: FIRST with 10 bytes, then 200-byte fragments.
    producer.tryWriteWithPrefix(RecordKind.FIRST, 700, body, 0, 10);
    for (let at = 10; at < 700; at += 200) producer.tryWrite(at + 200 >= 700 ? RecordKind.LAST : RecordKind.MIDDLE, body, at, Math.min(at + 200, 700));
    reader.poll();
    expect(received.oversized).toHaveLength(1);
    expect(Buffer.from(received.oversized[0]?.head ?? []).equals(body.subarray(0, 512))).toBe(true);
  });

  describe('stops at the first malformed record and says what was wrong', () => {
    const cases: Array<[string, (producer: SpscRing) => void, RegExp]> = [
      ['a middle fragment first', (p) => p.tryWrite(RecordKind.MIDDLE, message(10, 0), 0, 10), /middle fragment without a first/],
      ['a last fragment first', (p) => p.tryWrite(RecordKind.LAST, message(10, 0), 0, 10), /last fragment without a first/],
      ['a whole message between fragments', (p) => {
        p.tryWriteWithPrefix(RecordKind.FIRST, 2000, message(100, 0), 0, 100);
        p.tryWrite(RecordKind.WHOLE, message(10, 0), 0, 10);
      }, /whole message inside a fragmented one/],
      ['a second first fragment', (p) => {
        p.tryWriteWithPrefix(RecordKind.FIRST, 2000, message(100, 0), 0, 100);
        p.tryWriteWithPrefix(RecordKind.FIRST, 2000, message(100, 0), 0, 100);
      }, /new first fragment/],
      ['a first fragment holding the whole message', (p) => p.tryWriteWithPrefix(RecordKind.FIRST, 50, message(100, 0), 0, 100), /first fragment with 100 of a 50-byte/],
      ['a first fragment too short for its total', (p) => p.tryWrite(RecordKind.FIRST, message(3, 0), 0, 3), /too short/],
      ['fragments running past the total', (p) => {
        p.tryWriteWithPrefix(RecordKind.FIRST, 150, message(100, 0), 0, 100);
        p.tryWrite(RecordKind.MIDDLE, message(100, 0), 0, 100);
      }, /middle fragment ending at byte 200 of a 150-byte/],
      ['a last fragment ending short', (p) => {
        p.tryWriteWithPrefix(RecordKind.FIRST, 150, message(100, 0), 0, 100);
        p.tryWrite(RecordKind.LAST, message(10, 0), 0, 10);
      }, /last fragment ending at byte 110 of a 150-byte/],
      ['an unknown kind', (p) => p.tryWrite(9, message(1, 0), 0, 1), /unknown record kind 9/],
    ];
    for (const [name, write, reason] of cases) {
      it(name, () => {
        const { producer, reader, received } = setup();
        write(producer);
        producer.tryWrite(RecordKind.WHOLE, message(5, 0), 0, 5);
        reader.poll();
        expect(received.corrupt).toHaveLength(1);
        expect(received.corrupt[0]).toMatch(reason);
        expect(received.messages).toEqual([]);
        expect(reader.poll()).toBe(0);
      });
    }

    it('a header the ring itself rejects', () => {
      const { buffer, writer, reader, received } = setup();
      writer.write(message(5, 0));
      const words = new Int32Array(buffer);
      words[DATA / 4] = CAPACITY; // a length past maxRecordPayload
      expect(reader.poll()).toBe(0);
      expect(received.corrupt).toHaveLength(1);
      expect(received.corrupt[0]).toMatch(/ring corrupt: record of kind 1 and 4095 bytes/);
      expect(reader.poll()).toBe(0);
    });
  });
});
