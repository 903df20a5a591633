import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { RingMessageReader, RingMessageWriter } from '../../packages/transports/src/shm/ring-messages.js';
import { openSegment } from '../../packages/transports/src/shm/shm-segment.js';
import { SpscRing } from '../../packages/transports/src/shm/spsc-ring.js';

/**
 * The far side of ring-stress.test.ts, and what both sides share. Run as
 * `node --import tsx ring-stress-child.ts <segment name> <message count>`: it maps the segment,
 * prints `ready`, checks every message the parent sends (order, length, checksum) and answers
 * each with a 4-byte ack of its sequence number. Any mismatch goes to stderr with exit code 1.
 *
 * Each side polls while there is traffic and, after a few idle turns, sleeps on a doorbell as the
 * transport does: the parent rings the child through its stdin, the child the parent through its
 * stdout, one byte each time the rings' sleep words say the other side asked for it. A wakeup
 * lost by that protocol would leave both asleep, which shows as a doorbell wait timing out.
 */

export const RING_CAPACITY = 64 * 1024;
export const SEGMENT_BYTES = 2 * SpscRing.bytesFor(RING_CAPACITY);
/** Messages of this many bytes or more carry [u32 sequence][u32 FNV-1a of the rest] in front. */
export const CHECKED_FROM = 8;
/** How long either side keeps going before it calls the run hung. */
export const RUN_DEADLINE_MS = 50_000;

/** The segment's two rings: parent → child first, then child → parent. */
export function ringsIn(buffer: ArrayBuffer, init: boolean): { toChild: SpscRing; toParent: SpscRing } {
  return {
    toChild: new SpscRing(buffer, 0, RING_CAPACITY, init),
    toParent: new SpscRing(buffer, SpscRing.bytesFor(RING_CAPACITY), RING_CAPACITY, init),
  };
}

export function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
  return hash >>> 0;
}

export function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] as number) | ((bytes[at + 1] as number) << 8) | ((bytes[at + 2] as number) << 16) | ((bytes[at + 3] as number) << 24)) >>> 0;
}

export function writeU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
  bytes[at + 2] = (value >>> 16) & 0xff;
  bytes[at + 3] = value >>> 24;
}

/** The bytes of a message too short to carry a sequence number and checksum: derived from its sequence number. */
export function shortByte(sequence: number, index: number): number {
  return (sequence * 7 + index + 1) & 0xff;
}

/** What is wrong with `message` as message number `expected`, or undefined when it is right. */
export function problemWith(message: Uint8Array, expected: number): string | undefined {
  if (message.length < CHECKED_FROM) {
    for (let i = 0; i < message.length; i++) {
      if (message[i] !== shortByte(expected, i)) return `message ${expected}: its ${message.length} bytes differ at ${i}`;
    }
    return undefined;
  }
  const sequence = readU32(message, 0);
  if (sequence !== expected) return `expected message ${expected}, got ${sequence} (${message.length} bytes)`;
  if (fnv1a(message, CHECKED_FROM, message.length) !== readU32(message, 4)) return `message ${sequence}: checksum mismatch in ${message.length} bytes`;
  return undefined;
}

/** Idle turns (each a trip round the event loop) before a side sleeps on its doorbell. */
export const SPIN_TURNS = 20;
/** A doorbell wait this long means a lost wakeup: the other side has work for us or is asleep too. */
export const LOST_WAKEUP_MS = 5_000;
export const DOORBELL = Buffer.from([0x21]);

export const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));

/** Bytes arriving on `stream` as "look at your rings"; the stream ending rings it for good. */
export class Doorbell {
  #rung = false;
  #ended = false;
  #waiter: (() => void) | undefined;

  constructor(stream: Readable) {
    stream.on('data', () => this.#ring());
    stream.on('end', () => {
      this.#ended = true;
      this.#ring();
    });
  }

  get ended(): boolean {
    return this.#ended;
  }

  #ring(): void {
    this.#rung = true;
    this.#waiter?.();
  }

  /** Waits until rung (true, at once if rung since the last wait) or `ms` pass (false). */
  async wait(ms: number): Promise<boolean> {
    if (!this.#rung && !this.#ended) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
    const rung = this.#rung || this.#ended;
    this.#rung = false;
    return rung;
  }
}

/**
 * Sleeps until the other side rings, unless announcing the sleep shows there is work after all:
 * a record in `inbound`, or room in `outbound` for the write that was blocked (`blocked`).
 */
export async function sleepOnDoorbell(doorbell: Doorbell, inbound: SpscRing, outbound: SpscRing, blocked: boolean): Promise<void> {
  if (!inbound.announceSleep()) return;
  if (blocked && !outbound.announceWaitingForSpace()) {
    inbound.wake();
    return;
  }
  const rung = await doorbell.wait(LOST_WAKEUP_MS);
  inbound.wake();
  outbound.stopWaitingForSpace();
  if (!rung) throw new Error(`lost wakeup: no doorbell for ${LOST_WAKEUP_MS} ms`);
}

async function main(name: string, count: number): Promise<void> {
  const { buffer } = openSegment(name, SEGMENT_BYTES);
  const { toChild, toParent } = ringsIn(buffer, false);
  const acks = new RingMessageWriter(toParent);
  let expected = 0;
  let problem: string | undefined;
  const reader = new RingMessageReader(toChild, {
    maxMessageSize: 4 * RING_CAPACITY,
    onMessage: (message) => {
      problem ??= problemWith(message, expected);
      const ack = new Uint8Array(4);
      writeU32(ack, 0, expected++);
      acks.write(ack);
    },
    onOversized: (_head, size) => {
      problem ??= `message ${expected} of ${size} bytes reported oversized`;
    },
    onCorrupt: (reason) => {
      problem ??= `corrupt ring after ${expected} messages: ${reason}`;
    },
  });
  process.stdout.write('ready\n');

  const doorbell = new Doorbell(process.stdin);
  const ringParent = () => process.stdout.write(DOORBELL);
  const deadline = Date.now() + RUN_DEADLINE_MS;
  let turns = 0;
  let idle = 0;
  while (expected < count || acks.queuedBytes > 0) {
    // Acks queue when the parent lags; read no more than it can take back soon.
    const consumed = acks.queuedBytes < RING_CAPACITY ? reader.poll(1024) : 0;
    if (consumed > 0 && toChild.shouldRingProducer()) ringParent();
    const queued = acks.queuedBytes;
    acks.flush();
    if (toParent.shouldRingConsumer()) ringParent();
    if (problem !== undefined) throw new Error(problem);
    if (doorbell.ended) throw new Error(`the parent went away after ${expected} of ${count} messages`);
    if (Date.now() > deadline) throw new Error(`hung after ${expected} of ${count} messages (${acks.queuedBytes} ack bytes queued)`);
    if (consumed > 0 || acks.queuedBytes !== queued) {
      idle = 0;
      if (++turns % 32 === 0) await yieldToLoop();
    } else if (++idle < SPIN_TURNS) {
      await yieldToLoop();
    } else {
      idle = 0;
      await sleepOnDoorbell(doorbell, toChild, toParent, acks.queuedBytes > 0);
    }
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [name, count] = process.argv.slice(2);
  main(name as string, Number(count)).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
