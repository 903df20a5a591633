/**
 * A lock-free ring of variable-length records with exactly one producer and one consumer, which
 * may be in different processes mapping the same memory. The region is a plain ArrayBuffer (a
 * mapping made by koffi.view, not a SharedArrayBuffer); Atomics.load/store/compareExchange work on
 * an Int32Array over it and are the only accesses that order anything between the two sides.
 * (ECMAScript's memory model speaks only of SharedArrayBuffers; this relies on V8 compiling
 * Atomics the same for any buffer, to sequentially consistent instructions, and on a call to them
 * not being reordered with the plain typed-array accesses around it.)
 *
 * Layout, in bytes from the ring's base (which must be 64-byte aligned in memory):
 *
 *     0   magic, capacity              written once by the initialising side, checked by the other
 *    64   read position                written by the consumer only
 *   128   consumerSleeping             0 awake, 1 about to sleep on its doorbell, 2 doorbell rung
 *   192   producerWaiting              0 not waiting, 1 waiting for space, 2 doorbell rung
 *   256   data, `capacity` bytes
 *
 * Each word has its own 64-byte cache line so the consumer's stores never invalidate the line
 * the producer polls and the other way round. There is no shared write position: a record's
 * header is its own commit, so the consumer never needs one (see below).
 *
 * A record is an 8-byte header and the payload, taking up the next multiple of 8 bytes (the pad
 * bytes are left as they were):
 *
 *     word 0  payload length + 1     0 means "nothing here yet"; storing it commits the record
 *     word 1  kind                   0..MAX_KIND, or PADDING
 *
 * The producer writes the payload and the kind with plain stores and then the length word with
 * Atomics.store, which orders every earlier store before it; the consumer Atomics.loads the
 * length word at its read position, and only after seeing it non-zero reads the rest. A record
 * never straddles the end of the data: when it would not fit before the end, a PADDING record
 * fills the tail and the record goes to offset 0. The producer commits the record at 0 first and
 * the padding last, so a consumer that skips the padding always finds a committed record.
 *
 * Stale headers. A length word left from an earlier lap must never be read as a new record, and
 * because records vary in length, the header slot at the consumer's next position usually lies
 * inside some older record's payload: arbitrary bytes. The consumer could only rule those out by
 * zeroing every byte it consumes. Instead the producer, before committing a record, zeroes the
 * length word of the slot right after it (the next record's header). That slot is therefore 0
 * from before the consumer can reach it until the producer commits there: one store per record
 * instead of a memset per byte. It needs 8 bytes beyond the record to be free, so the ring
 * never holds more than `capacity - 8` bytes.
 *
 * Positions are free-running 32-bit counters of bytes (stored as int32), compared as
 * `(a - b) >>> 0`; capacity is a power of two no larger than 2^30, so `position & (capacity - 1)`
 * is the offset and the difference of two positions never exceeds capacity. Values are in the
 * platform's byte order: both ends are on the same machine.
 *
 * Each ring has exactly one producer object and one consumer object for its whole life (one per
 * process, or both in one process in tests). Both start at the published read position: the
 * initialising side sets it, a consumer attaching later resumes from it, and a producer attaches
 * only to a ring no one has written yet, where it is also the write position.
 */

/** Bytes per cache line (x86-64 and most arm64); every shared word sits on its own. */
const LINE = 64;
const CONTROL_BYTES = 4 * LINE;
/** Record header: length word and kind word. */
const HEADER = 8;
/** "SPSC" in ASCII, so a ring opened at the wrong offset, or never initialised, is caught. */
const MAGIC = 0x53505343;

// Int32 word indexes from the ring's base.
const MAGIC_WORD = 0;
const CAPACITY_WORD = 1;
const READ_WORD = LINE / 4;
const CONSUMER_SLEEPING_WORD = (2 * LINE) / 4;
const PRODUCER_WAITING_WORD = (3 * LINE) / 4;
const DATA_WORD = CONTROL_BYTES / 4;

