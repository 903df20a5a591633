import { describe, expect, it } from 'vitest';
import { msgpackCodec } from './msgpack-codec.js';

/**
 * The msgpack codec carries every value of the type model exactly, as docs/protocol.md ("msgpack
 * value mapping") describes: same classes (Buffer is not Uint8Array, Map is not an object), same
 * Map and key order, bigint stays bigint, -0 stays -0, a property holding undefined stays present.
 */

/** `expect(ok, message)` only when it fails: a 70 000-element array takes 70 000 checks. */
function check(ok: boolean, message: string): void {
  if (!ok) expect(ok, message).toBe(true);
}

/** Fails unless `actual` is `expected` down to prototypes, typeof, key order and -0. */
function expectExact(actual: unknown, expected: unknown, path = 'value'): void {
  check(typeof actual === typeof expected, `${path}: typeof ${typeof actual} is not ${typeof expected}`);
  if (typeof expected !== 'object' || expected === null) {
    // Object.is keeps -0 apart from 0 and NaN equal to NaN.
    check(Object.is(actual, expected), `${path}: ${String(actual)} is not ${String(expected)}`);
    return;
  }
  check(actual !== null, `${path}: null`);
  const a = actual as object;
  check(Object.getPrototypeOf(a) === Object.getPrototypeOf(expected), `${path}: prototype ${a.constructor?.name} is not ${expected.constructor?.name}`);
  if (expected instanceof Date) {
    check(Object.is((a as Date).getTime(), expected.getTime()), `${path}: time ${(a as Date).getTime()} is not ${expected.getTime()}`);
  } else if (expected instanceof Uint8Array) {
    expect(Buffer.from(a as Uint8Array).toString('hex'), `${path}: bytes`).toBe(Buffer.from(expected).toString('hex'));
  } else if (expected instanceof Map || expected instanceof Set) {
    const entries = [...(a as Map<unknown, unknown>).entries()];
    const wanted = [...expected.entries()];
    check(entries.length === wanted.length, `${path}: size ${entries.length} is not ${wanted.length}`);
    wanted.forEach(([key, value], i) => {
      expectExact(entries[i]?.[0], key, `${path} key #${i}`);
      expectExact(entries[i]?.[1], value, `${path} value #${i}`);
    });
  } else {
    // Arrays too: their indices are their keys, so a missing index fails like a missing property.
    const keys = Object.keys(expected);
    const actualKeys = Object.keys(a);
    check(actualKeys.length === keys.length && keys.every((key, i) => actualKeys[i] === key), `${path}: keys ${actualKeys.join()} are not ${keys.join()}`);
    if (Array.isArray(expected)) check((a as unknown[]).length === expected.length, `${path}: length`);
    for (const key of keys) {
      expectExact((a as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${path}.${key}`);
    }
  }
}

const roundTrip = (value: unknown): unknown => msgpackCodec.decode(msgpackCodec.encode(value));
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const fromHex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

const at = (iso: string): Date => new Date(iso);
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
/** A Uint8Array viewing the middle of a larger buffer: only the view's bytes travel. */
const view = new Uint8Array(Uint8Array.from([9, 9, 1, 2, 3, 9]).buffer, 2, 3);

const cases: [name: string, value: unknown][] = [
  // strings
  ['empty string', ''],
  ['ascii string', 'hello'],
  ['unicode string', 'naïve ☃ 😀 \u0000 line\nbreak'],
  ['string of 40 000 bytes', 'x€'.repeat(10_000)],
  // numbers
  ['0', 0],
  ['-0', -0],
  ['1', 1],
  ['-1', -1],
  ['127 / 128 / 255 / 256', [127, 128, 255, 256, -32, -33, -128, -129]],
  ['int32 and uint32 edges', [2 ** 31 - 1, -(2 ** 31), 2 ** 32 - 1, 2 ** 32, -(2 ** 31) - 1]],
  ['safe integer edges', [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 53, 2 ** 64, -(2 ** 64)]],
  ['fractions', [0.1, 1.5, -2.5, 1 / 3, Math.PI, 5e-324, Number.EPSILON]],
  ['large', [1e21, 1.7976931348623157e308, -1e300]],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  // booleans, null, undefined
  ['true', true],
  ['false', false],
  ['null', null],
  ['undefined', undefined],
  // bigints: int 64, uint 64 and beyond
  ['0n', 0n],
  ['5n', 5n],
  ['-5n', -5n],
  ['int64 max', 2n ** 63n - 1n],
  ['int64 min', -(2n ** 63n)],
  ['uint64 range', 2n ** 63n],
  ['uint64 max', 2n ** 64n - 1n],
  ['2^64', 2n ** 64n],
  ['-(2^64)', -(2n ** 64n)],
  ['-(2^63) - 1', -(2n ** 63n) - 1n],
  ['2^100', 2n ** 100n],
  ['-(2^70)', -(2n ** 70n)],
  ['2^1000 + 12345', 2n ** 1000n + 12345n],
  ['-(2^4000) + 1', -(2n ** 4000n) + 1n],
  ['2^70000 - 1', 2n ** 70_000n - 1n],
  // dates: timestamp 32, 64 and 96, milliseconds kept
  ['epoch', new Date(0)],
  ['1 ms after the epoch', new Date(1)],
  ['1 ms before the epoch', new Date(-1)],
  ['1.5 s before the epoch', new Date(-1500)],
  ['whole second', at('2024-02-29T12:34:56.000Z')],
  ['with milliseconds', at('2024-02-29T12:34:56.789Z')],
  ['after 2106 (beyond uint32 seconds)', at('2200-01-01T00:00:00.001Z')],
  ['after 2514 (beyond 34-bit seconds)', at('3000-06-15T01:02:03.004Z')],
  ['year 1', at('0001-01-01T00:00:00.999Z')],
  ['latest Date', new Date(8.64e15)],
  ['earliest Date', new Date(-8.64e15)],
  ['invalid Date', new Date(NaN)],
  // bytes
  ['empty Uint8Array', new Uint8Array()],
  ['Uint8Array', bytes(0, 1, 2, 255)],
  ['Uint8Array of 300 bytes', new Uint8Array(300).map((_, i) => i)],
  ['Uint8Array of 70 000 bytes', new Uint8Array(70_000).map((_, i) => i * 7)],
  ['Uint8Array view into a larger buffer', view],
  // Maps: any key type, insertion order
  ['empty Map', new Map()],
  ['Map with string keys, unsorted', new Map([['z', 1], ['a', 2], ['m', 3]])],
  ['Map with number keys', new Map<number, string[]>([[3, ['c']], [1, []], [-2.5, ['x', 'y']], [NaN, ['nan']], [2 ** 40, []]])],
  ['Map keeps 1 and "1" apart', new Map<unknown, string>([[1, 'number'], ['1', 'string'], [1n, 'bigint'], [true, 'boolean']])],
  ['Map with object keys', new Map<unknown, number>([[{ id: 1 }, 1], [[1, 2], 2], [null, 3], [undefined, 4], [new Date(5), 5]])],
  ['Map with a Map key', new Map([[new Map([[1, 2]]), 'inner']])],
  ['Map with undefined and -0 values', new Map<string, unknown>([['u', undefined], ['z', -0]])],
  ['Map of 20 entries', new Map(Array.from({ length: 20 }, (_, i) => [`k${19 - i}`, i]))],
  // Sets
  ['empty Set', new Set()],
  ['Set, unsorted', new Set(['b', 'a', 'c'])],
  ['Set of mixed values', new Set<unknown>([1, '1', 1n, null, undefined, { a: 1 }, [2], new Date(3)])],
  ['Set of Maps', new Set([new Map([[1, 'a']]), new Map()])],
  // arrays
  ['empty array', []],
  ['array with undefined in the middle', [1, undefined, 3]],
  ['array of undefined', [undefined, undefined]],
  ['array of 20 elements', Array.from({ length: 20 }, (_, i) => i)],
  ['array of 70 000 elements', Array.from({ length: 70_000 }, (_, i) => i % 3)],
  ['array with -0', [1, -0, 0]],
  // plain objects
  ['empty object', {}],
  ['present but undefined', { a: undefined }],
  ['present but undefined among others', { a: 1, b: undefined, c: 'c' }],
  ['key order', { z: 1, a: 2, m: 3 }],
  ['integer-like keys', { 2: 'b', 1: 'a', x: 'x' }],
  ['object of 20 keys', Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]))],
  ['object with -0', { z: -0 }],
  ['object with a key that is not a Map', { size: 1, get: 'x', entries: [] }],
  // nested combinations
  [
    'Map of arrays of objects with Dates',
    new Map<unknown, unknown>([
      ['first', [{ at: new Date(1), tags: new Set(['a']) }, { at: new Date(-1), tags: new Set() }]],
      [7, [{ at: at('2024-02-29T12:34:56.789Z'), missing: undefined }]],
    ]),
  ],
  [
    'object holding every kind',
    {
      text: 's',
      numbers: [0, -0, NaN, Infinity, 1.5],
      flags: [true, false],
      nothing: null,
      undef: undefined,
      ids: [5n, -(2n ** 70n)],
      when: new Date(1_700_000_000_123),
      data: bytes(1, 2, 3),
      index: new Map<unknown, unknown>([[{ k: 1 }, new Map([[2, new Set([bytes(4)])]])]]),
      deep: { deeper: { deepest: [new Map([['x', { y: [undefined, -0] }]])] } },
    },
  ],
  ['array of Maps and objects', [new Map([['a', 1]]), { a: 1 }, new Map(), {}]],
];

describe('msgpackCodec round trips', () => {
  it.each(cases)('%s', (_, value) => {
    expectExact(roundTrip(value), value);
  });

  it('checks exactly: the comparison itself fails on near misses', () => {
    const nearMisses: [actual: unknown, expected: unknown][] = [
      [Buffer.from([1]), Uint8Array.of(1)],
      [{ a: 1 }, new Map([['a', 1]])],
      [new Map([['a', 1]]), { a: 1 }],
      [{}, { a: undefined }],
      [1, 1n],
      [0, -0],
      [[1, 2], new Set([1, 2])],
      [new Map([[1, 'a'], [2, 'b']]), new Map([[2, 'b'], [1, 'a']])],
      [{ b: 1, a: 2 }, { a: 2, b: 1 }],
      [new Date(1), new Date(2)],
      [[1, 3], [1, undefined, 3]],
    ];
    for (const [actual, expected] of nearMisses) expect(() => expectExact(actual, expected)).toThrow();
  });

  it('decodes plain objects as plain objects and Maps as Maps', () => {
    const decoded = roundTrip({ o: { a: 1 }, m: new Map([['a', 1]]) }) as { o: unknown; m: unknown };
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(decoded.o)).toBe(Object.prototype);
    expect(decoded.m).toBeInstanceOf(Map);
  });

  it('keeps a property holding undefined apart from a missing one', () => {
    expect('a' in (roundTrip({ a: undefined }) as object)).toBe(true);
    expect('a' in (roundTrip({}) as object)).toBe(false);
    const array = roundTrip([1, undefined, 3]) as unknown[];
    expect(array).toHaveLength(3);
    expect(1 in array).toBe(true);
    expect(array[1]).toBeUndefined();
  });

  it('sends a hole in an array as undefined', () => {
    const decoded = roundTrip([1, , 3]) as unknown[];
    expect(decoded).toHaveLength(3);
    expect(1 in decoded).toBe(true);
    expect(decoded[1]).toBeUndefined();
  });

  it('keeps bigints bigints and numbers numbers, whatever their size', () => {
    for (const value of [0n, 5n, -5n, 2n ** 64n, -(2n ** 100n)]) expect(typeof roundTrip(value)).toBe('bigint');
    for (const value of [0, 5, -5, 2 ** 53, 2 ** 64, 1.5]) expect(typeof roundTrip(value)).toBe('number');
  });

  it('decodes a Uint8Array as a plain Uint8Array that owns its bytes', () => {
    const message = msgpackCodec.encode(view);
    const decoded = msgpackCodec.decode(message) as Uint8Array;
    expect(Object.getPrototypeOf(decoded)).toBe(Uint8Array.prototype);
    expect(decoded.byteLength).toBe(3);
    expect(decoded.buffer.byteLength).toBe(3);
    message.fill(0);
    expect([...decoded]).toEqual([1, 2, 3]);
  });

  it('sends a Buffer as bin, which decodes as a Buffer copy', () => {
    const message = msgpackCodec.encode(Buffer.from([1, 2, 3]));
    expect(hex(message)).toBe('c403010203');
    for (const given of [Buffer.from(message), Uint8Array.from(message)]) {
      const decoded = msgpackCodec.decode(given) as Uint8Array;
      expect(Object.getPrototypeOf(decoded)).toBe(Buffer.prototype);
      // A copy: the message can be reused without changing the value.
      given.fill(0);
      expect([...decoded]).toEqual([1, 2, 3]);
      // Not a view of the scratch buffer small payloads are decoded from: the next decode leaves it alone.
      msgpackCodec.decode(msgpackCodec.encode(Buffer.from([9, 9, 9])));
      expect([...decoded]).toEqual([1, 2, 3]);
    }
  });

  it('decodes the bins of a payload of 64 KiB or more as views into it, which the receiver owns', () => {
    const data = Buffer.alloc(64 * 1024, 7);
    const message = Buffer.from(msgpackCodec.encode([data]));
    const [decoded] = msgpackCodec.decode(message) as [Buffer];
    expect(decoded.equals(data)).toBe(true);
    expect(decoded.buffer).toBe(message.buffer);
  });

  it('does not change the value it encodes', () => {
    const inner = new Map([[1, -0]]);
    const value = { list: [-0, inner], set: new Set([inner]), plain: { a: 1 } };
    msgpackCodec.encode(value);
    expect(value.list[1]).toBe(inner);
    expect(Object.is(value.list[0], -0)).toBe(true);
    expect([...value.set][0]).toBe(inner);
    expect(inner.get(1)).toBe(-0);
  });

  it('writes ordinary values as standard msgpack', () => {
    const value = { x: 1, y: 2, label: 'a', list: [1, 'b', null, new Date(0), bytes(1)] };
    expect(hex(msgpackCodec.encode(value))).toBe(
      'de0004 a178 01 a179 02 a56c6162656c a161 a46c697374 95 01 a162 c0 d6ff00000000 c7027401 01'.replace(/ /g, ''),
    );
  });
});

describe('msgpackCodec wire format (docs/protocol.md, "msgpack value mapping")', () => {
  const encodings: [name: string, value: unknown, hex: string][] = [
    ['nil', null, 'c0'],
    ['undefined: fixext 1, type 0', undefined, 'd4 00 00'],
    ['false / true', [false, true], '92 c2 c3'],
    ['small integers', [0, 127, -32, 255, -128, 65535, -32768], '97 00 7f e0 cc ff d0 80 cd ffff d1 8000'],
    ['32-bit integers', [2 ** 32 - 1, -(2 ** 31)], '92 ce ffffffff d2 80000000'],
    ['-0: float 64', -0, 'cb 8000000000000000'],
    ['other numbers: float 64', [1.5, 2 ** 32, NaN], '93 cb 3ff8000000000000 cb 41f0000000000000 cb 7ff8000000000000'],
    ['string', 'hi', 'a2 6869'],
    ['plain object: map 16, string keys', { id: 7 }, 'de 0001 a2 6964 07'],
    ['array', [1, 2], '92 01 02'],
    ['bigint in int 64', 5n, 'd3 0000000000000005'],
    ['bigint in uint 64', 2n ** 64n - 1n, 'cf ffffffffffffffff'],
    ['bigint beyond 64 bits: ext 0x42, big-endian two\'s complement', 2n ** 64n, 'd8 42 00000000000000010000000000000000'],
    ['negative bigint beyond 64 bits', -(2n ** 64n), 'd8 42 ffffffffffffffff0000000000000000'],
    ['Date, whole seconds: timestamp 32', new Date(1000), 'd6 ff 00000001'],
    ['Date with milliseconds: timestamp 64', new Date(1), 'd7 ff 003d0900 00000000'],
    ['Date before 1970: timestamp 96', new Date(-1500), 'c7 0c ff 1dcd6500 fffffffffffffffe'],
    ['invalid Date', new Date(NaN), 'd4 ff ff'],
    ['Uint8Array: ext 0x74, typed-array code 1', bytes(1, 2), 'c7 03 74 01 0102'],
    ['Buffer: bin', Buffer.from([1, 2]), 'c4 02 0102'],
    ['Set: fixext 1 0x73, then an array', new Set(['a', 1]), 'd4 73 00 92 a161 01'],
    ['Map: fixext 1 0x4d, then keys and values alternating', new Map<unknown, unknown>([[1, 'a'], ['b', null]]), 'd4 4d 00 94 01 a161 a162 c0'],
    ['empty Map', new Map(), 'd4 4d 00 90'],
  ];

  it.each(encodings)('%s', (_, value, expected) => {
    const encoded = msgpackCodec.encode(value);
    expect(hex(encoded)).toBe(expected.replace(/\s+/g, ''));
    expectExact(msgpackCodec.decode(encoded), value);
  });

  it('reads what a peer may send in other forms', () => {
    const peerForms: [bytes: string, value: unknown][] = [
      ['81 a1 61 01', { a: 1 }], // fixmap
      ['df 00000001 a1 61 01', { a: 1 }], // map 32
      ['ca 3fc00000', 1.5], // float 32
      ['ce ffffffff', 2 ** 32 - 1],
      ['d3 0000000000000001', 1n], // int 64 is always a bigint
      ['cf 0000000000000001', 1n],
      ['c7 01 42 05', 5n], // ext 0x42 of any length
      ['d4 4d 00 dc 0002 01 02', new Map([[1, 2]])], // the array in any array format
      ['d5 74 01 ff', bytes(255)], // ext 0x74 as fixext 2
      ['c7 0c ff 00000000 0000000000000001', new Date(1000)], // timestamp 96, positive
    ];
    for (const [text, value] of peerForms) expectExact(msgpackCodec.decode(fromHex(text)), value, text);
    const bin = msgpackCodec.decode(fromHex('c4 02 0102'));
    expect([...(bin as Uint8Array)]).toEqual([1, 2]);
  });

  it('refuses a Map extension that is not followed by keys and values alternating', () => {
    expect(() => msgpackCodec.decode(fromHex('d4 4d 00 91 01'))).toThrow(/Map extension/);
    expect(() => msgpackCodec.decode(fromHex('d4 4d 00 81 a161 01'))).toThrow(/Map extension/);
  });
});

describe('msgpackCodec headroom', () => {
  const values: unknown[] = [
    [1, 2],
    { x: 1, y: 2, label: 'a' },
    -0,
    new Map<unknown, unknown>([[{ k: 1 }, [new Date(1), -0, undefined]]]),
    new Set([bytes(1, 2), 2n ** 80n]),
    'x'.repeat(20_000),
  ];

  for (const headroom of [0, 9, 255, 300]) {
    it(`leaves ${headroom} bytes in front of the same encoding`, () => {
      for (const value of values) {
        const plain = hex(msgpackCodec.encode(value));
        const encoded = msgpackCodec.encode(value, headroom);
        expect(encoded.length).toBe(headroom + plain.length / 2);
        const payload = encoded.subarray(headroom);
        expect(hex(payload)).toBe(plain);
        expectExact(msgpackCodec.decode(payload), value);
      }
    });
  }

  it('returns buffers that later encodes leave alone', () => {
    const first = msgpackCodec.encode(new Map([[1, 'one']]), 9);
    const copy = hex(first);
    for (let i = 0; i < 1000; i++) msgpackCodec.encode({ i, filler: 'y'.repeat(100), m: new Map([[i, -0]]) }, 9);
    expect(hex(first)).toBe(copy);
    expectExact(msgpackCodec.decode(first.subarray(9)), new Map([[1, 'one']]));
  });
});
