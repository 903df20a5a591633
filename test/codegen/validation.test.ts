import { Code, msgpackCodec, protobufCodec, type Codec } from '@conduit/runtime';
import { describe, expect, it } from 'vitest';
import { Tier } from '../fixtures/services/shared/catalog.js';
import { rejection } from '../support/rejection.js';
import { callTypes, typesClientWith, typesServerForFile } from '../support/types-service.js';

/**
 * Wrong values of every type are refused with InvalidArgument and a message saying where and what,
 * over TCP to a server in another process. Under msgpack anything can be encoded, so the server's
 * generated validator is what refuses; under protobuf the schema refuses what it cannot encode on
 * the client, and the server's validator refuses the rest (literals, enums, discriminants).
 */
const url = typesServerForFile();

const since = new Date(0);

/**
 * proto3 has no required fields: a missing scalar decodes as its default (0, '', false) and a
 * missing `T | null` as null, so these values reach the handler well-formed under protobuf. The
 * generated client's types refuse them at compile time; only an untyped caller can send them.
 */
const MISSING = true;

/** `value.items[0].age` of `value.items[0].age: expected number, got string`. */
function pathOf(message: string): string {
  return message.slice(0, message.indexOf(': '));
}

/** Method, a wrong argument, what the server's validator says about it (after `Types.<method>: `), and whether only msgpack can carry it. */
const wrong: [method: string, value: unknown, message: string, msgpackOnly?: boolean][] = [
  ['strings', 1, 'value: expected string, got number'],
  ['numbers', '1', 'value: expected number, got string'],
  ['booleans', 0, 'value: expected boolean, got number'],
  ['bigints', 1, 'value: expected bigint, got number'],
  ['nulls', undefined, 'value: expected null, got undefined'],
  ['optionals', { nullable: null, undefinedAllowed: 1 }, "value: missing property 'required'", MISSING],
  ['optionals', { required: 'r', optional: 'x', nullable: null, undefinedAllowed: 1 }, 'value.optional: expected number, got string'],
  ['optionals', { required: 'r', undefinedAllowed: 1 }, "value: missing property 'nullable'", MISSING],
  ['optionals', { required: 'r', nullable: null, undefinedAllowed: 'x' }, 'value.undefinedAllowed: expected undefined or number, got string'],
  ['literal', 'purple', "value: expected 'red' or 'green' or 'blue', got string"],
  ['numericLiteral', 4, 'value: expected 1 or 2 or 3, got number'],
  ['customer', { id: 1n, name: 'n', tier: 3, since }, 'value.tier: expected Tier (0 or 10 or 11), got number'],
  ['customer', { id: 1n, name: 'n', tier: Tier.Free, region: 'mars', since }, "value.region: expected Region ('eu' or 'us'), got string"],
  ['customer', { id: 1n, name: 'n', tier: Tier.Free, since: new Date(Number.NaN) }, 'value.since: expected Date, got invalid Date'],
  ['arrays', [[1], [2, '3']], 'value[1][1]: expected number, got string'],
  ['tuple', ['x'], 'value: expected 2 to 3 elements, got 1', MISSING],
  ['tuple', ['x', 1, 'yes'], 'value[2]: expected boolean, got string'],
  ['shape', { kind: 'triangle' }, "value.kind: expected 'circle' or 'rect', got string"],
  ['shape', { kind: 'rect', width: 1 }, "value: missing property 'height'", MISSING],
  ['tree', { label: 'a', children: [{ label: 'b', children: [{ label: 3, children: [] }] }] }, 'value.children[0].children[0].label: expected string, got number'],
  ['link', { value: 1, next: { value: 2, next: 'end' } }, 'value.next.next: expected null or Link, got string'],
  ['record', { a: 1, b: 'two' }, 'value["b"]: expected number, got string'],
  ['map', new Map([['a', 'not a date']]), 'value["a"]: expected Date, got string'],
  ['numberMap', new Map([['1', []]]), 'value["1"]: expected number, got string'],
  ['set', new Set(['a', 2]), 'value[1]: expected string, got number'],
  ['set', ['a'], 'value: expected Set, got array'],
  ['date', '2024-01-01', 'value: expected Date, got string'],
  ['bytes', [1, 2], 'value: expected Uint8Array, got array'],
  ['page', { items: [{ id: '1', name: 'n', age: '3' }], cursor: null }, 'value.items[0].age: expected number, got string'],
  ['patch', { age: 'old' }, 'value.age: expected number, got string'],
  ['pick', { id: 'i' }, "value: missing property 'name'", MISSING],
  ['mixed', true, 'value: expected null or string or number, got boolean'],
];

describe.each([
  ['msgpack', msgpackCodec],
  ['protobuf', protobufCodec],
] as [string, Codec][])('validation over TCP with %s', (name, codec) => {
  const typed = typesClientWith(url, codec);

  const refused = wrong.filter(([, , , msgpackOnly]) => name === 'msgpack' || msgpackOnly !== true);
  it.each(refused.map(([method, value, message], i) => [`${method} #${i}`, method, value, message] as const))('%s is refused', async (_, method, value, message) => {
    const error = await rejection(callTypes(typed(), method, value));
    expect(error.code, error.message).toBe(Code.InvalidArgument);
    expect(error.message).toContain(`Types.${method}`);
    if (name === 'msgpack') expect(error.message).toContain(message);
    // Under protobuf the client's encoder or the server's validator refuses it, in its own words,
    // but at the same path: `value.items[0].age: …`.
    else expect(error.message).toContain(`${pathOf(message)}: `);
  });

  if (name === 'protobuf') {
    it('fills a missing scalar with its proto3 default, as documented', async () => {
      expect(await callTypes(typed(), 'shape', { kind: 'rect', width: 1 })).toEqual({ kind: 'rect', width: 1, height: 0 });
      expect(await callTypes(typed(), 'pick', { id: 'i' })).toEqual({ id: 'i', name: '' });
    });
  }

  it('right values still pass on the same connection after refusals', async () => {
    expect(await typed().numbers(1)).toBe(1);
    expect(await typed().shape({ kind: 'circle', radius: 1 })).toEqual({ kind: 'circle', radius: 1 });
  });

  it('a stream message of the wrong type ends the call with InvalidArgument and a path', async () => {
    async function* shapes() {
      yield { kind: 'circle', radius: 1 };
      yield { kind: 'rect', width: 'wide', height: 1 };
    }
    const received: unknown[] = [];
    const error = await rejection(
      (async () => {
        for await (const shape of typed().stream(shapes() as AsyncIterable<never>)) received.push(shape);
      })(),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    if (name === 'msgpack') expect(error.message).toContain('stream message: width: expected number, got string');
  });
});
