import type { ChatMessage } from './generated/chat.rpc.js';

/**
 * The members of one room and a mailbox each. A mailbox holds at most `MAILBOX_LIMIT` messages:
 * a member who stops reading loses the oldest instead of growing the server without bound.
 */
const MAILBOX_LIMIT = 256;

class Mailbox implements AsyncIterableIterator<ChatMessage> {
  readonly #messages: ChatMessage[] = [];
  #wake: ((result: IteratorResult<ChatMessage>) => void) | undefined;
  #closed = false;

  deliver(message: ChatMessage): void {
    if (this.#closed) return;
    if (this.#wake !== undefined) {
      const wake = this.#wake;
      this.#wake = undefined;
      wake({ value: message, done: false });
      return;
    }
    if (this.#messages.length === MAILBOX_LIMIT) this.#messages.shift();
    this.#messages.push(message);
  }

  close(): void {
    this.#closed = true;
    this.#wake?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<ChatMessage>> {
    const message = this.#messages.shift();
    if (message !== undefined) return Promise.resolve({ value: message, done: false });
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.#wake = resolve));
  }

  async return(): Promise<IteratorResult<ChatMessage>> {
    this.close();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

export class Room {
  readonly #members = new Map<Mailbox, string>();

  /** Adds a member; their lines are broadcast until they end, then they leave. */
  join(name: string, lines: AsyncIterable<string>, signal: AbortSignal): AsyncIterable<ChatMessage> {
    const mailbox = new Mailbox();
    this.#members.set(mailbox, name);
    this.#broadcast({ from: '*', text: `${name} joined (${this.#members.size} here)` });
    const leave = () => {
      if (!this.#members.delete(mailbox)) return;
      mailbox.close();
      this.#broadcast({ from: '*', text: `${name} left` });
    };
    signal.addEventListener('abort', leave);
    void (async () => {
      try {
        for await (const text of lines) this.#broadcast({ from: name, text });
      } catch {
        // A member whose connection broke simply leaves.
      } finally {
        leave();
      }
    })();
    return mailbox;
  }

  #broadcast(message: ChatMessage): void {
    for (const mailbox of this.#members.keys()) mailbox.deliver(message);
  }
}
