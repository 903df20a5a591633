import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RingMessageReader, RingMessageWriter } from '../../packages/transports/src/shm/ring-messages.js';
import { ringsOf, segmentBytes } from '../../packages/transports/src/shm/shm-layout.js';
import { createSegment, segmentName, unlinkSegment } from '../../packages/transports/src/shm/shm-segment.js';
import {
  asBuffer,
  CHECKED_FROM,
  Doorbell,
  DOORBELL,
  fnv1a,
  RING_CAPACITY,
  RUN_DEADLINE_MS,
  shortByte,
  sleepOnDoorbell,
  SPIN_TURNS,
  yieldToLoop,
} from './ring-stress-child.js';

/**
 * SpscRing and its message framing between two real processes, without the transport around
 * them: a million messages from 1 byte to 3× the ring capacity (so most large ones are split
 * into fragments, and the ring is full much of the time), each checked in the child for order,
 * length and checksum and acknowledged back through the second ring. Both sides poll while
 * traffic flows and sleep on a doorbell when idle, so SpscRing's doorbell words (announceSleep,
 * shouldRingConsumer, …) are exercised across processes too. The transport's own sleep/wake
 * (ShmConnection and its poller) is shm.test.ts's to test.
 */

const CHILD = fileURLToPath(new URL('./ring-stress-child.ts', import.meta.url));
const COUNT = 1_000_000;
/** How long the child may take to start (tsx compiles it first) and map the segment. */
const START_TIMEOUT_MS = 15_000;
/** Bytes the parent lets wait in its writer's queue before it stops making messages. */
const MAX_QUEUED = 256 * 1024;

/** A small deterministic generator, so a failing run can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Mostly small, like RPC traffic; some of a few KiB; and a few up to 3× the ring capacity, which
 * carry most of the bytes (about 1 KiB a message on average, 1 GB over the run).
 */
function nextSize(next: () => number, edgeSizes: readonly number[]): number {
  const r = next();
  if (r < 0.945) return 1 + Math.floor(next() * 256);
  if (r < 0.992) return 257 + Math.floor(next() * (8192 - 257));
  if (r < 0.995) return edgeSizes[Math.floor(next() * edgeSizes.length)] as number;
  return 8193 + Math.floor(next() * (3 * RING_CAPACITY - 8192));
}

function makeMessage(sequence: number, size: number, pool: Uint8Array): Uint8Array {
  const message = Buffer.allocUnsafe(size);
  if (size < CHECKED_FROM) {
    for (let i = 0; i < size; i++) message[i] = shortByte(sequence, i);
    return message;
  }
  const from = (sequence * 7919) % (pool.length - size);
  message.set(pool.subarray(from, from + size - CHECKED_FROM), CHECKED_FROM);
  message.writeUInt32LE(sequence, 0);
  message.writeUInt32LE(fnv1a(message, CHECKED_FROM, size), 4);
  return message;
}

const children = new Set<ChildProcess>();
const names = new Set<string>();
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const name of names) unlinkSegment(name);
});

describe('shm rings between two processes', () => {
  it(`carry ${COUNT} messages of 1 byte to 3× the ring capacity, in order and intact`, async () => {
    const seed = Date.now() >>> 0;
    const name = segmentName();
    names.add(name);
    const { buffer } = createSegment(name, segmentBytes(RING_CAPACITY));
    // The parent is the client side: the first ring goes to the child, the second comes back.
    const { outbound: toChild, inbound: toParent } = ringsOf(buffer, RING_CAPACITY, 'client', true);
    const maxRecord = toChild.maxRecordPayload;
    /** Sizes where fragmentation changes: one record, FIRST+LAST, FIRST+MIDDLE+LAST, the largest. */
    const edgeSizes = [maxRecord - 1, maxRecord, maxRecord + 1, 2 * maxRecord - 5, 2 * maxRecord - 4, 2 * maxRecord - 3, 3 * maxRecord - 4, 3 * maxRecord - 3, 3 * RING_CAPACITY];

    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, name, String(COUNT)], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    const stderr: string[] = [];
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
    // The child's first output is `ready`; every byte after it is a doorbell.
    const doorbell = new Doorbell(child.stdout);
    if (!(await doorbell.wait(START_TIMEOUT_MS)) || doorbell.ended) {
      throw new Error(`the child did not map the segment within ${START_TIMEOUT_MS} ms: ${stderr.join('')}`);
    }
    const ringChild = () => child.stdin.write(DOORBELL);
    // Both sides have it mapped: the name can go, as the transport removes it.
    unlinkSegment(name);

    const pool = randomBytes(1024 * 1024);
    const next = random(seed);
    const writer = new RingMessageWriter(toChild);
    let acked = 0;
    let problem: string | undefined;
    const reader = new RingMessageReader(toParent, {
      maxMessageSize: 4,
      onMessage: (ack) => {
        const sequence = asBuffer(ack).readUInt32LE(0);
        if (sequence !== acked) problem ??= `ack ${sequence} where ${acked} was due`;
        acked++;
      },
      onOversized: (_head, size) => {
        problem ??= `an ack of ${size} bytes`;
      },
      onCorrupt: (reason) => {
        problem ??= `corrupt ack ring: ${reason}`;
      },
    });

    const started = Date.now();
    let sent = 0;
    let bytes = 0;
    let turns = 0;
    let idle = 0;
    let childExit: number | string | undefined;
    void exited.then((code) => (childExit = code));
    while (acked < COUNT) {
      let progress = 0;
      for (let burst = 0; burst < 256 && sent < COUNT && writer.queuedBytes < MAX_QUEUED; burst++) {
        const size = nextSize(next, edgeSizes);
        writer.write(makeMessage(sent++, size, pool));
        bytes += size;
        progress++;
      }
      const queued = writer.queuedBytes;
      writer.flush();
      if (writer.queuedBytes !== queued) progress++;
      if (toChild.shouldRingConsumer()) ringChild();
      const acks = reader.poll(4096);
      if (acks > 0 && toParent.shouldRingProducer()) ringChild();
      progress += acks;
      if (problem !== undefined) throw new Error(`${problem} (seed ${seed})`);
      if (childExit !== undefined && acks === 0) throw new Error(`child exited (${childExit}) after ${acked} acks (seed ${seed}): ${stderr.join('')}`);
      if (Date.now() - started > RUN_DEADLINE_MS) throw new Error(`hung: ${sent} sent, ${acked} acked, ${writer.queuedBytes} bytes queued (seed ${seed})`);
      if (progress > 0) {
        idle = 0;
        if (++turns % 16 === 0) await yieldToLoop();
      } else if (++idle < SPIN_TURNS) {
        await yieldToLoop();
      } else {
        idle = 0;
        // Sleeps only when every message is made or the queue is full: then a write is blocked or none is due.
        await sleepOnDoorbell(doorbell, toParent, toChild, writer.queuedBytes > 0);
      }
    }

    expect(acked).toBe(COUNT);
    expect(await exited).toBe(0);
    expect(stderr.join('')).toBe('');
    expect(bytes).toBeGreaterThan(COUNT * 256); // the large ones really were sent
  }, 60_000);
});
