import { describe, expect, it } from 'vitest';
import { ackedFragment, fragmentCount, plausibleShape, Reassembly } from './udp-fragments.js';

describe('udp fragments', () => {
  it('counts fragments, with at least one for an empty message', () => {
    expect(fragmentCount(0, 100)).toBe(1);
    expect(fragmentCount(100, 100)).toBe(1);
    expect(fragmentCount(101, 100)).toBe(2);
    expect(fragmentCount(4 * 1024 * 1024, 1370)).toBe(3062);
  });

  it('refuses shapes no honest sender makes, so one datagram cannot make a receiver allocate much', () => {
    expect(plausibleShape(1000, 5, 200)).toBe(true);
    expect(plausibleShape(1000, 6, 200)).toBe(false);
    expect(plausibleShape(0, 1, 200)).toBe(true);
    expect(plausibleShape(10, 1_000_000, 1)).toBe(false);
  });

  it('assembles a message from fragments in any order, and knows which it has', () => {
    const parts = ['abc', 'def', 'g'].map((text) => Buffer.from(text));
    const reassembly = new Reassembly(7, 3);
    expect(reassembly.add(2, parts[2] as Buffer)).toBe('added');
    expect(reassembly.add(0, parts[0] as Buffer)).toBe('added');
    expect([reassembly.has(0), reassembly.has(1), reassembly.has(2)]).toEqual([true, false, true]);
    expect(reassembly.complete).toBe(false);
    expect(reassembly.add(1, parts[1] as Buffer)).toBe('added');
    expect(reassembly.complete).toBe(true);
    expect(reassembly.assemble()?.toString()).toBe('abcdefg');
  });

  it('refuses fragments that add up to more than the message, and a whole that adds up to less', () => {
    const over = new Reassembly(4, 2);
    over.add(0, Buffer.from('abc'));
    expect(over.add(1, Buffer.from('de'))).toBe('inconsistent');
    const under = new Reassembly(5, 2);
    under.add(0, Buffer.from('ab'));
    under.add(1, Buffer.from('c'));
    expect(under.complete).toBe(true);
    expect(under.assemble()).toBeUndefined();
  });

  it('describes what it holds as a base and a bitmap, which the sender reads back', () => {
    const reassembly = new Reassembly(100, 12);
    for (const index of [0, 1, 3, 4, 11]) reassembly.add(index, Buffer.alloc(1));
    const { base, bitmap } = reassembly.ackState(1024);
    expect(base).toBe(2);
    expect([...bitmap]).toEqual([0b01100000, 0b01000000]);
    const held = Array.from({ length: 12 }, (_, index) => ackedFragment(base, bitmap, index));
    expect(held).toEqual([true, true, false, true, true, false, false, false, false, false, false, true]);
    const narrow = reassembly.ackState(1);
    expect([4, 9].map((index) => ackedFragment(narrow.base, narrow.bitmap, index))).toEqual([true, false]);
    expect(ackedFragment(narrow.base, narrow.bitmap, 10)).toBeUndefined();
  });
});
