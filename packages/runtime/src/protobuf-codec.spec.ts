import { afterEach, describe, expect, it } from 'vitest';
import { rejection } from '../../../test/support/rejection.js';
import type { CallContext } from './call-context.js';
import { Code } from './code.js';
import { connect } from './connect.js';
import { memory } from './memory-transport.js';
import { protobufCodec } from './protobuf-codec.js';
import { RpcError } from './rpc-error.js';
import type { MethodSchema, ServiceSchema, WireProperty, WireType } from './schema.js';
import { Server } from './server.js';
import { defineService, type MethodSpec } from './service.js';

const num: WireType = { kind: 'number' };
const str: WireType = { kind: 'string' };
const bool: WireType = { kind: 'boolean' };
const nul: WireType = { kind: 'null' };
const undef: WireType = { kind: 'undefined' };
const ref = (name: string): WireType => ({ kind: 'ref', name });
const lit = (value: string | number | boolean): WireType => ({ kind: 'literal', value });
const union = (...members: WireType[]): WireType => ({ kind: 'union', members });
const array = (element: WireType): WireType => ({ kind: 'array', element });
const prop = (name: string, type: WireType, optional = false): WireProperty => ({ name, type, optional });
const object = (...properties: WireProperty[]): WireType => ({ kind: 'object', properties });

const shapes: ServiceSchema['shapes'] = {
  Point: object(prop('x', num), prop('y', num)),
  Tree: object(prop('value', num), prop('children', array(ref('Tree')))),
  Node: object(prop('value', str), prop('next', union(ref('Node'), nul))),
  Json: union(nul, bool, num, str, array(ref('Json')), { kind: 'object', properties: [], rest: ref('Json') }),
  Color: { kind: 'enum', members: [{ name: 'Red', value: 1 }, { name: 'Green', value: 2 }, { name: 'Blue', value: -3 }] },
  Level: { kind: 'enum', members: [{ name: 'Off', value: 0 }, { name: 'On', value: 1 }] },
  Mood: { kind: 'enum', members: [{ name: 'Happy', value: 'happy' }, { name: 'Sad', value: 'sad' }] },
  Mixed: { kind: 'enum', members: [{ name: 'A', value: 'a' }, { name: 'One', value: 1 }] },
  Ratio: { kind: 'enum', members: [{ name: 'Half', value: 0.5 }, { name: 'Whole', value: 1 }] },
  Circle: object(prop('kind', lit('circle')), prop('radius', num)),
  Square: object(prop('kind', lit('square')), prop('side', num)),
  Shape: { kind: 'union', members: [ref('Circle'), ref('Square')], discriminant: 'kind' },
  MaybePoint: union(ref('Point'), nul),
  Ids: array(str),
  Page_Point: object(prop('items', array(ref('Point'))), prop('next', union(str, undef), true)),
};

