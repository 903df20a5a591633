import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineService, protobufCodec, ProtoSchemaError, type CallContext, type ServiceSchema, type WireProperty, type WireType } from '@conduit/runtime';
import { emitProto } from './emit-proto.js';

const num: WireType = { kind: 'number' };
const str: WireType = { kind: 'string' };
const nul: WireType = { kind: 'null' };
const ref = (name: string): WireType => ({ kind: 'ref', name });
const array = (element: WireType): WireType => ({ kind: 'array', element });
const union = (...members: WireType[]): WireType => ({ kind: 'union', members });
const prop = (name: string, type: WireType, optional = false): WireProperty => ({ name, type, optional });
const object = (...properties: WireProperty[]): WireType => ({ kind: 'object', properties });

/** Every WireType kind, in every position that changes how it is printed. */
const everyKind: ServiceSchema = {
  package: 'every.kind',
  service: 'Every',
  shapes: {
    Point: object(prop('x', num), prop('y', num, true)),
    Tree: object(prop('value', num), prop('children', array(ref('Tree')))),
    Node: object(prop('value', str), prop('next', union(ref('Node'), nul))),
    Json: union(nul, { kind: 'boolean' }, num, str, array(ref('Json')), { kind: 'object', properties: [], rest: ref('Json') }),
    Color: { kind: 'enum', members: [{ name: 'Red', value: 1 }, { name: 'Green', value: 2 }, { name: 'Crimson', value: 1 }] },
    Level: { kind: 'enum', members: [{ name: 'Off', value: 0 }, { name: 'On', value: 1 }] },
    Mood: { kind: 'enum', members: [{ name: 'Happy', value: 'happy' }] },
    Mixed: { kind: 'enum', members: [{ name: 'A', value: 'a' }, { name: 'One', value: 1 }] },
    Circle: object(prop('kind', { kind: 'literal', value: 'circle' }), prop('radius', num)),
    Square: object(prop('kind', { kind: 'literal', value: 'square' }), prop('side', num)),
    Shape: { kind: 'union', members: [ref('Circle'), ref('Square')], discriminant: 'kind' },
    Pair: { kind: 'tuple', elements: [{ type: str, optional: false }, { type: array(num), optional: true }] },
    Page_Point: object(prop('items', array(ref('Point'))), prop('cursor', union(str, { kind: 'undefined' }))),
    // Names protoc would stumble over if printed carelessly.
    optional: object(prop('map', str), prop('null', num), prop('string', str), prop('a_b', num), prop('aB', num), prop('__proto__', num), prop('content-type', str)),
    Everything: object(
      prop('n', num),
      prop('s', str),
      prop('b', { kind: 'boolean' }),
      prop('big', { kind: 'bigint' }),
      prop('when', { kind: 'date' }),
      prop('raw', { kind: 'bytes' }),
      prop('any', { kind: 'unknown' }),
      prop('lit', { kind: 'literal', value: 42 }),
      prop('litUnion', union({ kind: 'literal', value: 'a' }, { kind: 'literal', value: 'b' })),
      prop('color', ref('Color')),
      prop('level', ref('Level'), true),
      prop('mood', ref('Mood')),
      prop('mixed', ref('Mixed')),
      prop('matrix', array(array(num))),
      prop('maybeList', union(array(str), nul)),
      prop('sparse', array(union(num, nul, { kind: 'undefined' }))),
      prop('pair', ref('Pair')),
      prop('byName', { kind: 'map', key: str, value: ref('Point') }),
      prop('byId', { kind: 'map', key: num, value: array(str) }),
      prop('record', { kind: 'object', properties: [], rest: union(str, num) }),
      prop('tags', { kind: 'set', element: str }),
      prop('shape', ref('Shape')),
      prop('shapeOrNull', union(ref('Shape'), nul), true),
      prop('pointOrNull', union(ref('Point'), nul)),
      prop('pointMaybe', union(ref('Point'), nul), true),
      prop('numOrNull', union(num, nul)),
      prop('either', union(str, num, { kind: 'date' }, { kind: 'bigint' }, array(num))),
      prop('inline', object(prop('deep', object(prop('v', str))))),
      prop('tree', ref('Tree')),
      prop('list', ref('Node')),
      prop('json', ref('Json')),
      prop('page', ref('Page_Point')),
      prop('odd', ref('optional')),
      prop('nothing', nul),
    ),
  },
  methods: {
    get: { kind: 'unary', params: [{ name: 'id', type: str, optional: false, field: 1 }, { name: 'verbose', type: { kind: 'boolean' }, optional: true }], returns: ref('Everything') },
    watch: { kind: 'server-stream', params: [{ name: 'filter', type: union(str, nul), optional: true }], returns: ref('Shape') },
    upload: { kind: 'client-stream', params: [{ name: 'chunks', type: { kind: 'bytes' }, optional: false }], returns: num },
    chat: { kind: 'bidi-stream', params: [{ name: 'lines', type: str, optional: false }, { name: 'room', type: str, optional: false }], returns: str },
    ping: { kind: 'oneway', params: [], returns: { kind: 'void' } },
  },
};

