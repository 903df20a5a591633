import type { Socket } from 'node:net';

/** Messages at least this large are written as they are; copying them would cost more than a write. */
const COPY_BELOW_BYTES = 16 * 1024;
/** A batch is flushed once it holds this much, so a long burst starts leaving early and stays bounded. */
const FLUSH_AT_BYTES = 64 * 1024;

/**
 * Turns the many small messages a busy connection writes into few socket writes, without ever
 * delaying a lone message. The first message of a turn of the event loop is written at once; the
 * rest of that turn's messages are copied into one buffer that leaves when the turn ends (or when
 * it reaches 64 KiB). Inside `batch()` (a read handler answering the calls of one chunk) every
 * message is held until the batch ends. One copy of a small message is far cheaper than the
 * per-write bookkeeping of a Node stream, which is what this saves.
 */
export class WriteCoalescer {
  readonly #socket: Socket;
  readonly #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  /** Messages written in the current turn outside a batch; 0 when none. */
  #turn = 0;
  #batching = false;
  readonly #endTurn = (): void => {
    this.#turn = 0;
    this.flush();
  };

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  write(message: Uint8Array): void {
    if (!this.#batching && this.#turn++ === 0) {
      process.nextTick(this.#endTurn);
      this.#socket.write(message);
      return;
    }
    if (message.length >= COPY_BELOW_BYTES) {
      this.flush();
      this.#socket.write(message);
      return;
    }
    this.#pending.push(message);
    this.#pendingBytes += message.length;
    if (this.#pendingBytes >= FLUSH_AT_BYTES) this.flush();
  }

  /** Runs `work`, holding every message it writes until it returns, then writes them together. */
  batch(work: () => void): void {
    this.#batching = true;
    try {
      work();
    } finally {
      this.#batching = false;
      this.flush();
    }
  }

  flush(): void {
    const count = this.#pending.length;
    if (count === 0) return;
    this.#socket.write(count === 1 ? (this.#pending[0] as Uint8Array) : Buffer.concat(this.#pending, this.#pendingBytes));
    this.#pending.length = 0;
    this.#pendingBytes = 0;
  }
}
