import type { RpcError } from './rpc-error.js';

/**
 * The receiving end of one call's stream: an async iterable of the messages that arrived, holding
 * at most a window of them. Each time the consumer has taken half a window, the inbox grants that
 * much credit back to the sender, so a fast producer waits for a slow consumer instead of filling
 * memory.
 */
export class StreamInbox<T> implements AsyncIterableIterator<T> {
  readonly #window: number;
  readonly #grant: (credit: number) => void;
  readonly #onReturn: () => void;
  readonly #queue: T[] = [];
  #head = 0;
  #taken = 0;
  #ended = false;
  #error: RpcError | undefined;
  #waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: RpcError) => void } | undefined;
  /** Messages the sender may still send before it needs more credit; more is a protocol violation. */
  #allowance: number;

  /**
   * @param window  messages the sender may send ahead (its initial credit)
   * @param grant   sends CREDIT for this many more messages
   * @param onReturn the consumer stopped early (`break`): cancel the call
   */
  constructor(window: number, grant: (credit: number) => void, onReturn: () => void) {
    this.#window = window;
    this.#allowance = window;
    this.#grant = grant;
    this.#onReturn = onReturn;
  }

  /** Adds a message; returns false if the sender overran its credit (the message is dropped). */
  push(message: T): boolean {
    if (this.#ended) return true;
    if (this.#allowance === 0) return false;
    this.#allowance--;
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      this.#waiting = undefined;
      this.#took();
      waiting.resolve({ value: message, done: false });
    } else {
      this.#queue.push(message);
    }
    return true;
  }

  /** The sender finished; the consumer still gets what is queued. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#waiting?.resolve({ value: undefined, done: true });
    this.#waiting = undefined;
  }

  /** The call failed; the consumer gets the queued messages, then this error. */
  fail(error: RpcError): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.#waiting?.reject(error);
    this.#waiting = undefined;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#queue.length) {
      const value = this.#queue[this.#head] as T;
      this.#queue[this.#head++] = undefined as T;
      if (this.#head === this.#queue.length) {
        this.#queue.length = 0;
        this.#head = 0;
      }
      this.#took();
      return Promise.resolve({ value, done: false });
    }
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.#waiting = { resolve, reject }));
  }

  /** `break` or an early return from `for await`: drop what is queued and cancel the call. */
  return(): Promise<IteratorResult<T>> {
    if (!this.#ended) {
      this.#ended = true;
      this.#onReturn();
    }
    this.#queue.length = 0;
    this.#head = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #took(): void {
    if (++this.#taken * 2 < this.#window) return;
    const credit = this.#taken;
    this.#taken = 0;
    this.#allowance += credit;
    if (!this.#ended) this.#grant(credit);
  }
}