/**
 * Where positions start: 1 MiB short of the 32-bit wrap, so that every ring crosses it within its
 * first MiB of traffic and a wrap-around bug shows at once, not after 4 GiB in production.
 */
const INITIAL_POSITION = -(2 ** 20);

/** Largest kind a caller may give a record. */
export const MAX_KIND = 0xffff;
/** The kind word of a padding record; outside 0..MAX_KIND so no caller's kind can be it. */
const PADDING = 0x10000;

// The doorbell words' states: 0 nobody waits, 1 announced, 2 the other side won the right to ring.
const IDLE = 0;
const ANNOUNCED = 1;
const RUNG = 2;

/** Smallest capacity: keeps the largest record (capacity / 4) at 1 KiB or more. */
const MIN_RING_CAPACITY = 4096;
/** Largest capacity: keeps every distance between two positions within a 32-bit counter. */
const MAX_RING_CAPACITY = 2 ** 30;
/**
 * Copies up to this many bytes run as a loop, longer ones as TypedArray#set over a subarray. The
 * loop allocates nothing but costs about 2 ns a byte; set is a memcpy behind a fixed ~70 ns for
 * the subarray view it needs. They cross near here (measured on Node 20, x64), and records this
 * small are the ones whose hot path must not allocate.
 */
const LOOP_COPY_MAX = 64;

/** Thrown by peek() when the ring holds something no correct producer writes. */
export class RingCorruptError extends Error {
  override readonly name = 'RingCorruptError';
}

export class SpscRing {
  /** Bytes a ring of `capacity` data bytes occupies, control block included (a multiple of 64). */
  static bytesFor(capacity: number): number {
    checkCapacity(capacity);
    return CONTROL_BYTES + capacity;
  }

  /** Data bytes (a power of two, MIN_RING_CAPACITY..MAX_RING_CAPACITY). */
  readonly capacity: number;
  /**
   * The largest payload one record may carry: a quarter of the capacity less the header, so
   * that a record plus the padding it may need at the wrap always fits in an empty ring.
   */
  readonly maxRecordPayload: number;

  readonly #words: Int32Array;
  readonly #data: Uint8Array;
  readonly #mask: number;

  // Producer state.
  #writePosition: number;
  /** The consumer's read position as last seen; re-read only when the ring looks full. */
  #knownReadPosition: number;
  /** Bytes the last write needed and did not find (0 after a write that succeeded). */
  #blockedBytes = 0;

  // Consumer state.
  #readPosition: number;
  /** Payload length of the peeked record, -1 when none is peeked. */
  #peekedLength = -1;
  #peekedKind = 0;