/** One echo method per case: `value: T` in, `T` back. */
const cases: { readonly name: string; readonly type: WireType; readonly values: readonly unknown[] }[] = [
  { name: 'number', type: num, values: [0, -0, 1.5, -2, NaN, Infinity, -Infinity, Number.MAX_VALUE, 5e-324, Number.MAX_SAFE_INTEGER] },
  { name: 'string', type: str, values: ['', 'hello', 'héllo ✓ 𝄞', 'x'.repeat(5000)] },
  { name: 'boolean', type: bool, values: [false, true] },
  { name: 'bigint', type: { kind: 'bigint' }, values: [0n, 1n, -1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 12_345_678_901_234_567n, -4_294_967_296n] },
  { name: 'date', type: { kind: 'date' }, values: [new Date(0), new Date(-1), new Date('2024-02-29T12:34:56.789Z'), new Date(8.64e15), new Date(-8.64e15)] },
  { name: 'bytes', type: { kind: 'bytes' }, values: [new Uint8Array(0), new Uint8Array([0, 1, 254, 255]), new Uint8Array(300).fill(7)] },
  { name: 'unknown', type: { kind: 'unknown' }, values: [undefined, null, 0, '', 'x', false, [], {}, { a: [1, { b: null }], c: 'd' }] },
  { name: 'null', type: nul, values: [null] },
  { name: 'undefined', type: undef, values: [undefined] },
  { name: 'literals', type: union(lit('circle'), lit(42), lit(true)), values: ['circle', 42, true] },
  { name: 'literal string', type: lit('only'), values: ['only'] },
  { name: 'literal union', type: union(lit('a'), lit('b'), lit('')), values: ['a', 'b', ''] },
  { name: 'nullable literal union', type: union(lit('a'), lit('b'), nul), values: ['a', 'b', null] },
  { name: 'numeric enum', type: ref('Color'), values: [1, 2, -3] },
  { name: 'numeric enum with zero', type: ref('Level'), values: [0, 1] },
  { name: 'string enum', type: ref('Mood'), values: ['happy', 'sad'] },
  { name: 'mixed enum', type: ref('Mixed'), values: ['a', 1] },
  { name: 'fractional enum', type: ref('Ratio'), values: [0.5, 1] },
  { name: 'number array', type: array(num), values: [[], [1, -0, NaN, 3.5]] },
  { name: 'string array', type: array(str), values: [[], ['', 'a', '']] },
  { name: 'nested arrays', type: array(array(num)), values: [[], [[]], [[1, 2], [], [3]]] },
  { name: 'nullable elements', type: array(union(str, nul)), values: [['a', null, '', null]] },
  { name: 'optional elements', type: array(union(num, undef)), values: [[1, undefined, 0]] },
  { name: 'three-state elements', type: array(union(num, nul, undef)), values: [[1, null, undefined, 0]] },
  { name: 'union elements', type: array(union(str, num)), values: [['a', 1, '', 0]] },
  { name: 'bigint array', type: array({ kind: 'bigint' }), values: [[-(2n ** 63n), 0n, 5n]] },
  { name: 'date array', type: array({ kind: 'date' }), values: [[new Date(5), new Date(0)]] },
  { name: 'bytes array', type: array({ kind: 'bytes' }), values: [[new Uint8Array([1]), new Uint8Array(0)]] },
  { name: 'enum array', type: array(ref('Color')), values: [[1, -3, 2]] },
  { name: 'tuple', type: { kind: 'tuple', elements: [{ type: str, optional: false }, { type: num, optional: false }, { type: bool, optional: true }] }, values: [['a', 1], ['', 0, false], ['x', -0, true]] },
  { name: 'tuple of arrays', type: { kind: 'tuple', elements: [{ type: array(num), optional: false }, { type: union(str, nul), optional: false }] }, values: [[[], null], [[1], 'x']] },
  { name: 'object', type: ref('Point'), values: [{ x: 0, y: 0 }, { x: -0, y: NaN }] },
  {
    name: 'optional and nullable properties',
    type: object(prop('a', num, true), prop('b', union(num, nul)), prop('c', union(str, nul), true), prop('d', union(ref('Point'), nul), true), prop('e', union(array(num), nul))),
    values: [{ b: null, e: null }, { a: 0, b: 0, c: null, d: null, e: [] }, { a: 1, b: 2, c: '', d: { x: 1, y: 2 }, e: [1] }, { b: null, c: 'x', d: { x: 0, y: 0 }, e: null }],
  },
  { name: 'empty string and zero are not absence', type: object(prop('s', str, true), prop('n', num, true), prop('f', bool, true)), values: [{}, { s: '', n: 0, f: false }, { n: -0 }] },
  { name: 'nested anonymous objects', type: object(prop('inner', object(prop('deep', object(prop('v', str)))))), values: [{ inner: { deep: { v: 'x' } } }] },
  { name: 'record', type: { kind: 'object', properties: [], rest: num }, values: [{}, { a: 1, b: 0, '': 2 }] },
  { name: 'index signature', type: { kind: 'object', properties: [prop('name', str)], rest: str }, values: [{ name: 'n' }, { name: 'n', extra: 'e', other: '' }] },
  { name: 'string-key map', type: { kind: 'map', key: str, value: num }, values: [new Map(), new Map([['2', 1], ['1', 2], ['b', 0], ['a', -0]])] },
  { name: 'number-key map', type: { kind: 'map', key: num, value: str }, values: [new Map([[3, 'c'], [1, 'a'], [-0, ''], [NaN, 'nan']])] },
  { name: 'object-key map', type: { kind: 'map', key: ref('Point'), value: array(str) }, values: [new Map([[{ x: 1, y: 2 }, ['a']], [{ x: 0, y: 0 }, []]])] },
  { name: 'map of arrays', type: { kind: 'map', key: str, value: array(num) }, values: [new Map([['a', [1, 2]], ['b', []]])] },
  { name: 'map of nullables', type: { kind: 'map', key: str, value: union(str, nul) }, values: [new Map<string, string | null>([['a', null], ['b', '']])] },
  { name: 'map of unions', type: { kind: 'map', key: str, value: union(str, num) }, values: [new Map<string, string | number>([['a', 'x'], ['b', 2]])] },
  { name: 'set', type: { kind: 'set', element: num }, values: [new Set(), new Set([3, 1, 2])] },
  { name: 'set of strings', type: { kind: 'set', element: str }, values: [new Set(['b', 'a', ''])] },
  { name: 'string or number', type: union(str, num), values: ['', 0, 'x', -0, NaN] },
  { name: 'boolean or string', type: union(bool, str), values: [false, 'false', true] },
  { name: 'scalars of every kind', type: union({ kind: 'date' }, { kind: 'bigint' }, { kind: 'bytes' }, str), values: [new Date(1), 0n, new Uint8Array([1]), ''] },
  { name: 'string or array', type: union(str, array(str)), values: ['a', ['a', 'b'], []] },
  { name: 'discriminated union', type: ref('Shape'), values: [{ kind: 'circle', radius: 1 }, { kind: 'square', side: 0 }] },
  {
    name: 'anonymous discriminated union',
    type: { kind: 'union', members: [object(prop('type', lit('a')), prop('x', num)), object(prop('type', lit('b')), prop('y', str))], discriminant: 'type' },
    values: [{ type: 'a', x: 1 }, { type: 'b', y: '' }],
  },
  { name: 'undiscriminated object union', type: union(ref('Point'), object(prop('name', str))), values: [{ x: 1, y: 2 }, { name: 'n' }] },
  { name: 'nullable named union', type: union(ref('Shape'), nul), values: [null, { kind: 'circle', radius: 2 }] },
  { name: 'nullable object alias', type: ref('MaybePoint'), values: [null, { x: 1, y: 1 }] },
  { name: 'array alias', type: ref('Ids'), values: [[], ['a']] },
  { name: 'generic instance', type: ref('Page_Point'), values: [{ items: [] }, { items: [{ x: 1, y: 2 }], next: 'cursor' }] },
  { name: 'tree', type: ref('Tree'), values: [{ value: 1, children: [{ value: 2, children: [] }, { value: 3, children: [{ value: 4, children: [] }] }] }] },
  { name: 'linked list', type: ref('Node'), values: [{ value: 'a', next: { value: 'b', next: { value: '', next: null } } }] },
  { name: 'json', type: ref('Json'), values: [null, true, 0, '', [], {}, { a: [1, 'b', null, { c: false }], d: {} }] },
];

