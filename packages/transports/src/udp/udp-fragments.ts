/**
 * Splitting a message into datagram-sized fragments and putting it together again. A sender cuts
 * a frame of `size` bytes into `count` fragments of `fragmentBytes` each (the last one shorter);
 * a receiver takes them in any order, any number of times, and assembles the frame once each
 * fragment arrived.
 */

/** How many fragments a frame of `size` bytes takes: at least one, so an empty frame still travels. */
export function fragmentCount(size: number, fragmentBytes: number): number {
  return Math.max(1, Math.ceil(size / fragmentBytes));
}

/**
 * Whether a message of `size` bytes in `count` fragments is something an honest sender makes:
 * every fragment but the last carries at least `minFragmentBytes`, and at most one byte is left
 * for each. Bounds what one datagram can make a receiver allocate for the fragment table.
 */
export function plausibleShape(size: number, count: number, minFragmentBytes: number): boolean {
  return count <= Math.max(1, Math.ceil(size / minFragmentBytes)) && (count === 1 || size >= count - 1);
}

export type FragmentOutcome = 'added' | 'inconsistent';

/** The fragments of one incoming message gathered so far. */
export class Reassembly {
  readonly size: number;
  readonly count: number;
  readonly #fragments: (Buffer | undefined)[];
  #received = 0;
  #bytes = 0;

  constructor(size: number, count: number) {
    this.size = size;
    this.count = count;
    this.#fragments = new Array<Buffer | undefined>(count);
  }

  get complete(): boolean {
    return this.#received === this.count;
  }

  has(index: number): boolean {
    return this.#fragments[index] !== undefined;
  }

  /**
   * Takes fragment `index`, which it must not have yet (`has`: the receiver asks first, before it
   * charges the budget), as a view it may keep; more bytes than the message has are inconsistent.
   */
  add(index: number, payload: Buffer): FragmentOutcome {
    if (this.#bytes + payload.length > this.size) return 'inconsistent';
    this.#fragments[index] = payload;
    this.#received++;
    this.#bytes += payload.length;
    return 'added';
  }

  /** The whole frame, once complete; undefined when the fragments do not add up to its size. */
  assemble(): Buffer | undefined {
    if (!this.complete || this.#bytes !== this.size) return undefined;
    if (this.count === 1) return this.#fragments[0];
    return Buffer.concat(this.#fragments as Buffer[], this.size);
  }

  /**
   * What an ACK says of a partial message: every fragment below `base` arrived, and bit i of
   * `bitmap` (most significant bit first) says whether fragment base + i did, for as many
   * fragments as `maxBitmapBytes` covers.
   */
  ackState(maxBitmapBytes: number): { base: number; bitmap: Uint8Array } {
    let base = 0;
    while (base < this.count && this.#fragments[base] !== undefined) base++;
    const covered = Math.min(this.count - base, maxBitmapBytes * 8);
    const bitmap = new Uint8Array(Math.ceil(covered / 8));
    for (let i = 0; i < covered; i++) {
      if (this.#fragments[base + i] !== undefined) bitmap[i >> 3] = (bitmap[i >> 3] as number) | (0x80 >> (i & 7));
    }
    return { base, bitmap };
  }
}

/** Whether an ACK's `base` and `bitmap` say that fragment `index` arrived; undefined when they do not cover it. */
export function ackedFragment(base: number, bitmap: Uint8Array, index: number): boolean | undefined {
  if (index < base) return true;
  const bit = index - base;
  if (bit >= bitmap.length * 8) return undefined;
  return (((bitmap[bit >> 3] as number) >> (7 - (bit & 7))) & 1) === 1;
}
