import { describe, expect, it } from 'vitest';
import { MAX_KIND, RingCorruptError, SpscRing } from './spsc-ring.js';

const CAPACITY = 4096;
/** Where the data starts in a ring at offset 0 (the control block is four cache lines). */
const DATA = 256;
/** Record header bytes. */
const HEADER = 8;

interface Pair {
  readonly buffer: ArrayBuffer;
  readonly producer: SpscRing;
  readonly consumer: SpscRing;
}

/** A producer and a consumer on one ring in a plain ArrayBuffer, as two processes would have. */
function pair(capacity = CAPACITY): Pair {
  const buffer = new ArrayBuffer(SpscRing.bytesFor(capacity));
  const producer = new SpscRing(buffer, 0, capacity, true);
  const consumer = new SpscRing(buffer, 0, capacity, false);
  return { buffer, producer, consumer };
}

function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (seed * 31 + i * 7) & 0xff;
  return out;
}

function write(producer: SpscRing, kind: number, payload: Uint8Array): boolean {
  return producer.tryWrite(kind, payload, 0, payload.length);
}

/** The next record as { kind, payload }, consumed; undefined when the ring is empty. */
function read(consumer: SpscRing): { kind: number; payload: Uint8Array } | undefined {
  const length = consumer.peek();
  if (length < 0) return undefined;
  const payload = new Uint8Array(length);
  consumer.copyOut(payload, 0);
  const kind = consumer.kind;
  consumer.release();
  return { kind, payload };
}

/** Record bytes for a payload: header plus payload rounded up to 8. */
function recordSize(payloadLength: number): number {
  return HEADER + Math.ceil(payloadLength / 8) * 8;
}

/** toEqual, without its per-element cost on hundreds of thousands of arrays. */
function expectSame(actual: Uint8Array, expected: Uint8Array | undefined): void {
  if (expected === undefined || !Buffer.from(actual).equals(expected)) expect(actual).toEqual(expected);
}

