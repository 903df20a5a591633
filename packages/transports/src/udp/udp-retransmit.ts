import { INITIAL_RETRANSMIT_MS, MAX_RETRANSMIT_MS, MIN_RETRANSMIT_MS, RETRANSMIT_JITTER } from './udp-limits.js';

/**
 * The retransmission timeout of one connection, from its measured round trips (RFC 6298:
 * smoothed round trip plus four times its variation). It starts at 20 ms for loopback and LANs
 * and adapts to a slower path after the first answers, so a distant peer is not flooded with
 * copies of every datagram.
 */
export class RttEstimator {
  #smoothed: number | undefined;
  #variation = 0;
  #timeout = INITIAL_RETRANSMIT_MS;

  get timeout(): number {
    return this.#timeout;
  }

  /** One round trip, measured on a datagram that was sent once (Karn: a retransmitted one's answer is ambiguous). */
  sample(ms: number): void {
    if (this.#smoothed === undefined) {
      this.#smoothed = ms;
      this.#variation = ms / 2;
    } else {
      this.#variation = 0.75 * this.#variation + 0.25 * Math.abs(this.#smoothed - ms);
      this.#smoothed = 0.875 * this.#smoothed + 0.125 * ms;
    }
    this.#timeout = Math.max(MIN_RETRANSMIT_MS, this.#smoothed + 4 * this.#variation);
  }
}

/**
 * How long to wait before sending again after `attempt` unanswered tries (0 for the first wait):
 * the timeout doubled per attempt up to MAX_RETRANSMIT_MS (or the timeout itself, on a path slower
 * than that), spread by ±20 % jitter.
 */
export function retransmitDelay(timeout: number, attempt: number): number {
  const wait = Math.min(timeout * 2 ** Math.min(attempt, 20), Math.max(MAX_RETRANSMIT_MS, timeout));
  return wait * (1 - RETRANSMIT_JITTER + 2 * RETRANSMIT_JITTER * Math.random());
}
