/**
 * The sending end of one call's stream: pulls values from an async iterable and sends each as a
 * stream message while the receiver's credit (bytes of window) lasts; a message may start while
 * any credit is left. It pulls the next value only once it may send it, so a generator is not run
 * ahead of the receiver.
 */
export class StreamSender {
  #credit: number;
  #stopped = false;
  #wake: (() => void) | undefined;

  /** @param initialCredit the receiver's window, in the bytes `streamMessageCharge` counts */
  constructor(initialCredit: number) {
    this.#credit = initialCredit;
  }

  addCredit(credit: number): void {
    this.#credit += credit;
    this.#resume();
  }

  /** The call ended (answered, cancelled, failed): send nothing more and close the source. */
  stop(): void {
    this.#stopped = true;
    this.#resume();
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * Sends every value of `source` with `send`, which returns what the message cost of the window.
   * Resolves true when the source is exhausted, false when stopped first; rejects with whatever
   * the source threw.
   */
  async pump<T>(source: AsyncIterable<T> | Iterable<T>, send: (value: T) => number): Promise<boolean> {
    const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : toAsync(source[Symbol.iterator]());
    let finished = false;
    try {
      for (;;) {
        while (this.#credit <= 0 && !this.#stopped) await new Promise<void>((resolve) => (this.#wake = resolve));
        if (this.#stopped) return false;
        const next = await iterator.next();
        if (next.done === true) {
          finished = true;
          return true;
        }
        if (this.#stopped) return false;
        this.#credit -= send(next.value);
      }
    } finally {
      // Closing the source runs its finally blocks (a generator's cleanup) when we stop early.
      if (!finished) await iterator.return?.();
    }
  }

  #resume(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

function toAsync<T>(iterator: Iterator<T>): AsyncIterator<T> {
  return {
    next: async () => iterator.next(),
    return: async () => iterator.return?.() ?? { value: undefined, done: true },
  };
}

/** What `pump` accepts: an async iterable, or a plain one (an array of messages, say). */
export function isIterable(value: unknown): value is AsyncIterable<unknown> | Iterable<unknown> {
  return typeof value === 'object' && value !== null && (Symbol.asyncIterator in value || Symbol.iterator in value);
}
