import { RingCorruptError, type SpscRing } from './spsc-ring.js';

/**
 * Whole messages over the records of an SpscRing. A message that fits in one record is one WHOLE
 * record. A longer one is split into records of maxRecordPayload bytes:
 *
 *     FIRST    payload = total message length (u32, platform byte order), then the first bytes
 *     MIDDLE   payload = the next bytes            (zero or more of these)
 *     LAST     payload = the final bytes
 *
 * The total up front lets the reader refuse an oversized message before buffering any of it,
 * and lets it allocate the message once. Nothing else may come between a FIRST and its LAST,
 * which the single writer per ring guarantees by sending its queue strictly in order.
 */
export const RecordKind = {
  WHOLE: 1,
  FIRST: 2,
  MIDDLE: 3,
  LAST: 4,
} as const;

/** Bytes of the FIRST record's payload taken by the total length. */
const TOTAL_LENGTH_BYTES = 4;
/** The longest message that total can describe. */
const MAX_TOTAL_LENGTH = 0xffff_ffff;
/** How much of an oversized message onOversized sees: enough to read a frame header and a call id. */
const OVERSIZED_HEAD_BYTES = 512;
/** Queue slots sent before the queue array is compacted, so a queue that never empties stays small. */
const QUEUE_COMPACT_AT = 1024;

/**
 * Writes messages to a ring in order. What does not fit now waits in a queue, and flush() sends
 * more of it when the consumer has made room. The writer keeps a reference to a queued message,
 * not a copy: the caller must not change a message after handing it over.
 */
export class RingMessageWriter {
  readonly #ring: SpscRing;
  /** Messages not yet fully written, oldest first, from #queueHead on. */
  #queue: Uint8Array[] = [];
  #queueHead = 0;
  /** Bytes of the oldest queued message already in the ring (0 when the queue is empty). */
  #headSent = 0;
  /** Total length of the queued messages. */
  #queuedTotal = 0;

  constructor(ring: SpscRing) {
    this.#ring = ring;
  }

  /** Bytes accepted by write() and not yet in the ring; the caller bounds this. */
  get queuedBytes(): number {
    return this.#queuedTotal - this.#headSent;
  }

