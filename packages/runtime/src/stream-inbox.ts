import type { RpcError } from './rpc-error.js';

/**
 * The receiving end of one call's stream: an async iterable of the messages that arrived, holding
 * at most a window of them (in bytes, see `streamMessageCharge`). Each time the consumer has taken
 * half a window, the inbox grants that much credit back to the sender, so a fast producer waits
 * for a slow consumer instead of filling memory.
 */
export class StreamInbox<T> implements AsyncIterableIterator<T> {
  readonly #window: number;
  readonly #grant: (credit: number) => void;
  readonly #onReturn: () => void;
  readonly #queue: T[] = [];
  /** What each queued message cost of the window, in the same order. */
  readonly #charges: number[] = [];
  #head = 0;
  /** Window the consumer has freed since the last grant. */
  #freed = 0;
  #ended = false;
  #error: RpcError | undefined;
  #waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: RpcError) => void } | undefined;
  /** Window the sender may still use; a message may start while any is left. */
  #allowance: number;

  /**
   * @param window  bytes the sender may send ahead (its initial credit)
   * @param grant   sends CREDIT for this many more bytes
   * @param onReturn the consumer stopped early (`break`): cancel the call
   */
  constructor(window: number, grant: (credit: number) => void, onReturn: () => void) {
    this.#window = window;
    this.#allowance = window;
    this.#grant = grant;
    this.#onReturn = onReturn;
  }

  /**
   * Adds a message that cost `charge` of the window; returns false if the sender had no window
   * left to send it (the message is dropped: the sender broke the protocol).
   */
  push(message: T, charge: number): boolean {
    if (this.#ended) return true;
    if (this.#allowance <= 0) return false;
    this.#allowance -= charge;
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      this.#waiting = undefined;
      this.#took(charge);
      waiting.resolve({ value: message, done: false });
    } else {
      this.#queue.push(message);
      this.#charges.push(charge);
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
      const charge = this.#charges[this.#head] as number;
      this.#queue[this.#head++] = undefined as T;
      if (this.#head === this.#queue.length) {
        this.#queue.length = 0;
        this.#charges.length = 0;
        this.#head = 0;
      }
      this.#took(charge);
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
    this.#charges.length = 0;
    this.#head = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #took(charge: number): void {
    this.#freed += charge;
    if (this.#freed * 2 < this.#window) return;
    const credit = this.#freed;
    this.#freed = 0;
    this.#allowance += credit;
    if (!this.#ended) this.#grant(credit);
  }
}
