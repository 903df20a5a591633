/**
 * Memory for partial messages and for whole ones held until the messages before them arrive,
 * shared by every connection of one listener (a client has a pool of its own).
 */
export class ReceivePool {
  used = 0;
  /**
   * `limit` bounds the pool's bytes. Messages that are not the next one to deliver may fill it only
   * up to `limit - reserve`, so there is always room for the one each connection waits for, and out-of-order
   * data can never block the data that would let it be delivered.
   */
  constructor(
    readonly limit: number,
    readonly reserve: number,
  ) {}
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