  /**
   * A ring over `SpscRing.bytesFor(capacity)` bytes of `buffer` from `byteOffset` (a multiple of
   * 64). Exactly one side passes `init` true, before the other side attaches: it zeroes the
   * control block, sets the start position and zeroes the header there. The other side checks
   * that it did.
   */
  constructor(buffer: ArrayBuffer, byteOffset: number, capacity: number, init: boolean) {
    const bytes = SpscRing.bytesFor(capacity);
    if (!Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset % LINE !== 0) {
      throw new RangeError(`ring offset ${byteOffset} is not a multiple of ${LINE}`);
    }
    if (byteOffset + bytes > buffer.byteLength) {
      throw new RangeError(`a ring of capacity ${capacity} needs ${bytes} bytes from offset ${byteOffset}, the buffer has ${buffer.byteLength}`);
    }
    this.capacity = capacity;
    this.maxRecordPayload = capacity / 4 - HEADER;
    this.#words = new Int32Array(buffer, byteOffset, bytes / 4);
    this.#data = new Uint8Array(buffer, byteOffset + CONTROL_BYTES, capacity);
    this.#mask = capacity - 1;
    if (init) {
      this.#words.fill(0, 0, DATA_WORD);
      this.#words[DATA_WORD + ((INITIAL_POSITION & this.#mask) >> 2)] = 0;
      this.#words[CAPACITY_WORD] = capacity;
      this.#words[READ_WORD] = INITIAL_POSITION;
      Atomics.store(this.#words, MAGIC_WORD, MAGIC);
    } else if (Atomics.load(this.#words, MAGIC_WORD) !== MAGIC || this.#words[CAPACITY_WORD] !== capacity) {
      throw new RingCorruptError(`no ring of capacity ${capacity} at offset ${byteOffset} (magic or capacity differ)`);
    }
    const start = Atomics.load(this.#words, READ_WORD);
    this.#writePosition = start;
    this.#knownReadPosition = start;
    this.#readPosition = start;
  }

  // ---- producer ----

  /**
   * Appends one record of `kind` carrying `src[start, end)`; false (and nothing written) when the
   * ring has no room for it now. Throws a RangeError for a payload over maxRecordPayload.
   */
  tryWrite(kind: number, src: Uint8Array, start: number, end: number): boolean {
    return this.#put(kind, false, 0, src, start, end);
  }

  /** tryWrite with a 32-bit unsigned `prefix` as the payload's first 4 bytes, before `src[start, end)`. */
  tryWriteWithPrefix(kind: number, prefix: number, src: Uint8Array, start: number, end: number): boolean {
    return this.#put(kind, true, prefix, src, start, end);
  }

  #put(kind: number, prefixed: boolean, prefix: number, src: Uint8Array, start: number, end: number): boolean {
    const length = end - start + (prefixed ? 4 : 0);
    if (!(kind >= 0 && kind <= MAX_KIND && start >= 0 && end >= start && end <= src.length && length <= this.maxRecordPayload)) {
      throw new RangeError(`cannot write a record of kind ${kind} with bytes ${start}..${end} of ${src.length} (at most ${this.maxRecordPayload} bytes, kind 0..${MAX_KIND})`);
    }
    const size = recordSize(length);
    const position = this.#writePosition;
    const offset = position & this.#mask;
    const toEnd = this.capacity - offset;
    const padding = toEnd < size ? toEnd : 0;
    if (!this.#hasRoom(position, padding + size)) {
      this.#blockedBytes = padding + size;
      return false;
    }
    this.#blockedBytes = 0;

    const words = this.#words;
    const at = padding === 0 ? offset : 0;
    let payload = at + HEADER;
    if (prefixed) {
      words[DATA_WORD + (payload >> 2)] = prefix;
      payload += 4;
    }
    copy(src, start, this.#data, payload, end - start);
    words[DATA_WORD + (at >> 2) + 1] = kind;
    // The next header slot (free: #hasRoom counted it) must read 0 before this record is visible.
    words[DATA_WORD + (((at + size) & this.#mask) >> 2)] = 0;
    Atomics.store(words, DATA_WORD + (at >> 2), length + 1);
    if (padding !== 0) {
      words[DATA_WORD + (offset >> 2) + 1] = PADDING;
      Atomics.store(words, DATA_WORD + (offset >> 2), padding - HEADER + 1);
    }
    this.#writePosition = (position + padding + size) | 0;
    return true;
  }

  /** Whether `bytes` from `position`, plus the next header slot, are free; re-reads the read position only when they look taken. */
  #hasRoom(position: number, bytes: number): boolean {
    const needed = bytes + HEADER;
    if (((position - this.#knownReadPosition) >>> 0) + needed <= this.capacity) return true;
    this.#knownReadPosition = Atomics.load(this.#words, READ_WORD);
    return ((position - this.#knownReadPosition) >>> 0) + needed <= this.capacity;
  }

  /**
   * Producer, after writing: true when the consumer announced sleep and this call won the right to
   * ring its doorbell (compare-and-swap 1→2), so it is rung once per sleep however many records follow.
   */
  shouldRingConsumer(): boolean {
    const words = this.#words;
    return Atomics.load(words, CONSUMER_SLEEPING_WORD) === ANNOUNCED && Atomics.compareExchange(words, CONSUMER_SLEEPING_WORD, ANNOUNCED, RUNG) === ANNOUNCED;
  }

  /**
   * Producer, after a write returned false: announces that it waits for space, then looks again.
   * True: still no room for that record, sleep until the consumer rings. False: it fits now (the
   * announcement is withdrawn), or no write is blocked; write instead of sleeping. The
   * store-then-check order pairs with release()'s store-then-shouldRingProducer(), so a wakeup
   * cannot fall between them.
   */
  announceWaitingForSpace(): boolean {
    if (this.#blockedBytes === 0) return false;
    Atomics.store(this.#words, PRODUCER_WAITING_WORD, ANNOUNCED);
    if (!this.#hasRoom(this.#writePosition, this.#blockedBytes)) return true;
    Atomics.store(this.#words, PRODUCER_WAITING_WORD, IDLE);
    return false;
  }

  /** Producer, woken (or giving up waiting): clears its announcement. */
  stopWaitingForSpace(): void {
    Atomics.store(this.#words, PRODUCER_WAITING_WORD, IDLE);
  }

  // ---- consumer ----

  /**
   * Payload length of the next committed record, or -1 when there is none. Calling it again
   * before release() returns the same record. Throws RingCorruptError for a header no correct
   * producer writes.
   */
  peek(): number {
    if (this.#peekedLength >= 0) return this.#peekedLength;
    const words = this.#words;
    for (;;) {
      const offset = this.#readPosition & this.#mask;
      const header = DATA_WORD + (offset >> 2);
      const lengthWord = Atomics.load(words, header);
      if (lengthWord === 0) return -1;
      const length = (lengthWord - 1) >>> 0;
      const kind = words[header + 1] as number;
      const toEnd = this.capacity - offset;
      if (kind === PADDING) {
        if (offset === 0 || length !== toEnd - HEADER) throw this.#corrupt(`padding of ${length} bytes at offset ${offset}`);
        this.#advance(toEnd);
        continue;
      }
      if (kind < 0 || kind > MAX_KIND || length > this.maxRecordPayload || recordSize(length) > toEnd) {
        throw this.#corrupt(`record of kind ${kind} and ${length} bytes at offset ${offset}`);
      }
      this.#peekedKind = kind;
      this.#peekedLength = length;
      return length;
    }
  }

  /** Kind of the peeked record. */
  get kind(): number {
    return this.#peekedKind;
  }

  /** Copies payload bytes `[from, to)` of the peeked record (all of it by default) into `target` at `targetOffset`. */
  copyOut(target: Uint8Array, targetOffset: number, from = 0, to = this.#peekedLength): void {
    const length = to - from;
    if (!(this.#peekedLength >= 0 && from >= 0 && to <= this.#peekedLength && length >= 0 && targetOffset >= 0 && targetOffset + length <= target.length)) {
      throw new RangeError(`cannot copy bytes ${from}..${to} of a ${this.#peekedLength}-byte record to offset ${targetOffset} of ${target.length}`);
    }
    copy(this.#data, (this.#readPosition & this.#mask) + HEADER + from, target, targetOffset, length);
  }

  /** The unsigned 32-bit value at payload offset `at` (a multiple of 4) of the peeked record. */
  readUint32(at: number): number {
    if (!(this.#peekedLength >= 0 && at >= 0 && at % 4 === 0 && at + 4 <= this.#peekedLength)) {
      throw new RangeError(`cannot read 4 bytes at ${at} of a ${this.#peekedLength}-byte record`);
    }
    return (this.#words[DATA_WORD + (((this.#readPosition & this.#mask) + HEADER + at) >> 2)] as number) >>> 0;
  }

  /** Consumes the peeked record, giving its space back to the producer. */
  release(): void {
    if (this.#peekedLength < 0) throw new Error('release() with no peeked record');
    this.#advance(recordSize(this.#peekedLength));
    this.#peekedLength = -1;
  }

  #advance(bytes: number): void {
    this.#readPosition = (this.#readPosition + bytes) | 0;
    Atomics.store(this.#words, READ_WORD, this.#readPosition);
  }

  #corrupt(what: string): RingCorruptError {
    return new RingCorruptError(`ring corrupt: ${what} (capacity ${this.capacity}, read position ${this.#readPosition >>> 0})`);
  }

  /**
   * Consumer, with nothing left to read: announces that it is going to sleep on its doorbell,
   * then looks again. True: still empty, sleep. False: a record arrived meanwhile (the
   * announcement is withdrawn), read it. The store-then-check order pairs with the producer's
   * commit-then-shouldRingConsumer(): either this sees the record or the producer sees the
   * announcement. A doorbell may still ring after a false here; a woken consumer must treat an
   * empty ring as a spurious wakeup.
   */
  announceSleep(): boolean {
    if (this.#peekedLength >= 0) return false;
    Atomics.store(this.#words, CONSUMER_SLEEPING_WORD, ANNOUNCED);
    if (Atomics.load(this.#words, DATA_WORD + ((this.#readPosition & this.#mask) >> 2)) === 0) return true;
    Atomics.store(this.#words, CONSUMER_SLEEPING_WORD, IDLE);
    return false;
  }

  /** Consumer, woken (or giving up sleeping): clears its announcement. */
  wake(): void {
    Atomics.store(this.#words, CONSUMER_SLEEPING_WORD, IDLE);
  }

  /** Consumer, after releasing: true when the producer waits for space and this call won the right to ring it. */
  shouldRingProducer(): boolean {
    const words = this.#words;
    return Atomics.load(words, PRODUCER_WAITING_WORD) === ANNOUNCED && Atomics.compareExchange(words, PRODUCER_WAITING_WORD, ANNOUNCED, RUNG) === ANNOUNCED;
  }
}

/**
 * True when `n` is a capacity a ring may have: a power of two from MIN_RING_CAPACITY to
 * MAX_RING_CAPACITY. The one statement of the rule; the transport checks its option and a
 * server's offer with it.
 */
export function isRingCapacity(n: number): boolean {
  return Number.isInteger(n) && n >= MIN_RING_CAPACITY && n <= MAX_RING_CAPACITY && (n & (n - 1)) === 0;
}

function checkCapacity(capacity: number): void {
  if (!isRingCapacity(capacity)) {
    throw new RangeError(`ring capacity ${capacity} is not a power of two from ${MIN_RING_CAPACITY} to ${MAX_RING_CAPACITY}`);
  }
}

/** Header plus payload, rounded up to 8 so every header is 8-byte aligned. */
function recordSize(payloadLength: number): number {
  return HEADER + ((payloadLength + 7) & ~7);
}

function copy(from: Uint8Array, fromOffset: number, to: Uint8Array, toOffset: number, length: number): void {
  if (length <= LOOP_COPY_MAX) {
    // Four bytes per iteration: about 1.6x the plain loop's speed, as V8 does not unroll it.
    let i = 0;
    for (; i + 4 <= length; i += 4) {
      to[toOffset + i] = from[fromOffset + i] as number;
      to[toOffset + i + 1] = from[fromOffset + i + 1] as number;
      to[toOffset + i + 2] = from[fromOffset + i + 2] as number;
      to[toOffset + i + 3] = from[fromOffset + i + 3] as number;
    }
    for (; i < length; i++) to[toOffset + i] = from[fromOffset + i] as number;
  } else {
    to.set(from.subarray(fromOffset, fromOffset + length), toOffset);
  }
}
