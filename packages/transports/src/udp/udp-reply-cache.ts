import { MAX_EVICTION_MARKERS, RUNNING_CALL_SLACK_MS } from './udp-limits.js';

/** How much the reply cache of one listener may hold. */
export interface ReplyCacheLimits {
  /** Replies kept. Markers of evicted idempotent replies (a few dozen bytes each) are bounded apart, by MAX_EVICTION_MARKERS. */
  readonly maxEntries: number;
  /** Bytes of the replies kept. */
  readonly maxBytes: number;
}

/** What the cache needs of a connection: to stop sending a reply it evicted, and to ask for a call again. */
export interface ReplySender {
  abandon(replySeq: number): void;
  /** Tells the client at once that idempotent call `callId` (sent as message `callSeq`) should be sent again. */
  askAgain(callSeq: number, callId: number): void;
}

type CallState =
  /** An idempotent call the runtime is running; remembered so its reply knows it may be evicted first. */
  | 'running'
  /** The reply was sent and is kept until the client acknowledges it. */
  | 'replied'
  /** An idempotent call whose reply was evicted before the client had it: the client is asked to call again. */
  | 'evicted';

interface CallEntry {
  readonly table: CallTable;
  readonly callId: number;
  /** The sequence number of the CALL message, which a PROBE names. */
  readonly callSeq: number;
  readonly idempotent: boolean;
  state: CallState;
  replySeq: number;
  bytes: number;
  /** A running call is forgotten after its deadline (the runtime drops it without a reply then). */
  readonly expiresAt: number;
}

/**
 * The duplicate-request cache, server-wide: what each connection remembers of its calls, keyed by
 * (incarnation, connection id) through the listener's table of connections and by call id within
 * each CallTable, under one bound on entries and bytes across all connections.
 *
 * At-most-once does not depend on it: every CALL is a numbered message, and the receiving side
 * delivers each number once, so a retransmitted call is never run twice however it arrives. The
 * cache is what makes a retransmitted call useful: a PROBE of a finished call gets its reply sent
 * again at once. A reply stays until the client acknowledges it (normally one round trip), or until
 * the connection ends, which at the latest is a retry window after the client went silent, the
 * client's own retry window by default: so it lives as long as the client may still ask for it.
 *
 * Over a bound, the least recently used replies go first, idempotent ones before the rest. An
 * evicted reply is no longer sent. For an idempotent method a marker stays, and its caller is told
 * (RERUN) to send the call again, which is harmless for such a method; the caller of any other
 * method, if it never got the reply, ends at its deadline.
 */
export class ReplyCache {
  readonly #limits: ReplyCacheLimits;
  /** Kept replies, least recently used first, idempotent ones apart so they can be evicted first. */
  readonly #idempotent = new Set<CallEntry>();
  readonly #others = new Set<CallEntry>();
  readonly #markers = new Set<CallEntry>();
  #bytes = 0;

  constructor(limits: ReplyCacheLimits) {
    this.#limits = limits;
  }

  /** Replies kept. */
  get entries(): number {
    return this.#idempotent.size + this.#others.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The table of one connection, whose evicted replies `sender` stops sending. */
  table(sender: ReplySender): CallTable {
    return new CallTable(this, sender);
  }

  /** @internal A reply or marker enters the cache; evicts what the bounds no longer allow. */
  track(entry: CallEntry): void {
    this.#setOf(entry).add(entry);
    this.#bytes += entry.bytes;
    this.#enforce();
  }

  /** @internal */
  untrack(entry: CallEntry): void {
    this.#setOf(entry).delete(entry);
    this.#bytes -= entry.bytes;
  }

  /** @internal A reply was asked for again: it becomes the most recently used. */
  touch(entry: CallEntry): void {
    const set = this.#setOf(entry);
    set.delete(entry);
    set.add(entry);
  }

  #setOf(entry: CallEntry): Set<CallEntry> {
    if (entry.state === 'evicted') return this.#markers;
    return entry.idempotent ? this.#idempotent : this.#others;
  }