const methods: Record<string, MethodSchema> = {
  add: { kind: 'unary', params: [prop('a', num), prop('b', num)], returns: num },
  greet: { kind: 'unary', params: [prop('name', str), prop('greeting', str, true)], returns: str },
  count: { kind: 'server-stream', params: [prop('to', num)], returns: num },
  sum: { kind: 'client-stream', params: [prop('values', num)], returns: num },
  chat: { kind: 'bidi-stream', params: [prop('lines', str), prop('prefix', str)], returns: str },
  fail: { kind: 'unary', params: [], returns: { kind: 'void' } },
  note: { kind: 'oneway', params: [prop('line', str)], returns: { kind: 'void' } },
};
const specs: Record<string, MethodSpec> = {
  add: { kind: 'unary', params: ['a', 'b'] },
  greet: { kind: 'unary', params: ['name', 'greeting'] },
  count: { kind: 'server-stream', params: ['to'] },
  sum: { kind: 'client-stream', params: ['values'], streamParam: 0 },
  chat: { kind: 'bidi-stream', params: ['lines', 'prefix'], streamParam: 0 },
  fail: { kind: 'unary', params: [] },
  note: { kind: 'oneway', params: ['line'] },
};
cases.forEach((c, i) => {
  methods[`echo${i}`] = { kind: 'unary', params: [prop('value', c.type)], returns: c.type };
  specs[`echo${i}`] = { kind: 'unary', params: ['value'] };
});

