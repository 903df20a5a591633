import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { RingMessageReader, RingMessageWriter } from '../../packages/transports/src/shm/ring-messages.js';
import { ringsOf, segmentBytes } from '../../packages/transports/src/shm/shm-layout.js';
import { openSegment } from '../../packages/transports/src/shm/shm-segment.js';
import type { SpscRing } from '../../packages/transports/src/shm/spsc-ring.js';

/**
 * The far side of ring-stress.test.ts, and what both sides share. Run as
 * `node --import tsx ring-stress-child.ts <segment name> <message count>`: it maps the segment,
 * prints `ready`, checks every message the parent sends (order, length, checksum) and answers
 * each with a 4-byte ack of its sequence number. Any mismatch goes to stderr with exit code 1.
 *
 * The segment is laid out as the transport's (shm-layout.ts): the parent is the client side, so
 * the first ring carries its messages to the child and the second the child's acks back.
 *
 * Each side polls while there is traffic and, after a few idle turns, sleeps on a doorbell: the
 * parent rings the child through its stdin, the child the parent through its stdout, one byte
 * each time SpscRing's doorbell words say the other side asked for it. This tests those words
 * (announceSleep, shouldRingConsumer, …), not the transport's own sleep/wake, which shm.test.ts
 * covers. A wakeup lost by them would leave both asleep, which shows as a doorbell wait timing out.
 */

export const RING_CAPACITY = 64 * 1024;
/** Messages of this many bytes or more carry [u32 sequence][u32 FNV-1a of the rest] in front. */
export const CHECKED_FROM = 8;
/** How long either side keeps going before it calls the run hung. */
export const RUN_DEADLINE_MS = 50_000;

export function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
  return hash >>> 0;
}

/** `message` as a Buffer (a view, no copy), for readUInt32LE. */
export function asBuffer(message: Uint8Array): Buffer {
  return Buffer.from(message.buffer, message.byteOffset, message.byteLength);
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
  const bytes = asBuffer(message);
  const sequence = bytes.readUInt32LE(0);
  if (sequence !== expected) return `expected message ${expected}, got ${sequence} (${message.length} bytes)`;
  if (fnv1a(message, CHECKED_FROM, message.length) !== bytes.readUInt32LE(4)) return `message ${sequence}: checksum mismatch in ${message.length} bytes`;
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
  const { buffer } = openSegment(name, segmentBytes(RING_CAPACITY));
  const { inbound: toChild, outbound: toParent } = ringsOf(buffer, RING_CAPACITY, 'server', false);
  const acks = new RingMessageWriter(toParent);
  let expected = 0;
  let problem: string | undefined;
  const reader = new RingMessageReader(toChild, {
    maxMessageSize: 4 * RING_CAPACITY,
    onMessage: (message) => {
      problem ??= problemWith(message, expected);
      const ack = Buffer.alloc(4);
      ack.writeUInt32LE(expected++, 0);
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
