import { msgpackCodec, protobufCodec, type Codec } from '@conduit/runtime';
import { describe, expect, it } from 'vitest';
import { Region, Tier } from '../fixtures/services/shared/catalog.js';
import { callTypes, typesClientWith, typesServerForFile } from '../support/types-service.js';

/**
 * The generated Types stubs against a server in another process over TCP: a value of every type
 * in the model goes out and comes back, and must come back exactly (same classes, same Map order,
 * bigint stays bigint, a present-but-undefined property stays present under msgpack).
 */
const url = typesServerForFile();

/** Deep equality that also compares prototypes and typeof, so Buffer ≠ Uint8Array and 1n ≠ 1. */
function expectExact(actual: unknown, expected: unknown, missingIsUndefined: boolean, path = 'value'): void {
  expect(typeof actual, `${path}: typeof`).toBe(typeof expected);
  if (typeof expected !== 'object' || expected === null) {
    expect(Object.is(actual, expected) || (typeof expected === 'number' && Number.isNaN(expected) && Number.isNaN(actual)), `${path}: ${String(actual)} vs ${String(expected)}`).toBe(true);
    return;
  }
  expect(actual, path).not.toBeNull();
  const a = actual as object;
  if (expected instanceof Uint8Array) {
    expect(a instanceof Uint8Array, `${path}: Uint8Array`).toBe(true);
    expect([...(a as Uint8Array)], path).toEqual([...expected]);
    return;
  }
  expect(Object.getPrototypeOf(a), `${path}: prototype`).toBe(Object.getPrototypeOf(expected));
  if (expected instanceof Date) return expect((a as Date).getTime(), path).toBe(expected.getTime());
  if (expected instanceof Map || expected instanceof Set) {
    const entries = [...(a as Map<unknown, unknown>).entries()];
    const wanted = [...expected.entries()];
    expect(entries.length, `${path}: size`).toBe(wanted.length);
    wanted.forEach(([k, v], i) => {
      expectExact(entries[i]?.[0], k, missingIsUndefined, `${path} key ${i}`);
      expectExact(entries[i]?.[1], v, missingIsUndefined, `${path}.get(${String(k)})`);
    });
    return;
  }
  const keys = (o: object) => Object.keys(o).filter((k) => !missingIsUndefined || (o as Record<string, unknown>)[k] !== undefined);
  expect(keys(a).sort(), `${path}: keys`).toEqual(keys(expected).sort());
  for (const key of keys(expected)) expectExact((a as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], missingIsUndefined, `${path}.${key}`);
}

const customer = { id: 9_007_199_254_740_993n, name: 'Ada', tier: Tier.Pro, region: Region.Eu, since: new Date('2024-02-29T12:34:56.789Z') };
const tree = { label: 'root', children: [{ label: 'a', children: [] }, { label: 'b', children: [{ label: 'c', children: [] }] }] };

/** Method and the argument it is called with; the server returns it. */
const cases: [method: string, value: unknown][] = [
  ['strings', ''],
  ['strings', 'naïve ☃ \u0000 line\nbreak'],
  ['numbers', 0],
  ['numbers', -0],
  ['numbers', 1.5e300],
  ['numbers', Number.NaN],
  ['numbers', -Infinity],
  ['numbers', Number.MAX_SAFE_INTEGER],
  ['booleans', false],
  ['bigints', 0n],
  ['bigints', -5n],
  ['bigints', 9_223_372_036_854_775_807n],
  ['bigints', -9_223_372_036_854_775_808n],
  ['nulls', null],
  ['optionals', { required: 'r', nullable: null, undefinedAllowed: undefined }],
  ['optionals', { required: '', optional: 0, nullable: '', both: null, undefinedAllowed: 3 }],
  ['optionals', { required: 'r', nullable: 'n', both: 'b', undefinedAllowed: undefined, optional: undefined }],
  ['literal', 'green'],
  ['numericLiteral', 3],
  ['customer', customer],
  ['customer', { id: -1n, name: 'Bo', tier: Tier.Free, since: new Date(0) }],
  ['arrays', [[], [1, 2], [3]]],
  ['readonlyArrays', ['a', 'b']],
  ['tuple', ['x', 1]],
  ['tuple', ['x', 1, true]],
  ['shape', { kind: 'circle', radius: 2 }],
  ['shape', { kind: 'rect', width: 2, height: 3 }],
  ['tree', tree],
  ['link', { value: 1, next: { value: 2, next: { value: 3, next: null } } }],
  ['record', {}],
  ['record', { a: 1, 'with space': 2, '': 3 }],
  ['map', new Map([['z', new Date(1)], ['a', new Date(2)]])],
  ['numberMap', new Map([[3, ['c']], [1, []], [-2.5, ['x', 'y']]])],
  ['set', new Set(['b', 'a', 'c'])],
  ['set', new Set()],
  ['date', new Date('1969-07-20T20:17:40Z')],
  ['bytes', new Uint8Array([0, 1, 2, 255])],
  ['bytes', new Uint8Array()],
  ['page', { items: [{ id: '1', name: 'n', age: 3 }, { id: '2', name: 'm', email: 'e@x', age: 4 }], cursor: null }],
  ['patch', {}],
  ['patch', { name: 'new', age: 5 }],
  ['pick', { id: 'i', name: 'n' }],
  ['mixed', 'text'],
  ['mixed', 7],
  ['mixed', null],
  ['anything', { nested: [1, 'two', { three: true }], nothing: null }],
];

/** Values only the self-describing codec carries: integers beyond 64 bits, undefined kept apart from missing. */
const msgpackOnly: [string, unknown][] = [
  ['bigints', 2n ** 100n],
  ['bigints', -(2n ** 70n)],
];

describe.each([
  ['msgpack', msgpackCodec, false],
  ['protobuf', protobufCodec, true],
] as [string, Codec, boolean][])('round trips over TCP with %s', (name, codec, missingIsUndefined) => {
  const typed = typesClientWith(url, codec);

  const all = name === 'msgpack' ? [...cases, ...msgpackOnly] : cases;
  it.each(all.map(([method, value], i) => [`${method} #${i}`, method, value] as const))('%s', async (_, method, value) => {
    const back = await callTypes(typed(), method, value);
    expectExact(back, value, missingIsUndefined);
  });

  it('optional parameters: left out, undefined, or given', async () => {
    expect(await typed().optionalParam('a')).toEqual(['a', null]);
    expect(await typed().optionalParam('a', undefined)).toEqual(['a', null]);
    expect(await typed().optionalParam('a', 2)).toEqual(['a', 2]);
  });

  it('streams of unions both ways', async () => {
    async function* shapes() {
      yield { kind: 'circle', radius: 1 } as const;
      yield { kind: 'rect', width: 1, height: 2 } as const;
    }
    const back = [];
    for await (const shape of typed().stream(shapes())) back.push(shape);
    expect(back).toEqual([{ kind: 'circle', radius: 1 }, { kind: 'rect', width: 1, height: 2 }]);
  });

  it('undefined and a missing property stay apart under msgpack', async () => {
    const back = await typed().optionals({ required: 'r', nullable: null, undefinedAllowed: undefined });
    expect('undefinedAllowed' in back).toBe(!missingIsUndefined);
    expect('optional' in back).toBe(false);
  });
});
