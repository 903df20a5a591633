import { performance } from 'node:perf_hooks';

/**
 * Longest the poller looks at the rings without letting the event loop run: long enough to catch
 * a reply that is a few microseconds away, short enough that timers and other I/O hardly notice.
 */
const SYNC_SPIN_MS = 0.02;

/** One shm connection as the poller sees it. */
export interface PolledConnection {
  /** Delivers the messages that arrived and writes what waits for ring space; true if anything moved. */
  poll(): boolean;
  /**
   * Tells the peer this side is going to sleep, so its next write rings the doorbell. False when
   * something arrived in the meantime: then the poller stays awake.
   */
  sleep(): boolean;
  /** Back from sleep: the peer need not ring any more. */
  wake(): void;
}

/**
 * Watches every shm connection of the process. While traffic flows it polls all rings once per
 * turn of the event loop (a `setImmediate` chain: other I/O and timers still run between polls,
 * and a busy connection pays no syscall per message); after `spin` microseconds without
 * traffic, it puts each connection to sleep on its doorbell, and an idle process then costs no
 * CPU at all. A doorbell, or a message sent from this side, starts the polling again.
 *
 * One poller per process rather than one per connection: a server with many connections pays
 * one turn of the loop per poll, not one per connection.
 */
class ShmPoller {
  readonly #members = new Map<PolledConnection, number>();
  #spinMs = 0;
  #lastActivity = 0;
  /** Set by activity() since the last poll: counts as traffic, as a message read does. */
  #active = false;
  #scheduled = false;
  #asleep = true;
  readonly #tick = (): void => this.#poll();

  /** `spinMicros`: how long this connection wants polling to go on after its last message. */
  add(member: PolledConnection, spinMicros: number): void {
    this.#members.set(member, spinMicros);
    this.#updateSpin();
    this.activity();
  }

  remove(member: PolledConnection): void {
    this.#members.delete(member);
    this.#updateSpin();
  }

  /**
   * Something happened (a send, a doorbell): poll until `spin` has passed without traffic. Called
   * for every message sent, so it only notes the fact; the next poll reads the clock.
   */
  activity(): void {
    this.#active = true;
    if (this.#asleep) {
      this.#asleep = false;
      for (const member of this.#members.keys()) member.wake();
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#tick);
    }
  }

  #poll(): void {
    this.#scheduled = false;
    const sent = this.#active;
    this.#active = false;
    let moved = this.#pollAll();
    let now = performance.now();
    // A message sent counts as traffic: its answer is likely a few microseconds away.
    if (sent) this.#lastActivity = now;
    // Nothing yet, but something is expected soon (a reply, the next request): look again at
    // once for a few microseconds rather than after a whole turn of the event loop, which costs
    // an epoll_wait and a microsecond or two each time.
    const syncUntil = Math.min(now + SYNC_SPIN_MS, this.#lastActivity + this.#spinMs);
    while (!moved && now < syncUntil) {
      moved = this.#pollAll();
      now = performance.now();
    }
    if (moved) this.#lastActivity = now;
    if (this.#members.size > 0 && (now - this.#lastActivity < this.#spinMs || !this.#trySleep())) {
      this.#scheduled = true;
      setImmediate(this.#tick);
    }
  }

  #pollAll(): boolean {
    let moved = false;
    for (const member of this.#members.keys()) if (member.poll()) moved = true;
    return moved;
  }

  /** Puts every connection to sleep, or none: if one had news meanwhile, polling goes on. */
  #trySleep(): boolean {
    for (const member of this.#members.keys()) {
      if (!member.sleep()) {
        for (const other of this.#members.keys()) other.wake();
        return false;
      }
    }
    this.#asleep = true;
    return true;
  }

  #updateSpin(): void {
    let spin = 0;
    for (const micros of this.#members.values()) spin = Math.max(spin, micros);
    this.#spinMs = spin / 1000;
  }
}

/** The process's one poller. */
export const shmPoller = new ShmPoller();