const schema: ServiceSchema = { package: 'test.kinds', service: 'Kinds', shapes, methods };
// The handler types matter only for the end-to-end test; the echo methods are driven by name.
type Handlers = {
  add(a: number, b: number, ctx: CallContext): number;
  greet(name: string, greeting: string | undefined, ctx: CallContext): string;
  count(to: number, ctx: CallContext): AsyncIterable<number>;
  sum(values: AsyncIterable<number>, ctx: CallContext): Promise<number>;
  chat(lines: AsyncIterable<string>, prefix: string, ctx: CallContext): AsyncIterable<string>;
  fail(ctx: CallContext): void;
  note(line: string, ctx: CallContext): void;
} & Record<string, (...args: never[]) => unknown>;
const kinds = defineService<Handlers>({ name: 'Kinds', methods: specs as Handlers extends infer H ? { [K in keyof H]: MethodSpec } : never, schema });
const method = (name: string) => kinds.methods[name] as (typeof kinds.methods)['add'];

function roundTrip(name: string, value: unknown): { args: unknown; result: unknown } {
  const codec = protobufCodec.forMethod?.(method(name));
  if (codec === undefined) throw new Error('protobufCodec has no forMethod');
  return { args: codec.args.decode(codec.args.encode([value])), result: codec.result.decode(codec.result.encode(value)) };
}

describe('protobufCodec round trips', () => {
  cases.forEach((c, i) => {
    it(`keeps ${c.name} values exactly`, () => {
      for (const value of c.values) {
        const { args, result } = roundTrip(`echo${i}`, value);
        expect(result).toStrictEqual(value);
        expect(args).toStrictEqual(value === undefined ? [] : [value]);
      }
    });
  });

  it('keeps the insertion order of Map keys, integer-like ones included', () => {
    const i = cases.findIndex((c) => c.name === 'string-key map');
    const { result } = roundTrip(`echo${i}`, new Map([['2', 1], ['1', 2], ['b', 0], ['a', 3]]));
    expect([...(result as Map<string, number>).keys()]).toEqual(['2', '1', 'b', 'a']);
    const j = cases.findIndex((c) => c.name === 'set');
    expect([...(roundTrip(`echo${j}`, new Set([3, 1, 2])).result as Set<number>)]).toEqual([3, 1, 2]);
  });

  it('carries a deep linked list and a Uint8Array subclass', () => {
    let list: unknown = null;
    for (let n = 0; n < 40; n++) list = { value: String(n), next: list };
    const i = cases.findIndex((c) => c.name === 'linked list');
    expect(roundTrip(`echo${i}`, list).result).toStrictEqual(list);
    const j = cases.findIndex((c) => c.name === 'bytes');
    const decoded = roundTrip(`echo${j}`, Buffer.from([1, 2, 3])).result;
    expect(decoded).toStrictEqual(new Uint8Array([1, 2, 3]));
  });

  it('treats a property that is present but undefined as missing', () => {
    const i = cases.findIndex((c) => c.name === 'optional and nullable properties');
    expect(roundTrip(`echo${i}`, { a: undefined, b: 1, c: undefined, e: null }).result).toStrictEqual({ b: 1, e: null });
  });

  it('decodes the stream parameter slot as undefined and drops skipped trailing arguments', () => {
    const greet = protobufCodec.forMethod?.(method('greet'));
    expect(greet?.args.decode(greet.args.encode(['Ada']))).toStrictEqual(['Ada']);
    expect(greet?.args.decode(greet.args.encode(['Ada', undefined]))).toStrictEqual(['Ada']);
    expect(greet?.args.decode(greet.args.encode(['', 'hi']))).toStrictEqual(['', 'hi']);
    const chat = protobufCodec.forMethod?.(method('chat'));
    expect(chat?.args.decode(chat.args.encode([undefined, '> ']))).toStrictEqual([undefined, '> ']);
    expect(chat?.message.decode(chat.message.encode('line'))).toBe('line');
    const sum = protobufCodec.forMethod?.(method('sum'));
    expect(sum?.args.decode(sum.args.encode([undefined]))).toStrictEqual([]);
    expect(sum?.message.decode(sum.message.encode(0))).toBe(0);
  });

  it('encodes void results as an empty message and reads them as undefined', () => {
    const fail = protobufCodec.forMethod?.(method('fail'));
    expect(fail?.result.encode(undefined)).toHaveLength(0);
    expect(fail?.result.decode(new Uint8Array(0))).toBeUndefined();
  });

  it('writes proto3 defaults as nothing, so add(0, 0) is an empty message', () => {
    const add = protobufCodec.forMethod?.(method('add'));
    expect(add?.args.encode([0, 0])).toHaveLength(0);
    expect(add?.args.decode(new Uint8Array(0))).toStrictEqual([0, 0]);
    expect(add?.args.encode([-0, 0])).toHaveLength(11);
  });

  it('leaves room for the frame header in front, whatever its size, without a copy', () => {
    const add = protobufCodec.forMethod?.(method('add'));
    const plain = Buffer.from(add?.args.encode([1, 2]) as Uint8Array);
    for (let headroom = 1; headroom <= 40; headroom++) {
      const roomy = add?.args.encode([1, 2], headroom) as Uint8Array;
      expect(roomy.length).toBe(plain.length + headroom);
      expect(Buffer.from(roomy.subarray(headroom)).equals(plain)).toBe(true);
      expect(add?.args.decode(roomy.subarray(headroom))).toStrictEqual([1, 2]);
    }
  });
});

