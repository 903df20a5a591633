import { OVERSIZED_HEAD_BYTES } from '@conduit/runtime';

/** Each message on a byte stream is preceded by its length as a big-endian u32. */
export const LENGTH_PREFIX_BYTES = 4;

/**
 * Cuts a byte stream into length-prefixed messages. The length is checked against the limit
 * before anything is allocated: a message over it is skipped as it streams past, and only its
 * first bytes are kept so the receiver can say which call it was.
 */
export class LengthPrefixDecoder {
  readonly #maxMessageSize: number;
  readonly #onMessage: (message: Buffer) => void;
  readonly #onOversized: (head: Buffer, size: number) => void;
  readonly #prefix = Buffer.alloc(LENGTH_PREFIX_BYTES);
  #prefixFill = 0;
  /** The message being assembled from several chunks. */
  #body: Buffer | undefined;
  #bodyFill = 0;
  /** An oversized message being skipped: bytes still to discard, and its head while it fills. */
  #skipLeft = 0;
  #skipSize = 0;
  #skipHead: Buffer | undefined;
  #skipHeadFill = 0;

  /**
   * Set by a transport whose peer may write stray text into the stream (a child's stdout): called
   * instead of skipping when a length prefix over the limit starts with a printable character,
   * which no frame's prefix does below a 16 MiB limit. The decoder stops there for good.
   */
  readonly #onText: ((text: Buffer) => void) | undefined;
  #stopped = false;

  constructor(
    maxMessageSize: number,
    onMessage: (message: Buffer) => void,
    onOversized: (head: Buffer, size: number) => void,
    onText?: (text: Buffer) => void,
  ) {
    this.#maxMessageSize = maxMessageSize;
    this.#onMessage = onMessage;
    this.#onOversized = onOversized;
    this.#onText = onText;
  }

  /** True while part of a message has arrived but not all of it. */
  get midMessage(): boolean {
    return this.#prefixFill > 0 || this.#body !== undefined || this.#skipLeft > 0;
  }

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && !this.#stopped) {
      if (this.#skipLeft > 0) {
        at = this.#skip(chunk, at);
      } else if (this.#body !== undefined) {
        at = this.#fillBody(chunk, at);
      } else if (this.#prefixFill === 0 && chunk.length - at >= LENGTH_PREFIX_BYTES) {
        // The common case: a whole prefix, often a whole message, in this chunk; no copying.
        const size = chunk.readUInt32BE(at);
        if (size > this.#maxMessageSize && this.#isText(size)) return this.#text(chunk.subarray(at));
        at += LENGTH_PREFIX_BYTES;
        if (size > this.#maxMessageSize) this.#startSkip(size);
        else if (chunk.length - at >= size) {
          this.#onMessage(chunk.subarray(at, at + size));
          at += size;
        } else this.#startBody(size);
      } else {
        this.#prefix[this.#prefixFill++] = chunk[at++] as number;
        if (this.#prefixFill === LENGTH_PREFIX_BYTES) {
          this.#prefixFill = 0;
          const size = this.#prefix.readUInt32BE(0);
          if (size > this.#maxMessageSize && this.#isText(size)) return this.#text(Buffer.concat([this.#prefix, chunk.subarray(at)]));
          if (size > this.#maxMessageSize) this.#startSkip(size);
          else this.#startBody(size);
        }
      }
    }
  }

  /**
   * Whether an over-limit prefix's first byte can start text: printable ASCII, whitespace, ESC
   * (terminal colours) or a UTF-8 lead byte ("✓ ready").
   */
  #isText(size: number): boolean {
    if (this.#onText === undefined) return false;
    return startsText(size >>> 24);
  }

  #text(bytes: Buffer): void {
    this.#stopped = true;
    this.#onText?.(bytes);
  }

  #startBody(size: number): void {
    if (size === 0) {
      this.#onMessage(Buffer.alloc(0));
      return;
    }
    this.#body = Buffer.allocUnsafe(size);
    this.#bodyFill = 0;
  }

  #fillBody(chunk: Buffer, at: number): number {
    const body = this.#body as Buffer;
    const take = Math.min(body.length - this.#bodyFill, chunk.length - at);
    chunk.copy(body, this.#bodyFill, at, at + take);
    this.#bodyFill += take;
    if (this.#bodyFill === body.length) {
      this.#body = undefined;
      this.#onMessage(body);
    }
    return at + take;
  }

  #startSkip(size: number): void {
    this.#skipLeft = size;
    this.#skipSize = size;
    this.#skipHead = Buffer.allocUnsafe(Math.min(OVERSIZED_HEAD_BYTES, size));
    this.#skipHeadFill = 0;
  }

  #skip(chunk: Buffer, at: number): number {
    const take = Math.min(this.#skipLeft, chunk.length - at);
    const head = this.#skipHead;
    if (head !== undefined) {
      const copied = chunk.copy(head, this.#skipHeadFill, at, at + Math.min(take, head.length - this.#skipHeadFill));
      this.#skipHeadFill += copied;
      if (this.#skipHeadFill === head.length) {
        this.#skipHead = undefined;
        this.#onOversized(head, this.#skipSize);
      }
    }
    this.#skipLeft -= take;
    return at + take;
  }
}

/** A byte that can begin a line of text; a frame's length prefix begins with 0x00 below 16 MiB. */
export function startsText(byte: number): boolean {
  return (byte >= 0x20 && byte <= 0x7e) || (byte >= 0x09 && byte <= 0x0d) || byte === 0x1b || (byte >= 0xc2 && byte <= 0xf4);
}