  #enforce(): void {
    const { maxEntries, maxBytes } = this.#limits;
    while (this.#bytes > maxBytes || this.entries > maxEntries) {
      const victim = first(this.#idempotent) ?? first(this.#others);
      if (victim === undefined) break;
      this.#evict(victim);
    }
    for (let marker = first(this.#markers); marker !== undefined && this.#markers.size > MAX_EVICTION_MARKERS; marker = first(this.#markers)) {
      marker.table.remove(marker);
    }
  }

  /** Stops sending a kept reply; an idempotent call leaves a marker, so its caller can be asked to call again. */
  #evict(entry: CallEntry): void {
    entry.table.sender.abandon(entry.replySeq);
    if (!entry.idempotent) {
      entry.table.remove(entry);
      return;
    }
    this.untrack(entry);
    entry.state = 'evicted';
    entry.bytes = 0;
    this.#markers.add(entry);
    // Unless the reply got through already; should this word be lost, the client's next PROBE gets it again.
    entry.table.sender.askAgain(entry.callSeq, entry.callId);
  }
}

/** What to do about a PROBE. */
export interface ProbeAnswer {
  /** The reply's sequence number, to send it again now. */
  readonly resend: number | undefined;
  /** Ask the client to send the call again (its idempotent reply was evicted). */
  readonly rerun: boolean;
}

const NOTHING_TO_DO: ProbeAnswer = { resend: undefined, rerun: false };

/** One connection's calls in the reply cache, by call id. */
export class CallTable {
  readonly #cache: ReplyCache;
  readonly sender: ReplySender;
  readonly #calls = new Map<number, CallEntry>();

  constructor(cache: ReplyCache, sender: ReplySender) {
    this.#cache = cache;
    this.sender = sender;
  }

  /** The runtime got CALL `callId` (message `callSeq`); `timeout` is what the caller gave it. */
  started(callId: number, callSeq: number, idempotent: boolean, timeout: number | undefined): void {
    const earlier = this.#calls.get(callId);
    // A marker is done with once the call was sent again.
    if (earlier !== undefined && earlier.state !== 'replied') this.remove(earlier);
    // Other calls need no entry until they reply: duplicates are caught by sequence number.
    if (!idempotent) return;
    const expiresAt = timeout === undefined ? Infinity : performance.now() + timeout + RUNNING_CALL_SLACK_MS;
    this.#calls.set(callId, { table: this, callId, callSeq, idempotent, state: 'running', replySeq: 0, bytes: 0, expiresAt });
  }

  /** The runtime answered `callId`; the reply went out as message `replySeq`, `bytes` long. */
  replied(callId: number, replySeq: number, bytes: number): void {
    const earlier = this.#calls.get(callId);
    if (earlier !== undefined) this.remove(earlier);
    const entry: CallEntry = {
      table: this,
      callId,
      callSeq: earlier?.callSeq ?? 0,
      idempotent: earlier?.idempotent ?? false,
      state: 'replied',
      replySeq,
      bytes,
      expiresAt: Infinity,
    };
    this.#calls.set(callId, entry);
    this.#cache.track(entry);
  }

  /** The client has reply `replySeq` to `callId`: it is no longer needed. */
  acknowledged(callId: number, replySeq: number): void {
    const entry = this.#calls.get(callId);
    if (entry?.state === 'replied' && entry.replySeq === replySeq) this.remove(entry);
  }

  /** The caller cancelled `callId`: no reply will come. */
  cancelled(callId: number): void {
    const entry = this.#calls.get(callId);
    if (entry?.state === 'running') this.remove(entry);
  }

  /** The client probes call `callId`, sent as message `wireSeq` (low 32 bits). */
  probe(callId: number, wireSeq: number): ProbeAnswer {
    const entry = this.#calls.get(callId);
    if (entry?.state === 'replied') {
      this.#cache.touch(entry);
      return { resend: entry.replySeq, rerun: false };
    }
    // Only for the copy of the call whose reply was lost: a probe of a copy sent again gets nothing.
    if (entry?.state === 'evicted' && entry.callSeq >>> 0 === wireSeq) return { resend: undefined, rerun: true };
    return NOTHING_TO_DO;
  }

  /** Forgets running calls past their deadline. */
  expire(now: number): void {
    for (const entry of this.#calls.values()) {
      if (entry.state === 'running' && entry.expiresAt <= now) this.remove(entry);
    }
  }

  /** The connection ended: everything it held leaves the cache. */
  clear(): void {
    for (const entry of this.#calls.values()) this.remove(entry);
  }

  /** @internal */
  remove(entry: CallEntry): void {
    if (this.#calls.get(entry.callId) === entry) this.#calls.delete(entry.callId);
    if (entry.state !== 'running') this.#cache.untrack(entry);
  }
}

function first<T>(set: Set<T>): T | undefined {
  return set.values().next().value;
}
