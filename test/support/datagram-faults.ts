/** What a fault injector does to each datagram it forwards. Rates are probabilities from 0 to 1. */
export interface Faults {
  /** Dropped. */
  readonly loss: number;
  /** Delivered twice (the copy after the same delay as the original, or none). */
  readonly duplicate: number;
  /** Held back for a random 1 to `maxDelayMs` ms, so datagrams sent after it overtake it. */
  readonly reorder: number;
  readonly maxDelayMs: number;
}

/** Datagrams seen and what was done to them. */
export interface FaultCounts {
  forwarded: number;
  dropped: number;
  duplicated: number;
  delayed: number;
}

/**
 * Forwards datagrams through `send` after dropping, duplicating or delaying each at the configured
 * rates, drawn from a seeded generator: a run with the same seed makes the same choices for the
 * same sequence of datagrams (timing may still differ). Shared by the udp lossy proxy and the
 * multicast lossy relay.
 */
export class FaultyForwarder {
  faults: Faults;
  readonly counts: FaultCounts = { forwarded: 0, dropped: 0, duplicated: 0, delayed: 0 };
  readonly #random: () => number;
  readonly #timers = new Set<NodeJS.Timeout>();
  #stopped = false;

  constructor(faults: Faults, seed: number) {
    this.faults = faults;
    this.#random = seededRandom(seed);
  }

  forward(datagram: Buffer, send: (datagram: Buffer) => void): void {
    const { faults, counts } = this;
    if (this.#random() < faults.loss) {
      counts.dropped++;
      return;
    }
    const copies = this.#random() < faults.duplicate ? 2 : 1;
    if (copies === 2) counts.duplicated++;
    const delay = this.#random() < faults.reorder ? 1 + Math.floor(this.#random() * faults.maxDelayMs) : 0;
    for (let copy = 0; copy < copies; copy++) {
      counts.forwarded++;
      if (delay === 0) {
        send(datagram);
        continue;
      }
      counts.delayed++;
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        if (!this.#stopped) send(datagram);
      }, delay);
      this.#timers.add(timer);
    }
  }

  /** Datagrams still held back are never sent. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
  }
}

/** mulberry32: a small, fast generator of numbers in [0, 1), the same sequence for the same seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