/** A service to check bytes against protoc's own encoder and decoder. */
const shop: ServiceSchema = {
  package: 'shop',
  service: 'Shop',
  shapes: {
    Status: { kind: 'enum', members: [{ name: 'Placed', value: 1 }, { name: 'Shipped', value: 2 }] },
    Line: object(prop('sku', str), prop('qty', num)),
    User: object(prop('name', str)),
    Order: object(
      prop('id', { kind: 'bigint' }),
      prop('placed', { kind: 'date' }),
      prop('lines', array(ref('Line'))),
      prop('tags', { kind: 'map', key: str, value: num }),
      prop('note', str, true),
      prop('status', ref('Status')),
      prop('owner', union(ref('User'), nul)),
    ),
  },
  methods: { place: { kind: 'unary', params: [prop('order', ref('Order')), prop('dryRun', { kind: 'boolean' }, true)], returns: str } },
};

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'conduit-emit-proto-'));
});
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

function protoc(file: string, text: string, extra: readonly string[] = [], input?: Uint8Array | string) {
  writeFileSync(join(dir, file), text);
  const run = spawnSync('protoc', [`--proto_path=${dir}`, ...extra, file], { cwd: dir, input, maxBuffer: 16 * 1024 * 1024 });
  if (run.error !== undefined) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr.toString('utf8') };
}

function compile(file: string, text: string) {
  return protoc(file, text, [`--descriptor_set_out=${join(dir, `${file}.pb`)}`]);
}