  /** Writes `message`, or as much of it as fits behind what is already queued; true when all of it is in the ring. */
  write(message: Uint8Array): boolean {
    if (message.length > MAX_TOTAL_LENGTH) throw new RangeError(`a message of ${message.length} bytes is longer than the ${MAX_TOTAL_LENGTH} a first fragment can announce`);
    if (this.#queueHead === this.#queue.length && this.#sendHead(message)) return true;
    this.#queue.push(message);
    this.#queuedTotal += message.length;
    return false;
  }

  /** Sends queued messages until the ring is full; true when the queue is empty. */
  flush(): boolean {
    const queue = this.#queue;
    while (this.#queueHead < queue.length) {
      const message = queue[this.#queueHead] as Uint8Array;
      if (!this.#sendHead(message)) return false;
      this.#queuedTotal -= message.length;
      this.#headSent = 0;
      this.#queueHead++;
      if (this.#queueHead === QUEUE_COMPACT_AT) {
        queue.splice(0, QUEUE_COMPACT_AT);
        this.#queueHead = 0;
      }
    }
    queue.length = 0;
    this.#queueHead = 0;
    return true;
  }

  /**
   * Writes records of `message` from #headSent on until it is all in the ring (true) or the ring
   * is full (false, #headSent says how far it got).
   */
  #sendHead(message: Uint8Array): boolean {
    const ring = this.#ring;
    const max = ring.maxRecordPayload;
    const total = message.length;
    let sent = this.#headSent;
    if (sent === 0) {
      if (total <= max) return ring.tryWrite(RecordKind.WHOLE, message, 0, total);
      if (!ring.tryWriteWithPrefix(RecordKind.FIRST, total, message, 0, max - TOTAL_LENGTH_BYTES)) return false;
      sent = max - TOTAL_LENGTH_BYTES;
    }
    for (;;) {
      const last = total - sent <= max;
      const end = last ? total : sent + max;
      if (!ring.tryWrite(last ? RecordKind.LAST : RecordKind.MIDDLE, message, sent, end)) break;
      sent = end;
      if (last) {
        this.#headSent = 0;
        return true;
      }
    }
    this.#headSent = sent;
    return false;
  }
}

export interface RingMessageReaderOptions {
  /** Largest message delivered; a longer one is skipped without being buffered. */
  readonly maxMessageSize: number;
  /**
   * A complete message, copied out of the ring into a Buffer the receiver owns. Small ones are
   * slices of Node's Buffer pool, as a socket's chunks are: new Uint8Array(n) costs about 1 µs
   * from 65 bytes up (its memory is allocated outside the V8 heap), the pool about 0.1 µs.
   */
  onMessage(message: Uint8Array): void;
  /** A message over maxMessageSize was skipped; `head` is a copy of its first (up to 512) bytes. */
  onOversized(head: Uint8Array, size: number): void;
  /** The ring holds something no correct writer writes; the reader has stopped for good. */
  onCorrupt(problem: string): void;
}

/** Reassembles messages from a ring's records and hands each over as its own copy. */
export class RingMessageReader {
  readonly #ring: SpscRing;
  readonly #maxMessageSize: number;
  readonly #onMessage: (message: Uint8Array) => void;
  readonly #onOversized: (head: Uint8Array, size: number) => void;
  readonly #onCorrupt: (problem: string) => void;
  #failed = false;

  // The message being reassembled from fragments, if any.
  /** Its total length; 0 between messages. */
  #total = 0;
  /** Its bytes received so far (including skipped ones). */
  #received = 0;
  /** Where its bytes go, or undefined when it is oversized and only its head is kept. */
  #message: Uint8Array | undefined;
  /** The head of an oversized message. */
  #head: Uint8Array | undefined;

  constructor(ring: SpscRing, options: RingMessageReaderOptions) {
    this.#ring = ring;
    this.#maxMessageSize = options.maxMessageSize;
    this.#onMessage = options.onMessage;
    this.#onOversized = options.onOversized;
    this.#onCorrupt = options.onCorrupt;
  }

  /**
   * Consumes up to `maxRecords` committed records (all of them by default), delivering every
   * message they complete, and returns how many records it consumed: more than 0 means the
   * producer got space back, even when no message completed. A callback that throws stops the
   * poll; the record it came from is already consumed.
   */
  poll(maxRecords = Number.POSITIVE_INFINITY): number {
    const ring = this.#ring;
    let records = 0;
    while (!this.#failed && records < maxRecords) {
      let length: number;
      try {
        length = ring.peek();
      } catch (error) {
        if (!(error instanceof RingCorruptError)) throw error;
        this.#fail(error.message);
        break;
      }
      if (length < 0) break;
      records++;
      const kind = ring.kind;
      if (kind === RecordKind.WHOLE) this.#whole(length);
      else if (kind === RecordKind.FIRST) this.#first(length);
      else if (kind === RecordKind.MIDDLE || kind === RecordKind.LAST) this.#next(length, kind === RecordKind.LAST);
      else this.#fail(`unknown record kind ${kind}`);
    }
    return records;
  }

  #whole(length: number): void {
    const ring = this.#ring;
    if (this.#total !== 0) return this.#fail(`a whole message inside a fragmented one (${this.#received} of ${this.#total} bytes received)`);
    if (length > this.#maxMessageSize) {
      const head = Buffer.allocUnsafe(Math.min(length, OVERSIZED_HEAD_BYTES));
      ring.copyOut(head, 0, 0, head.length);
      ring.release();
      this.#onOversized(head, length);
      return;
    }
    const message = Buffer.allocUnsafe(length);
    ring.copyOut(message, 0);
    ring.release();
    this.#onMessage(message);
  }

  #first(length: number): void {
    const ring = this.#ring;
    if (this.#total !== 0) return this.#fail(`a new first fragment inside a fragmented message (${this.#received} of ${this.#total} bytes received)`);
    if (length < TOTAL_LENGTH_BYTES) return this.#fail(`a first fragment of ${length} bytes, too short for the total length`);
    const total = ring.readUint32(0);
    const chunk = length - TOTAL_LENGTH_BYTES;
    if (chunk >= total) return this.#fail(`a first fragment with ${chunk} of a ${total}-byte message`);
    this.#total = total;
    if (total > this.#maxMessageSize) {
      this.#head = Buffer.allocUnsafe(Math.min(total, OVERSIZED_HEAD_BYTES));
    } else {
      this.#message = Buffer.allocUnsafe(total);
    }
    this.#take(TOTAL_LENGTH_BYTES, length);
    ring.release();
  }

  #next(length: number, last: boolean): void {
    const ring = this.#ring;
    const total = this.#total;
    if (total === 0) return this.#fail(`a ${last ? 'last' : 'middle'} fragment without a first`);
    const end = this.#received + length;
    if (last ? end !== total : end >= total) {
      return this.#fail(`a ${last ? 'last' : 'middle'} fragment ending at byte ${end} of a ${total}-byte message`);
    }
    this.#take(0, length);
    ring.release();
    if (!last) return;
    const message = this.#message;
    const head = this.#head;
    this.#total = 0;
    this.#received = 0;
    this.#message = undefined;
    this.#head = undefined;
    if (message !== undefined) this.#onMessage(message);
    else this.#onOversized(head as Uint8Array, total);
  }

  /** Copies payload bytes [from, to) of the peeked fragment to where the message's bytes go. */
  #take(from: number, to: number): void {
    const at = this.#received;
    if (this.#message !== undefined) {
      this.#ring.copyOut(this.#message, at, from, to);
    } else {
      const head = this.#head as Uint8Array;
      const wanted = Math.min(to - from, head.length - at);
      if (wanted > 0) this.#ring.copyOut(head, at, from, from + wanted);
    }
    this.#received = at + to - from;
  }

  #fail(problem: string): void {
    this.#failed = true;
    this.#message = undefined;
    this.#head = undefined;
    this.#onCorrupt(problem);
  }
}