/** A small deterministic generator, so a failing lap can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('SpscRing', () => {
  it('sizes the control block and data, and refuses bad capacities and offsets', () => {
    expect(SpscRing.bytesFor(4096)).toBe(DATA + 4096);
    expect(() => SpscRing.bytesFor(2048)).toThrow(RangeError);
    expect(() => SpscRing.bytesFor(6000)).toThrow(/power of two/);
    const buffer = new ArrayBuffer(2 * SpscRing.bytesFor(CAPACITY));
    expect(() => new SpscRing(buffer, 32, CAPACITY, true)).toThrow(/multiple of 64/);
    expect(() => new SpscRing(buffer, SpscRing.bytesFor(CAPACITY) + 64, CAPACITY, true)).toThrow(/needs/);
    expect(new SpscRing(buffer, 0, CAPACITY, true).maxRecordPayload).toBe(CAPACITY / 4 - HEADER);
  });

  it('refuses to attach where no ring of that capacity was initialised', () => {
    const buffer = new ArrayBuffer(SpscRing.bytesFor(8192));
    expect(() => new SpscRing(buffer, 0, CAPACITY, false)).toThrow(RingCorruptError);
    new SpscRing(buffer, 0, 8192, true);
    expect(() => new SpscRing(buffer, 0, CAPACITY, false)).toThrow(/magic or capacity/);
  });

  it('carries one record with its kind, and peek() is stable until release()', () => {
    const { producer, consumer } = pair();
    expect(consumer.peek()).toBe(-1);
    expect(write(producer, 7, bytes(13, 1))).toBe(true);
    expect(consumer.peek()).toBe(13);
    expect(consumer.peek()).toBe(13);
    expect(consumer.kind).toBe(7);
    const part = new Uint8Array(20);
    consumer.copyOut(part, 5, 3, 9);
    expect([...part.subarray(5, 11)]).toEqual([...bytes(13, 1).subarray(3, 9)]);
    consumer.release();
    expect(consumer.peek()).toBe(-1);
    expect(() => consumer.release()).toThrow(/no peeked record/);
  });

  it('carries empty payloads, a 4-byte prefix, and records up to maxRecordPayload only', () => {
    const { producer, consumer } = pair();
    expect(write(producer, 0, new Uint8Array(0))).toBe(true);
    expect(producer.tryWriteWithPrefix(MAX_KIND, 0xfedcba98, bytes(10, 2), 2, 6)).toBe(true);
    expect(() => write(producer, 1, new Uint8Array(producer.maxRecordPayload + 1))).toThrow(RangeError);
    expect(() => producer.tryWriteWithPrefix(1, 0, new Uint8Array(producer.maxRecordPayload), 0, producer.maxRecordPayload - 3)).toThrow(RangeError);
    expect(() => write(producer, MAX_KIND + 1, new Uint8Array(1))).toThrow(RangeError);
    expect(() => producer.tryWrite(1, new Uint8Array(4), 2, 5)).toThrow(RangeError);

    expect(read(consumer)).toEqual({ kind: 0, payload: new Uint8Array(0) });
    expect(consumer.peek()).toBe(8);
    expect(consumer.kind).toBe(MAX_KIND);
    expect(consumer.readUint32(0)).toBe(0xfedcba98);
    expect(() => consumer.readUint32(6)).toThrow(RangeError);
    const rest = new Uint8Array(4);
    consumer.copyOut(rest, 0, 4, 8);
    expect([...rest]).toEqual([...bytes(10, 2).subarray(2, 6)]);
    expect(() => consumer.copyOut(new Uint8Array(3), 0)).toThrow(RangeError);
    consumer.release();
    expect(consumer.peek()).toBe(-1);
  });

  it('says full without writing anything, never holds more than capacity - 8 bytes, and takes records again after release', () => {
    const { producer, consumer } = pair();
    const payload = bytes(100, 3);
    let written = 0;
    while (write(producer, 1, payload)) written++;
    expect(written * recordSize(100)).toBeLessThanOrEqual(CAPACITY - HEADER);
    expect((written + 1) * recordSize(100)).toBeGreaterThan(CAPACITY - HEADER);
    // A smaller record may still fit where the larger one did not.
    const small = (CAPACITY - HEADER - written * recordSize(100)) - HEADER;
    if (small >= 0) expect(write(producer, 2, new Uint8Array(small))).toBe(true);
    expect(write(producer, 1, new Uint8Array(0))).toBe(false);

    // The next record needs padding at the wrap as well as its own bytes: two must go first.
    expect(read(consumer)).toEqual({ kind: 1, payload });
    expect(write(producer, 1, payload)).toBe(false);
    expect(read(consumer)).toEqual({ kind: 1, payload });
    expect(write(producer, 1, payload)).toBe(true);
    let count = 2;
    while (count < 1000 && read(consumer) !== undefined) count++;
    expect(count).toBe(written + (small >= 0 ? 1 : 0) + 1);
  });

  it('ends a record exactly at the end of the data without padding, and starts the next at offset 0', () => {
    const { buffer, producer, consumer } = pair();
    const words = new Int32Array(buffer);
    const max = producer.maxRecordPayload; // a record of exactly capacity / 4 bytes
    for (let lap = 0; lap < 3; lap++) {
      for (let i = 0; i < 4; i++) {
        expect(write(producer, i, bytes(max, lap * 4 + i))).toBe(true);
        expect(read(consumer)).toEqual({ kind: i, payload: bytes(max, lap * 4 + i) });
      }
      // Four records filled the data exactly: the next header is at offset 0 and is not padding.
      expect(write(producer, 9, bytes(5, lap))).toBe(true);
      expect(words[DATA / 4]).toBe(5 + 1);
      expect(words[DATA / 4 + 1]).toBe(9);
      expect(read(consumer)).toEqual({ kind: 9, payload: bytes(5, lap) });
      // Back to a record boundary at offset 0 for the next lap.
      expect(write(producer, 1, bytes(CAPACITY / 4 - 3 * HEADER, 0))).toBe(true);
      read(consumer);
      for (let i = 0; i < 3; i++) {
        expect(write(producer, 1, bytes(max, 0))).toBe(true);
        read(consumer);
      }
    }
  });

  it('pads the tail when a record does not fit before the end, so no record is split', () => {
    const { buffer, producer, consumer } = pair();
    const words = new Int32Array(buffer);
    // 3 × 1024 + 1000 bytes from the start of the data: 24 bytes left before the end.
    for (let i = 0; i < 3; i++) {
      write(producer, 1, new Uint8Array(producer.maxRecordPayload));
      read(consumer);
    }
    write(producer, 1, new Uint8Array(1000 - HEADER));
    read(consumer);
    expect(write(producer, 4, bytes(200, 6))).toBe(true);
    // A padding record of the 24 bytes to the end, then the record at offset 0.
    expect(words[(DATA + 4072) / 4]).toBe(24 - HEADER + 1);
    expect(words[(DATA + 4072) / 4 + 1]).toBe(0x10000);
    expect(words[DATA / 4]).toBe(200 + 1);
    expect(read(consumer)).toEqual({ kind: 4, payload: bytes(200, 6) });
    expect(read(consumer)).toBeUndefined();
  });

  it('keeps every record intact and in order over many laps and across the 32-bit position wrap', () => {
    const { buffer, producer, consumer } = pair();
    const readPosition = () => new Int32Array(buffer)[64 / 4] as number;
    expect(readPosition()).toBeLessThan(0);
    const next = random(42);
    // Payloads that look like valid headers everywhere: a stale one read as new would show.
    const lookalike = new Uint8Array(new Int32Array(producer.maxRecordPayload / 4).fill(5).buffer);
    const max = producer.maxRecordPayload;
    /** Copies of what was written and not yet read, oldest first. */
    const inFlight: Uint8Array[] = [];
    let sent = 0;
    let received = 0;
    let bytesMoved = 0;
    while (bytesMoved < 1.5 * 2 ** 20) {
      // A burst of writes until full or the burst ends, then a burst of reads of another length.
      const burst = 1 + Math.floor(next() * 12);
      for (let i = 0; i < burst; i++) {
        const r = next();
        const length = r < 0.1 ? max : r < 0.2 ? max - Math.floor(next() * 16) : Math.floor(next() * 300);
        lookalike[0] = sent & 0xff;
        const payload = next() < 0.5 ? lookalike.subarray(0, length) : bytes(length, sent);
        if (!producer.tryWrite(sent & MAX_KIND, payload, 0, length)) break;
        inFlight.push(payload.slice());
        sent++;
        bytesMoved += length;
      }
      const take = Math.floor(next() * 14);
      for (let i = 0; i < take; i++) {
        const record = read(consumer);
        if (record === undefined) break;
        expect(record.kind).toBe(received & MAX_KIND);
        expectSame(record.payload, inFlight.shift());
        received++;
      }
      if (inFlight.length === 0) expect(consumer.peek()).toBe(-1);
    }
    for (let record = read(consumer); record !== undefined; record = read(consumer)) {
      expectSame(record.payload, inFlight.shift());
      received++;
    }
    expect(received).toBe(sent);
    expect(inFlight).toEqual([]);
    // Positions start 1 MiB before the 32-bit wrap (negative as int32): this one went past it.
    expect(readPosition()).toBeGreaterThan(0);
  });

  it('throws RingCorruptError for headers no producer writes', () => {
    const cases: Array<[string, (words: Int32Array) => void]> = [
      ['length past maxRecordPayload', (w) => { w[DATA / 4 + 1] = 1; w[DATA / 4] = CAPACITY; }],
      ['kind out of range', (w) => { w[DATA / 4 + 1] = -3; w[DATA / 4] = 1; }],
      ['padding at offset 0', (w) => { w[DATA / 4 + 1] = 0x10000; w[DATA / 4] = CAPACITY - HEADER + 1; }],
      ['record across the end', (w) => { w[(DATA + CAPACITY - 16) / 4 + 1] = 1; w[(DATA + CAPACITY - 16) / 4] = 100; }],
    ];
    for (const [what, poke] of cases) {
      const { buffer, consumer, producer } = pair();
      if (what === 'record across the end') {
        // Walk the consumer to 16 bytes before the end first.
        for (let i = 0; i < 3; i++) {
          write(producer, 1, new Uint8Array(producer.maxRecordPayload));
          read(consumer);
        }
        write(producer, 1, new Uint8Array(CAPACITY / 4 - 16 - HEADER));
        read(consumer);
      }
      poke(new Int32Array(buffer));
      expect(() => consumer.peek(), what).toThrow(RingCorruptError);
    }
  });

  describe('doorbells', () => {
    it('lets the producer ring a sleeping consumer once per sleep', () => {
      const { producer, consumer } = pair();
      expect(producer.shouldRingConsumer()).toBe(false);
      expect(consumer.announceSleep()).toBe(true);
      write(producer, 1, bytes(3, 0));
      expect(producer.shouldRingConsumer()).toBe(true);
      write(producer, 1, bytes(3, 1));
      expect(producer.shouldRingConsumer()).toBe(false);
      consumer.wake();
      expect(producer.shouldRingConsumer()).toBe(false);
      expect(read(consumer)?.payload).toEqual(bytes(3, 0));
      // Not empty: announcing withdraws itself, and the producer sees nobody to ring.
      expect(consumer.announceSleep()).toBe(false);
      expect(producer.shouldRingConsumer()).toBe(false);
      // A peeked but unreleased record also counts as not empty.
      consumer.peek();
      expect(consumer.announceSleep()).toBe(false);
      consumer.release();
      expect(consumer.announceSleep()).toBe(true);
      consumer.wake();
      expect(producer.shouldRingConsumer()).toBe(false);
    });

    it('lets the consumer ring a producer waiting for space once, and only for the space it needs', () => {
      const { producer, consumer } = pair();
      expect(producer.announceWaitingForSpace()).toBe(false); // no write is blocked
      expect(consumer.shouldRingProducer()).toBe(false);
      const payload = new Uint8Array(producer.maxRecordPayload);
      while (write(producer, 1, payload));
      expect(producer.announceWaitingForSpace()).toBe(true);
      read(consumer);
      expect(consumer.shouldRingProducer()).toBe(true);
      expect(consumer.shouldRingProducer()).toBe(false);
      producer.stopWaitingForSpace();
      // Room now: announcing withdraws itself.
      expect(write(producer, 1, payload)).toBe(true);
      expect(write(producer, 1, payload)).toBe(false);
      read(consumer);
      expect(producer.announceWaitingForSpace()).toBe(false);
      expect(consumer.shouldRingProducer()).toBe(false);
      expect(write(producer, 1, payload)).toBe(true);
    });
  });
});
