import { OVERSIZED_HEAD_BYTES } from '@conduit/runtime';
import { unwrapSequence, type AckEntry, type DataDatagram } from './udp-datagram.js';
import { plausibleShape, Reassembly } from './udp-fragments.js';
import { FRAGMENT_OVERHEAD_BYTES, MAX_MESSAGES_AHEAD, REASSEMBLY_TIMEOUT_MS } from './udp-limits.js';
import type { ReceiveBudget } from './udp-receive-budget.js';
import type { UdpCounters } from './udp-stats.js';

export interface ReceiverOptions {
  /** `udp://host:port` of the sender, for drop reports. */
  readonly peer: string;
  readonly maxMessageSize: number;
  /** Non-last fragments smaller than this are refused: no honest sender cuts them so fine. */
  readonly minFragmentBytes: number;
  /** The most bitmap bytes one ACK entry may carry. */
  readonly maxBitmapBytes: number;
  readonly budget: ReceiveBudget;
  readonly counters: UdpCounters;
  /** Message `seq`, whole, in order; each exactly once. */
  readonly deliver: (message: Buffer, seq: number) => void;
  /** In order, in place of a message over `maxMessageSize`: its first bytes and its size. */
  readonly oversized: (head: Buffer, size: number) => void;
  /** A message is whole, though messages before it may still be missing. */
  readonly completed: (message: Buffer) => void;
}

/** What a message becomes once its turn may come. */
type Ready =
  | { readonly kind: 'message'; readonly message: Buffer }
  | { readonly kind: 'oversized'; readonly head: Buffer }
  | { readonly kind: 'skipped' };

interface Incoming {
  readonly size: number;
  readonly count: number;
  /** Collecting fragments; undefined for a message over the limit, of which only the head is kept. */
  reassembly: Reassembly | undefined;
  ready: Ready | undefined;
  /** Bytes taken from the budget. */
  charged: number;
  lastFragmentAt: number;
}

/**
 * The receiving half of one direction of a connection: reassembles messages from fragments,
 * delivers them in sequence order exactly once, and remembers what to acknowledge. Duplicates
 * (retransmissions, or the network's) are recognised by sequence number, so no message is handed
 * over twice however often it arrives, and a sender's SKIP stands in for a message it gave up.
 */
export class OrderedReceiver {
  readonly #options: ReceiverOptions;
  /** The next sequence number to deliver; every one below it was delivered or skipped. */
  #next = 1;
  readonly #pending = new Map<number, Incoming>();
  readonly #due = new Set<number>();
  #released = false;

  constructor(options: ReceiverOptions) {
    this.#options = options;
  }

