import { describe, expect, it } from 'vitest';
import { ReplyCache } from './udp-reply-cache.js';

/** A cache and one connection's table, recording which replies the cache told the connection to abandon. */
function cacheWith(maxEntries: number, maxBytes: number) {
  const cache = new ReplyCache({ maxEntries, maxBytes });
  const abandoned: number[] = [];
  const askedAgain: [number, number][] = [];
  const calls = cache.table({ abandon: (replySeq) => abandoned.push(replySeq), askAgain: (callSeq, callId) => askedAgain.push([callSeq, callId]) });
  return { cache, calls, abandoned, askedAgain };
}

describe('ReplyCache', () => {
  it('keeps a reply until the client acknowledges it, and sends it again when probed meanwhile', () => {
    const { cache, calls } = cacheWith(10, 1000);
    calls.started(7, 3, false, undefined);
    expect(calls.probe(7, 3)).toEqual({ resend: undefined, rerun: false });
    calls.replied(7, 12, 100);
    expect([cache.entries, cache.bytes]).toEqual([1, 100]);
    expect(calls.probe(7, 3)).toEqual({ resend: 12, rerun: false });
    calls.acknowledged(7, 11);
    expect(cache.entries).toBe(1);
    calls.acknowledged(7, 12);
    expect([cache.entries, cache.bytes]).toEqual([0, 0]);
    expect(calls.probe(7, 3)).toEqual({ resend: undefined, rerun: false });
  });

  it('evicts the least recently used replies over its bounds, idempotent ones first', () => {
    const { cache, calls, abandoned } = cacheWith(3, 1000);
    calls.replied(1, 101, 10);
    calls.started(2, 2, true, undefined);
    calls.replied(2, 102, 10);
    calls.replied(3, 103, 10);
    calls.probe(1, 1);
    calls.replied(4, 104, 10);
    expect(abandoned).toEqual([102]);
    calls.replied(5, 105, 10);
    // Call 1 was probed (used) after call 3 was kept.
    expect(abandoned).toEqual([102, 103]);
    // Over the bytes bound as well: as many go as it takes.
    calls.replied(6, 106, 990);
    expect(abandoned).toEqual([102, 103, 101, 104]);
    expect([cache.entries, cache.bytes]).toEqual([2, 1000]);
  });

  it('asks the caller of an evicted idempotent reply to call again, once, for the copy whose reply was lost', () => {
    const { calls, askedAgain } = cacheWith(1, 1000);
    calls.started(1, 40, true, undefined);
    calls.replied(1, 201, 10);
    calls.replied(2, 202, 10);
    expect(askedAgain).toEqual([[40, 1]]);
    expect(calls.probe(1, 41)).toEqual({ resend: undefined, rerun: false });
    expect(calls.probe(1, 40)).toEqual({ resend: undefined, rerun: true });
    calls.started(1, 41, true, undefined);
    expect(calls.probe(1, 40)).toEqual({ resend: undefined, rerun: false });
  });

  it('forgets running calls that were cancelled or outlived their deadline, and everything of a closed connection', () => {
    const { cache, calls, abandoned, askedAgain } = cacheWith(1, 1000);
    calls.started(1, 1, true, 10);
    calls.started(2, 2, true, undefined);
    calls.started(3, 3, true, undefined);
    calls.cancelled(2);
    calls.expire(performance.now() + 60_000);
    // Calls 1 and 2 were forgotten: their replies are kept, but no longer known as idempotent,
    // so evicting them asks nobody to call again and leaves no marker.
    calls.replied(1, 11, 5);
    calls.replied(2, 12, 5);
    expect(abandoned).toEqual([11]);
    expect(calls.probe(1, 1)).toEqual({ resend: undefined, rerun: false });
    // Call 3 is still known as idempotent: it goes first, and its caller is asked again.
    calls.replied(3, 13, 5);
    expect(abandoned).toEqual([11, 13]);
    calls.replied(4, 14, 5);
    expect(abandoned).toEqual([11, 13, 12]);
    expect(askedAgain).toEqual([[3, 3]]);
    expect(calls.probe(3, 3)).toEqual({ resend: undefined, rerun: true });
    calls.clear();
    expect([cache.entries, cache.bytes]).toEqual([0, 0]);
    expect(calls.probe(3, 3)).toEqual({ resend: undefined, rerun: false });
  });
});
