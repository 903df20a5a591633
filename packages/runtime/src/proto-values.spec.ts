import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { protoDescriptor } from './proto-descriptor.js';
import { ProtoValueError, ProtoValues } from './proto-values.js';
import type { ServiceSchema, WireProperty, WireType } from './schema.js';

const num: WireType = { kind: 'number' };
const str: WireType = { kind: 'string' };
const prop = (name: string, type: WireType, optional = false): WireProperty => ({ name, type, optional });

const schema: ServiceSchema = {
  package: 'values',
  service: 'Values',
  shapes: {
    All: {
      kind: 'object',
      properties: [
        prop('n', num),
        prop('s', str),
        prop('b', { kind: 'boolean' }),
        prop('big', { kind: 'bigint' }),
        prop('when', { kind: 'date' }),
        prop('raw', { kind: 'bytes' }),
        prop('any', { kind: 'unknown' }),
        prop('maybe', num, true),
        prop('orNull', { kind: 'union', members: [str, { kind: 'null' }] }),
      ],
    },
    Cat: { kind: 'object', properties: [prop('kind', { kind: 'literal', value: 'cat' }), prop('lives', num)] },
    Dog: { kind: 'object', properties: [prop('kind', { kind: 'literal', value: 'dog' }), prop('good', { kind: 'boolean' })] },
    Pet: { kind: 'union', members: [{ kind: 'ref', name: 'Cat' }, { kind: 'ref', name: 'Dog' }], discriminant: 'kind' },
    Loose: { kind: 'union', members: [{ kind: 'ref', name: 'Cat' }, { kind: 'object', properties: [prop('name', str), prop('age', num, true)] }] },
    Bag: { kind: 'object', properties: [prop('items', { kind: 'map', key: str, value: { kind: 'array', element: num } })], rest: num },
  },
  methods: {},
};
const descriptor = protoDescriptor(schema);
const values = new ProtoValues(descriptor);
const root = protobuf.Root.fromJSON(descriptor.json);
const all = values.message('.values.All');

describe('ProtoValues', () => {
  it('leaves proto3 defaults out of implicit fields, but keeps -0 and set optionals', () => {
    const plain = all.encode({ n: 0, s: '', b: false, big: 0n, when: new Date(0), raw: new Uint8Array(0), any: undefined, maybe: 0, orNull: null });
    expect(plain).toEqual({ maybe: 0 });
    expect(all.encode({ n: -0, s: 'x', orNull: '' })).toEqual({ n: -0, s: 'x', orNull: '' });
  });

  it('reads an absent message as all defaults, with fresh objects', () => {
    const first = all.decode(undefined) as { when: Date; raw: Uint8Array };
    expect(first).toStrictEqual({ n: 0, s: '', b: false, big: 0n, when: new Date(0), raw: new Uint8Array(0), orNull: null });
    expect(all.decode(undefined)).not.toBe(first);
    expect((all.decode(undefined) as { when: Date }).when).not.toBe(first.when);
  });

  it('writes bigints exactly: a number when safe, 32-bit halves beyond', () => {
    expect(all.encode({ big: -5n }).big).toBe(-5);
    expect(all.encode({ big: 2n ** 63n - 1n }).big).toEqual({ low: -1, high: 0x7fffffff });
    expect(all.encode({ big: -(2n ** 63n) }).big).toEqual({ low: 0, high: -0x80000000 });
    const type = root.lookupType('values.All');
    for (const big of [-(2n ** 63n), -(2n ** 53n) - 1n, -1n, 2n ** 53n + 1n, 2n ** 63n - 1n]) {
      const decoded = type.decode(type.encode(all.encode({ big })).finish());
      expect((all.decode(decoded) as { big: bigint }).big).toBe(big);
    }
  });

  it('carries unknown values as JSON text, the empty string standing for undefined', () => {
    expect(all.encode({ any: { a: [1] } }).any).toBe('{"a":[1]}');
    expect(all.encode({ any: null }).any).toBe('null');
    expect((all.decode({ any: '' }) as { any?: unknown }).any).toBeUndefined();
  });

  it('picks union members by the discriminant, then by shape', () => {
    const pet = values.message('.values.Pet');
    expect(Object.keys(pet.encode({ kind: 'dog', good: true }))).toEqual(['dog']);
    expect(Object.keys(pet.encode({ kind: 'cat', lives: 9 }))).toEqual(['cat']);
    const loose = values.message('.values.Loose');
    expect(Object.keys(loose.encode({ name: 'rex' }))).toEqual(['object']);
    expect(Object.keys(loose.encode({ kind: 'cat', lives: 1 }))).toEqual(['cat']);
    expect(() => pet.encode('dog')).toThrow(ProtoValueError);
    expect(() => pet.encode('dog')).toThrow('string is none of the union');
  });

  it('reports where a nested value is wrong', () => {
    const bag = values.message('.values.Bag');
    expect(() => bag.encode({ items: new Map([['a', [1, 'x']]]) })).toThrow('items["a"][1]: expected number, got string');
    expect(() => bag.encode({ items: new Map(), extra: 'no' })).toThrow('["extra"]: expected number, got string');
    expect(() => bag.encode({ items: {} })).toThrow('items: expected Map, got an object');
  });

  it('never lets a __proto__ key (map values that are arrays travel boxed) from the wire reach a prototype', () => {
    const bag = values.message('.values.Bag');
    const decoded = bag.decode({ items: [{ key: '__proto__', value: { value: [1] } }], _rest: [{ key: '__proto__', value: 5 }] }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toBe(5);
    expect(((decoded['items'] as Map<string, unknown>).get('__proto__'))).toEqual([1]);
  });
});