  data(datagram: DataDatagram, now: number): void {
    const { counters, peer } = this.#options;
    const seq = unwrapSequence(datagram.seq, this.#next);
    if (seq < this.#next) return this.#duplicate(seq);
    if (seq >= this.#next + MAX_MESSAGES_AHEAD) return counters.drop('too-far-ahead', peer);
    const { size, count, index, payload } = datagram;
    let entry = this.#pending.get(seq);
    if (entry?.ready !== undefined) return this.#duplicate(seq);
    if (entry !== undefined && (entry.size !== size || entry.count !== count)) return counters.drop('malformed', peer);
    if (index !== count - 1 && payload.length < this.#options.minFragmentBytes) return counters.drop('malformed', peer);
    if (entry === undefined) {
      if (!plausibleShape(size, count, this.#options.minFragmentBytes) || (count === 1 && payload.length !== size)) {
        return counters.drop('malformed', peer);
      }
      entry = { size, count, reassembly: size > this.#options.maxMessageSize ? undefined : new Reassembly(size, count), ready: undefined, charged: 0, lastFragmentAt: now };
      this.#pending.set(seq, entry);
    }
    const { reassembly } = entry;
    if (reassembly === undefined) {
      // Over the limit: nothing is kept but the head, which names the call it belonged to.
      // The other fragments go unacknowledged until fragment 0 arrives and makes the message "whole".
      if (index !== 0) return;
      entry.ready = { kind: 'oversized', head: Buffer.from(payload.subarray(0, OVERSIZED_HEAD_BYTES)) };
    } else {
      if (reassembly.has(index)) return this.#duplicate(seq);
      const charge = payload.length + FRAGMENT_OVERHEAD_BYTES;
      if (!this.#options.budget.take(charge, seq === this.#next)) {
        if (entry.charged === 0) this.#pending.delete(seq);
        return counters.drop('buffer-full', peer);
      }
      entry.charged += charge;
      if (reassembly.add(index, payload) === 'inconsistent') return this.#discard(seq, entry, 'malformed');
      // Only a fragment kept shows the message is still growing: duplicates and refused ones do not.
      entry.lastFragmentAt = now;
      if (reassembly.complete) {
        const message = reassembly.assemble();
        if (message === undefined) return this.#discard(seq, entry, 'malformed');
        entry.reassembly = undefined;
        entry.ready = { kind: 'message', message };
        this.#options.completed(message);
      }
    }
    this.#due.add(seq);
    this.#drain();
  }

  /** The sender gave message `seq` up: deliver what follows it. */
  skip(wireSeq: number): void {
    const seq = unwrapSequence(wireSeq, this.#next);
    if (seq < this.#next) return this.#duplicate(seq);
    if (seq >= this.#next + MAX_MESSAGES_AHEAD) return this.#options.counters.drop('too-far-ahead', this.#options.peer);
    const entry = this.#pending.get(seq);
    // Whole already: the sender gave up on it too late, and it is delivered all the same.
    if (entry?.ready !== undefined) return this.#duplicate(seq);
    if (entry !== undefined) {
      this.#options.budget.release(entry.charged);
      entry.charged = 0;
      entry.reassembly = undefined;
      entry.ready = { kind: 'skipped' };
    } else {
      this.#pending.set(seq, { size: 0, count: 0, reassembly: undefined, ready: { kind: 'skipped' }, charged: 0, lastFragmentAt: 0 });
    }
    this.#due.add(seq);
    this.#drain();
  }

  /** Whether anything is left to acknowledge. */
  get acksDue(): boolean {
    return this.#due.size > 0;
  }

  /**
   * Whether the acks due say what no cumulative ack can: the state of a partial message (the
   * sender repairs exactly the missing fragments by it) or a message whole while an earlier one is
   * missing (the sender resends the missing one early by it). These are worth an ACK at once.
   */
  get acksUrgent(): boolean {
    for (const seq of this.#due) if (seq >= this.#next) return true;
    return false;
  }

  /**
   * A DATA datagram is leaving: returns the cumulative ack it carries (every message below the
   * next one to deliver was delivered or skipped), and forgets the due acks that ack covers.
   */
  carryCumulativeAck(): number {
    if (this.#due.size > 0) for (const seq of this.#due) if (seq < this.#next) this.#due.delete(seq);
    return this.#next - 1;
  }

  /** What to acknowledge since the last call: whole (or skipped) messages, and the state of partial ones. */
  takeAcks(): AckEntry[] {
    const entries: AckEntry[] = [];
    for (const seq of this.#due) {
      const entry = this.#pending.get(seq);
      if (seq < this.#next || entry?.ready !== undefined) entries.push({ seq, complete: true });
      else if (entry?.reassembly !== undefined) entries.push({ seq, complete: false, ...entry.reassembly.ackState(this.#options.maxBitmapBytes) });
    }
    this.#due.clear();
    return entries;
  }

  /** Drops partial messages that got no fragment for REASSEMBLY_TIMEOUT_MS, freeing their memory. */
  expire(now: number): void {
    for (const [seq, entry] of this.#pending) {
      if (entry.ready === undefined && now - entry.lastFragmentAt >= REASSEMBLY_TIMEOUT_MS) this.#discard(seq, entry, 'reassembly-timeout');
    }
  }

  /** The connection is gone: frees everything held. */
  release(): void {
    this.#released = true;
    for (const entry of this.#pending.values()) this.#options.budget.release(entry.charged);
    this.#pending.clear();
    this.#due.clear();
  }

  #duplicate(seq: number): void {
    this.#options.counters.duplicates++;
    // Our ack was lost, or is still on its way: say it again.
    this.#due.add(seq);
  }

  #discard(seq: number, entry: Incoming, reason: 'malformed' | 'reassembly-timeout'): void {
    this.#options.budget.release(entry.charged);
    this.#pending.delete(seq);
    this.#options.counters.drop(reason, this.#options.peer);
  }

  #drain(): void {
    // Delivering may close the connection (the runtime answers a bad HELLO by closing): stop then.
    while (!this.#released) {
      const seq = this.#next;
      const entry = this.#pending.get(seq);
      const ready = entry?.ready;
      if (entry === undefined || ready === undefined) return;
      this.#pending.delete(seq);
      this.#next++;
      this.#options.budget.release(entry.charged);
      if (ready.kind === 'message') this.#options.deliver(ready.message, seq);
      else if (ready.kind === 'oversized') this.#options.oversized(ready.head, entry.size);
    }
  }
}