describe('protobufCodec errors', () => {
  const encodeError = (name: string, value: unknown): string => {
    try {
      protobufCodec.forMethod?.(method(name)).args.encode([value]);
    } catch (error) {
      return String(error);
    }
    throw new Error('expected the encode to fail');
  };

  it('names the field and the problem', () => {
    const bigint = cases.findIndex((c) => c.name === 'bigint');
    expect(encodeError(`echo${bigint}`, 2n ** 63n)).toBe('ProtoValueError: value: 9223372036854775808 does not fit in 64 bits (sint64)');
    const date = cases.findIndex((c) => c.name === 'date');
    expect(encodeError(`echo${date}`, new Date(NaN))).toBe('ProtoValueError: value: an invalid Date cannot be sent');
    const props = cases.findIndex((c) => c.name === 'optional and nullable properties');
    expect(encodeError(`echo${props}`, { b: 1, d: { x: 1, y: 'two' }, e: null })).toBe('ProtoValueError: value.d.y: expected number, got string');
    const nested = cases.findIndex((c) => c.name === 'nested arrays');
    expect(encodeError(`echo${nested}`, [[1], [2, '3']])).toBe('ProtoValueError: value[1][1]: expected number, got string');
    const unknown = cases.findIndex((c) => c.name === 'unknown');
    expect(encodeError(`echo${unknown}`, { n: 1n })).toMatch(/^ProtoValueError: value: an unknown value travels as JSON, and this one cannot/);
  });

  it('refuses more arguments than the method has', () => {
    expect(() => protobufCodec.forMethod?.(method('add')).args.encode([1, 2, 3])).toThrow('expected at most 2 arguments, got 3');
  });

  it('caches per method descriptor', () => {
    expect(protobufCodec.forMethod?.(method('add'))).toBe(protobufCodec.forMethod?.(method('add')));
  });

  it('says how to fix stubs generated without the schema', () => {
    const bare = defineService<{ add(a: number, b: number, ctx: CallContext): number }>({ name: 'Bare', methods: { add: { kind: 'unary', params: ['a', 'b'] } } });
    let error: unknown;
    try {
      protobufCodec.forMethod?.(bare.methods.add);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(Code.FailedPrecondition);
    expect((error as RpcError).message).toMatch(/^the protobuf codec needs the service's wire schema, .*`conduit gen --codec protobuf`/);
  });

  it('says when the schema lacks the method, or has no protobuf form', () => {
    const stale = defineService<{ gone(ctx: CallContext): void }>({ name: 'Stale', methods: { gone: { kind: 'unary', params: [] } }, schema: { ...schema, methods: {} } });
    expect(() => protobufCodec.forMethod?.(stale.methods.gone)).toThrow(/^the service's wire schema has no method 'gone'/);
    const broken: ServiceSchema = { package: 'x', service: 'B', shapes: { W: object(prop('field388', num), prop('field2120', num)) }, methods: { m: { kind: 'unary', params: [], returns: ref('W') } } };
    const bad = defineService<{ m(ctx: CallContext): void }>({ name: 'B', methods: { m: { kind: 'unary', params: [] } }, schema: broken });
    expect(() => protobufCodec.forMethod?.(bad.methods.m)).toThrow(/^the service's schema has no protobuf form: W: property 'field388' and property 'field2120'/);
  });

  it('carries error details as UTF-8 JSON, behind any headroom', () => {
    const bytes = protobufCodec.encode({ id: 7, why: 'é' }, 3);
    expect(Buffer.from(bytes.subarray(3)).toString('utf8')).toBe('{"id":7,"why":"é"}');
    expect(protobufCodec.decode(bytes.subarray(3))).toEqual({ id: 7, why: 'é' });
    expect(() => protobufCodec.encode(undefined)).toThrow(/not JSON data/);
  });
});

describe('protobufCodec between a real client and server', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((thing) => thing.close()));
  });

  const notes: string[] = [];
  const handlers = {
    add: (a: number, b: number) => a + b,
    greet: (name: string, greeting: string | undefined) => `${greeting ?? 'hello'}, ${name}`,
    async *count(to: number) {
      for (let i = 0; i <= to; i++) yield i;
    },
    async sum(values: AsyncIterable<number>) {
      let total = 0;
      for await (const value of values) total += value;
      return total;
    },
    async *chat(lines: AsyncIterable<string>, prefix: string) {
      for await (const line of lines) yield `${prefix}${line}`;
    },
    fail: () => {
      throw new RpcError(Code.NotFound, 'no such item', { details: { id: 7, tags: ['a'] } });
    },
    note: (line: string) => void notes.push(line),
    ...Object.fromEntries(cases.map((_, i) => [`echo${i}`, (value: unknown) => value])),
  } as unknown as Handlers;

  async function serve() {
    const server = new Server({ codecs: [protobufCodec], onError: () => {} });
    server.add(kinds, handlers);
    const transport = memory();
    await server.listen(transport);
    const channel = await connect(transport, { codec: protobufCodec });
    open.push(channel, server);
    return channel;
  }

  it('makes unary, one-way and streaming calls', async () => {
    const channel = await serve();
    expect(await channel.unary(method('add'), [1.5, 2])).toBe(3.5);
    expect(await channel.unary(method('add'), [0, 0])).toBe(0);
    expect(await channel.unary(method('greet'), ['Ada'])).toBe('hello, Ada');
    const counted: number[] = [];
    for await (const n of channel.serverStream<number>(method('count'), [4])) counted.push(n);
    expect(counted).toEqual([0, 1, 2, 3, 4]);
    async function* values() {
      yield* [1, 0, 2.5, -0];
    }
    expect(await channel.clientStream(method('sum'), [values()])).toBe(3.5);
    async function* lines() {
      yield* ['a', '', 'b'];
    }
    const echoed: string[] = [];
    for await (const line of channel.bidiStream<string>(method('chat'), [lines(), '> '])) echoed.push(line);
    expect(echoed).toEqual(['> a', '> ', '> b']);
    channel.oneway(method('note'), ['noted']);
    expect(await channel.unary(method('add'), [1, 1])).toBe(2);
    expect(notes).toEqual(['noted']);
  });

  it('round-trips rich values through a real call', async () => {
    const channel = await serve();
    const i = cases.findIndex((c) => c.name === 'optional and nullable properties');
    const value = { a: 1, b: null, c: '', d: { x: 0, y: -0 }, e: [1, 2] };
    expect(await channel.unary(method(`echo${i}`), [value])).toStrictEqual(value);
    const tree = cases.findIndex((c) => c.name === 'tree');
    const t = { value: 1, children: [{ value: 2, children: [] }] };
    expect(await channel.unary(method(`echo${tree}`), [t])).toStrictEqual(t);
  });

  it('delivers error details as JSON', async () => {
    const channel = await serve();
    const error = await rejection(channel.unary(method('fail'), []));
    expect([error.code, error.message, error.details]).toEqual([Code.NotFound, 'no such item', { id: 7, tags: ['a'] }]);
  });

  it('fails a call whose stubs have no schema with a clear error, before sending it', async () => {
    const channel = await serve();
    const bare = defineService<{ add(a: number, b: number, ctx: CallContext): number }>({ name: 'Kinds', methods: { add: { kind: 'unary', params: ['a', 'b'] } } });
    const error = await rejection(channel.unary(bare.methods.add, [1, 2]));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.message).toMatch(/^Kinds\.add: the protobuf codec needs the service's wire schema, and these stubs were generated without it/);
    expect(await channel.unary(method('add'), [2, 2])).toBe(4);
  });

  it('refuses arguments that do not fit, naming the field', async () => {
    const channel = await serve();
    const error = await rejection(channel.unary(method('add'), [1, 'two']));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.message).toMatch(/could not encode the arguments with protobuf: b: expected number, got string/);
  });
});