describe('emitProto', () => {
  it('prints a file protoc accepts for a schema with every kind of type', () => {
    const text = emitProto([everyKind], { source: 'src/every.ts', version: '1.2.3' });
    const result = compile('every.proto', text);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('is caught by protoc when broken (the negative control)', () => {
    const text = emitProto([everyKind], { source: 'src/every.ts', version: '1.2.3' });
    const broken = text.replace('double value = 1;', 'double value = 0;');
    expect(broken).not.toBe(text);
    const result = compile('broken.proto', broken);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/Field numbers must be positive integers/);
    expect(compile('garbage.proto', `${text}\nmessage {`).status).not.toBe(0);
  });

  it('opens with the generated header, syntax and package, and prints services before messages', () => {
    const lines = emitProto([shop], { source: 'services\\shop.ts', version: '9.9.9' }).split('\n');
    expect(lines.slice(0, 6)).toEqual(['// @generated by conduit 9.9.9 from services/shop.ts — do not edit', '', 'syntax = "proto3";', '', 'package shop;', '']);
    expect(lines.slice(6, 9)).toEqual(['service Shop {', '  rpc Place(ShopPlaceRequest) returns (ShopPlaceResponse);', '}']);
  });

  it('prints the messages and fields the codec uses', () => {
    const text = emitProto([shop], { source: 'shop.ts', version: '1.0.0' });
    expect(text).toContain(
      [
        'message Order {',
        '  sint64 id = 174583;',
        '  sint64 placed = 223903;',
        '  repeated Line lines = 133893;',
        '  map<string, double> tags = 176115;',
        '  optional string note = 70730;',
        '  Status status = 161624;',
        '  User owner = 24025;',
        '}',
      ].join('\n'),
    );
    expect(text).toContain(['enum Status {', '  STATUS_UNSPECIFIED = 0;', '  STATUS_PLACED = 1;', '  STATUS_SHIPPED = 2;', '}'].join('\n'));
    expect(text).toContain(['message ShopPlaceResponse {', '  string value = 1;', '}'].join('\n'));
    const every = emitProto([everyKind], { source: 'every.ts', version: '1.0.0' });
    expect(every).toContain('  rpc Watch(EveryWatchRequest) returns (stream EveryWatchResponse);');
    expect(every).toContain('  rpc Upload(stream EveryUploadRequest) returns (EveryUploadResponse);');
    expect(every).toContain('  rpc Chat(stream EveryChatRequest) returns (stream EveryChatResponse);');
    expect(every).toContain('  .every.kind.optional odd = ');
    expect(every).toContain(['message Shape {', '  oneof value {', '    Circle circle = 57062;', '    Square square = 234633;', '  }', '}'].join('\n'));
    expect(every).toContain(['enum Color {', '  option allow_alias = true;', '  COLOR_UNSPECIFIED = 0;', '  COLOR_RED = 1;', '  COLOR_GREEN = 2;', '  COLOR_CRIMSON = 1;', '}'].join('\n'));
    expect(every).toContain('message EveryPingResponse {}');
  });

  it('is deterministic, in a stable order', () => {
    const text = emitProto([everyKind], { source: 'every.ts', version: '1.0.0' });
    expect(emitProto([structuredClone(everyKind)], { source: 'every.ts', version: '1.0.0' })).toBe(text);
    const names = [...text.matchAll(/^(?:message|enum) (\S+)/gm)].map((match) => match[1] as string);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).not.toMatch(/\n\n\n/);
  });

  it('prints several services of one file in one package, with shared shapes once', () => {
    const other: ServiceSchema = { ...shop, service: 'Audit', methods: { log: { kind: 'unary', params: [prop('order', ref('Order'))], returns: { kind: 'void' } } } };
    const text = emitProto([shop, other], { source: 'shop.ts', version: '1.0.0' });
    expect(text.match(/^message Order \{/gm)).toHaveLength(1);
    expect(text).toContain('service Shop {');
    expect(text).toContain('service Audit {');
    expect(compile('two.proto', text).status).toBe(0);
    const conflicting: ServiceSchema = { ...other, shapes: { ...shop.shapes, Line: object(prop('sku', num)) } };
    expect(() => emitProto([shop, conflicting], { source: 'shop.ts', version: '1.0.0' })).toThrow(ProtoSchemaError);
    expect(() => emitProto([shop, { ...other, package: 'audit' }], { source: 'shop.ts', version: '1.0.0' })).toThrow(/different packages/);
  });

  it('prints a package-less file when the schema has no package', () => {
    const text = emitProto([{ ...shop, package: '' }], { source: 'shop.ts', version: '1.0.0' });
    expect(text).not.toContain('package ');
    expect(compile('nopkg.proto', text).status).toBe(0);
  });
});

describe('the .proto and the codec agree on the wire', () => {
  type Handlers = { place(order: unknown, dryRun: boolean | undefined, ctx: CallContext): string };
  const service = defineService<Handlers>({ name: 'Shop', methods: { place: { kind: 'unary', params: ['order', 'dryRun'] } }, schema: shop });
  const codec = protobufCodec.forMethod?.(service.methods.place);
  const order = {
    id: -(2n ** 63n),
    placed: new Date(1_700_000_000_123),
    lines: [{ sku: 'a', qty: 2 }, { sku: 'b', qty: 0.5 }],
    tags: new Map([['x', 1.5], ['y', -2]]),
    status: 2,
    owner: { name: 'Ada' },
  };
  const textFormat = `order {
  id: -9223372036854775808
  placed: 1700000000123
  lines { sku: "a" qty: 2 }
  lines { sku: "b" qty: 0.5 }
  tags { key: "x" value: 1.5 }
  tags { key: "y" value: -2 }
  status: STATUS_SHIPPED
  owner { name: "Ada" }
}
dryRun: true
`;

  it('decodes what protoc encodes', () => {
    const file = 'shop.proto';
    const encoded = protoc(file, emitProto([shop], { source: 'shop.ts', version: '1.0.0' }), ['--encode=shop.ShopPlaceRequest'], textFormat);
    expect(encoded.stderr).toBe('');
    expect(encoded.status).toBe(0);
    expect(codec?.args.decode(new Uint8Array(encoded.stdout))).toStrictEqual([order, true]);
    // Same value, same bytes: fields in number order, defaults left out, entries as written.
    expect(Buffer.from(codec?.args.encode([order, true]) as Uint8Array).equals(encoded.stdout)).toBe(true);
  });

  it('encodes what protoc decodes', () => {
    const bytes = codec?.args.encode([{ ...order, note: '', owner: null }]) as Uint8Array;
    const decoded = protoc('shop.proto', emitProto([shop], { source: 'shop.ts', version: '1.0.0' }), ['--decode=shop.ShopPlaceRequest'], bytes);
    expect(decoded.status).toBe(0);
    const text = decoded.stdout.toString('utf8');
    expect(text).toContain('id: -9223372036854775808');
    expect(text).toContain('placed: 1700000000123');
    expect(text).toContain('status: STATUS_SHIPPED');
    expect(text).toContain('note: ""');
    expect(text).not.toContain('owner');
    expect(text).not.toContain('dryRun');
  });
});
