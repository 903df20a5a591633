import { DATA_HEADER_BYTES } from './udp-datagram.js';
import { FRAGMENT_OVERHEAD_BYTES, MIN_DATAGRAM_SIZE } from './udp-limits.js';

/** The most budget one message of `maxMessageSize` bytes can take, cut into the smallest fragments accepted. */
export function messageCharge(maxMessageSize: number): number {
  return maxMessageSize + Math.ceil(maxMessageSize / (MIN_DATAGRAM_SIZE - DATA_HEADER_BYTES)) * FRAGMENT_OVERHEAD_BYTES;
}

/**
 * Memory for partial messages and for whole ones held until the messages before them arrive,
 * shared by every connection of one listener (a client has a pool of its own).
 */
export class ReceivePool {
  used = 0;
  /**
   * `limit` bounds the pool's bytes. Messages that are not the next one to deliver may fill it only
   * up to `limit - reserve`. The reserve is one for the whole pool, not one per connection: on a
   * server, connections' next messages share it, so one of them may still be refused while others
   * fill it (it is resent). A client's pool serves one connection, so it is sized
   * `maxBufferedBytes + messageCharge(maxMessageSize)`: its next message is always accepted, and
   * out-of-order data can never block the data that would let it be delivered.
   */
  constructor(
    readonly limit: number,
    readonly reserve: number,
  ) {}
}

/**
 * A client's pool: its one connection's bound `maxBufferedBytes`, with the reserve for the next
 * message on top of it, so a message larger than `maxBufferedBytes` is still received and
 * out-of-order data keeps all of `maxBufferedBytes`.
 */
export function clientPool(maxBufferedBytes: number, maxMessageSize: number): ReceivePool {
  const reserve = messageCharge(maxMessageSize);
  return new ReceivePool(maxBufferedBytes + reserve, reserve);
}

/** One connection's share of a ReceivePool, with a bound of its own. */
export class ReceiveBudget {
  readonly #pool: ReceivePool;
  readonly #limit: number;
  #used = 0;

  constructor(pool: ReceivePool, limit: number) {
    this.#pool = pool;
    this.#limit = limit;
  }

  /**
   * Takes `bytes` if the bounds allow. The next message to deliver is exempt from the connection's
   * own bound (it is at most one message, and everything else waits for it) but not from the pool's.
   */
  take(bytes: number, next: boolean): boolean {
    if (!next && this.#used + bytes > this.#limit) return false;
    const pool = this.#pool;
    if (pool.used + bytes > (next ? pool.limit : pool.limit - pool.reserve)) return false;
    this.#used += bytes;
    pool.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.#used -= bytes;
    this.#pool.used -= bytes;
  }
}
