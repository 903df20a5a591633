import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  derivedFieldNumber,
  fnv1a32,
  mapEntryName,
  protoDescriptor,
  ProtoSchemaError,
  REST_FIELD_NUMBER,
  type ProtoDescriptor,
} from './proto-descriptor.js';
import type { ServiceSchema, WireProperty, WireType } from './schema.js';

const num: WireType = { kind: 'number' };
const str: WireType = { kind: 'string' };
const prop = (name: string, type: WireType, extra: Partial<WireProperty> = {}): WireProperty => ({ name, type, optional: false, ...extra });

function service(shapes: ServiceSchema['shapes'], methods: ServiceSchema['methods'] = {}): ServiceSchema {
  return { package: 'shop.v1', service: 'Shop', shapes, methods };
}

/** The JSON of one top-level message or enum of the package. */
function typeJson(descriptor: ProtoDescriptor, name: string): protobuf.IType & protobuf.IEnum {
  const pkg = (descriptor.json.nested?.['shop'] as protobuf.INamespace).nested?.['v1'] as protobuf.INamespace;
  return pkg.nested?.[name] as protobuf.IType & protobuf.IEnum;
}

function ids(descriptor: ProtoDescriptor, name: string): Record<string, number> {
  return Object.fromEntries(Object.entries(typeJson(descriptor, name).fields).map(([field, spec]) => [field, spec.id]));
}

function caught(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('field numbers', () => {
  it('hashes names with FNV-1a (32 bits, UTF-8)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    expect(fnv1a32('é')).toBe(fnv1a32('\u00e9'));
  });

  it('derives the same numbers forever (they are on the wire)', () => {
    expect(['a', 'b', 'x', 'y', 'value', 'next'].map(derivedFieldNumber)).toEqual([10779, 205372, 58202, 254813, 1371, 107001]);
  });

  it('maps into 1..262142, skipping the reserved 19000–19999, exactly as documented', () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `p${i}`);
    const numbers = names.map(derivedFieldNumber);
    const expected = names.map((name) => {
      const n = (fnv1a32(name) % 261_142) + 1;
      return n >= 19_000 ? n + 1000 : n;
    });
    expect(numbers).toEqual(expected);
    expect(numbers.filter((n) => n < 1 || n >= REST_FIELD_NUMBER || (n >= 19_000 && n <= 19_999))).toEqual([]);
    expect(numbers.some((n) => n >= 20_000)).toBe(true);
  });

  it('keeps existing numbers when a property or a parameter is added', () => {
    const before = protoDescriptor(
      service({ Point: { kind: 'object', properties: [prop('x', num), prop('y', num)] } }, { move: { kind: 'unary', params: [{ name: 'to', type: num, optional: false }], returns: { kind: 'void' } } }),
    );
    const after = protoDescriptor(
      service(
        { Point: { kind: 'object', properties: [prop('label', str, { optional: true }), prop('x', num), prop('y', num), prop('z', num)] } },
        { move: { kind: 'unary', params: [{ name: 'from', type: num, optional: false }, { name: 'to', type: num, optional: false }, { name: 'speed', type: num, optional: true }], returns: { kind: 'void' } } },
      ),
    );
    expect(ids(after, 'Point')).toMatchObject(ids(before, 'Point'));
    expect(ids(after, 'ShopMoveRequest')).toMatchObject(ids(before, 'ShopMoveRequest'));
    expect(ids(before, 'Point')).toEqual({ x: 58202, y: 254813 });
  });

  it('reports two names with one number, naming the message, both fields and the fix', () => {
    expect(derivedFieldNumber('field388')).toBe(derivedFieldNumber('field2120'));
    const error = caught(() => protoDescriptor(service({ Wide: { kind: 'object', properties: [prop('field388', num), prop('field2120', str)] } })));
    expect(error).toBeInstanceOf(ProtoSchemaError);
    expect(error.message).toBe(
      "Wide: property 'field388' and property 'field2120' both have field number 118687; add a `@field N` JSDoc tag with a free number to one of them",
    );
  });

  it('reports colliding parameters against the request message', () => {
    const error = caught(() =>
      protoDescriptor(service({}, { put: { kind: 'unary', params: [{ name: 'field388', type: num, optional: false }, { name: 'field2120', type: num, optional: false }], returns: { kind: 'void' } } })),
    );
    expect(error.message).toMatch(/^ShopPutRequest \(the parameters of Shop\.put\): parameter 'field388' and parameter 'field2120' both have field number 118687; add a `@field N`/);
  });

  it('honours @field, which also resolves a collision, and checks it', () => {
    const fixed = protoDescriptor(service({ Wide: { kind: 'object', properties: [prop('field388', num), prop('field2120', str, { field: 7 })] } }));
    expect(ids(fixed, 'Wide')).toEqual({ field388: 118687, field2120: 7 });
    const params = protoDescriptor(service({}, { put: { kind: 'unary', params: [{ name: 'id', type: str, optional: false, field: 1 }], returns: { kind: 'void' } } }));
    expect(ids(params, 'ShopPutRequest')).toEqual({ id: 1 });
    expect(caught(() => protoDescriptor(service({ A: { kind: 'object', properties: [prop('a', num, { field: 19_500 })] } }))).message).toMatch(
      /A\.a: @field 19500 is not a usable protobuf field number/,
    );
    expect(caught(() => protoDescriptor(service({ A: { kind: 'object', properties: [prop('a', num, { field: 0 })] } })))).toBeInstanceOf(ProtoSchemaError);
    const explicitClash = caught(() => protoDescriptor(service({ A: { kind: 'object', properties: [prop('x', num), prop('b', num, { field: 58202 })] } })));
    expect(explicitClash.message).toMatch(/property 'x' and property 'b' both have field number 58202/);
  });

  it('keeps 262143 for the index signature map, after the listed properties', () => {
    const descriptor = protoDescriptor(service({ Bag: { kind: 'object', properties: [prop('name', str)], rest: num } }));
    expect(ids(descriptor, 'Bag')).toEqual({ name: derivedFieldNumber('name'), _rest: REST_FIELD_NUMBER });
    const clash = caught(() => protoDescriptor(service({ Bag: { kind: 'object', properties: [prop('name', str, { field: REST_FIELD_NUMBER })], rest: num } })));
    expect(clash.message).toMatch(/262143 is the index signature's; give property 'name' another @field/);
  });

  it('numbers tuple items, entries and boxes by position', () => {
    const descriptor = protoDescriptor(
      service({
        Pair: { kind: 'tuple', elements: [{ type: str, optional: false }, { type: num, optional: true }] },
        Grid: { kind: 'object', properties: [prop('rows', { kind: 'array', element: { kind: 'array', element: num } })] },
        ById: { kind: 'object', properties: [prop('byId', { kind: 'map', key: num, value: str })] },
      }),
    );
    expect(ids(descriptor, 'Pair')).toEqual({ item_0: 1, item_1: 2 });
    expect(ids(descriptor, 'Grid_rows_item')).toEqual({ value: 1 });
    expect(ids(descriptor, 'ById_byId_entry')).toEqual({ key: 1, value: 2 });
  });
});

describe('messages and names', () => {
  it('names requests, responses and rpcs after the service and method', () => {
    const descriptor = protoDescriptor(service({}, { getItem: { kind: 'unary', params: [{ name: 'id', type: str, optional: false }], returns: num }, ping: { kind: 'unary', params: [], returns: { kind: 'void' } } }));
    expect(descriptor.service).toBe('.shop.v1.Shop');
    expect(descriptor.methods['getItem']).toMatchObject({ rpc: 'GetItem', request: '.shop.v1.ShopGetItemRequest', response: '.shop.v1.ShopGetItemResponse' });
    expect(ids(descriptor, 'ShopGetItemResponse')).toEqual({ value: 1 });
    expect(ids(descriptor, 'ShopPingResponse')).toEqual({});
  });

  it('marks stream sides from the method kinds', () => {
    const methods: ServiceSchema['methods'] = {
      watch: { kind: 'server-stream', params: [], returns: num },
      upload: { kind: 'client-stream', params: [{ name: 'chunks', type: { kind: 'bytes' }, optional: false }], returns: num },
      chat: { kind: 'bidi-stream', params: [{ name: 'lines', type: str, optional: false }], returns: str },
    };
    const descriptor = protoDescriptor(service({}, methods));
    const shop = typeJson(descriptor, 'Shop') as unknown as protobuf.IService;
    expect(shop.methods['Watch']).toMatchObject({ responseStream: true });
    expect(shop.methods['Watch']?.requestStream).toBeUndefined();
    expect(shop.methods['Upload']).toMatchObject({ requestStream: true });
    expect(shop.methods['Chat']).toMatchObject({ requestStream: true, responseStream: true });
  });

  it('turns numeric enums into prefixed proto enums with a zero first', () => {
    const descriptor = protoDescriptor(
      service({
        Color: { kind: 'enum', members: [{ name: 'Red', value: 1 }, { name: 'darkGreen', value: 2 }] },
        Level: { kind: 'enum', members: [{ name: 'High', value: 2 }, { name: 'Off', value: 0 }, { name: 'Max', value: 2 }] },
        Mood: { kind: 'enum', members: [{ name: 'Happy', value: 'happy' }] },
      }),
    );
    expect(typeJson(descriptor, 'Color').values).toEqual({ COLOR_UNSPECIFIED: 0, COLOR_RED: 1, COLOR_DARK_GREEN: 2 });
    expect(Object.keys(typeJson(descriptor, 'Color').values)[0]).toBe('COLOR_UNSPECIFIED');
    expect(Object.entries(typeJson(descriptor, 'Level').values)).toEqual([
      ['LEVEL_OFF', 0],
      ['LEVEL_HIGH', 2],
      ['LEVEL_MAX', 2],
    ]);
    expect(typeJson(descriptor, 'Level').options).toEqual({ allow_alias: true });
    expect(typeJson(descriptor, 'Mood')).toBeUndefined(); // string enums are strings
  });

  it('derives names for anonymous types from their place, and uses shape names for shapes', () => {
    const descriptor = protoDescriptor(
      service(
        {
          Order: {
            kind: 'object',
            properties: [prop('lines', { kind: 'array', element: { kind: 'object', properties: [prop('sku', str), prop('qty', num)] } }), prop('note', { kind: 'union', members: [str, num] })],
          },
        },
        { place: { kind: 'unary', params: [{ name: 'order', type: { kind: 'ref', name: 'Order' }, optional: false }], returns: { kind: 'void' } } },
      ),
    );
    expect(typeJson(descriptor, 'Order').fields).toMatchObject({ lines: { rule: 'repeated', type: '.shop.v1.Order_lines_item' }, note: { type: '.shop.v1.Order_note' } });
    expect(typeJson(descriptor, 'Order_note').oneofs).toEqual({ value: { oneof: ['string', 'number'] } });
    expect(typeJson(descriptor, 'ShopPlaceRequest').fields['order']?.type).toBe('.shop.v1.Order');
  });

  it('keeps proto field names unique the way protoc wants (case and underscores ignored, entries, __proto__)', () => {
    const descriptor = protoDescriptor(
      service({
        Odd: {
          kind: 'object',
          properties: [prop('a_b', num), prop('aB', num), prop('content-type', str), prop('2x', num), prop('__proto__', num), prop('tags', { kind: 'map', key: str, value: num }), prop('TagsEntry', num)],
        },
      }),
    );
    const fields = Object.keys(typeJson(descriptor, 'Odd').fields);
    expect(fields).toEqual(['a_b', `aB_${derivedFieldNumber('aB')}`, 'content_type', '_2x', `__proto___${derivedFieldNumber('__proto__')}`, 'tags', `TagsEntry_${derivedFieldNumber('TagsEntry')}`]);
    expect(Object.keys(typeJson(descriptor, 'Odd').nested ?? {})).toEqual([mapEntryName('tags')]);
  });

  it('says when a shape takes a name the service needs', () => {
    const error = caught(() => protoDescriptor(service({ ShopGetRequest: { kind: 'object', properties: [] } }, { get: { kind: 'unary', params: [], returns: num } })));
    expect(error.message).toBe("shape ShopGetRequest and the request message of Shop.get would both be named ShopGetRequest in package 'shop.v1'");
  });

  it('refuses a type that contains itself with no message in between', () => {
    const error = caught(() => protoDescriptor(service({ Loop: { kind: 'array', element: { kind: 'ref', name: 'Loop' } }, Holder: { kind: 'object', properties: [prop('loop', { kind: 'ref', name: 'Loop' })] } })));
    expect(error).toBeInstanceOf(ProtoSchemaError);
    expect(error.message).toMatch(/type Loop contains itself/);
  });

  it('produces JSON that protobufjs loads and resolves, recursive shapes included', () => {
    const tree: WireType = { kind: 'object', properties: [prop('value', num), prop('children', { kind: 'array', element: { kind: 'ref', name: 'Tree' } })] };
    const json: WireType = {
      kind: 'union',
      members: [{ kind: 'null' }, { kind: 'boolean' }, num, str, { kind: 'array', element: { kind: 'ref', name: 'Json' } }, { kind: 'object', properties: [], rest: { kind: 'ref', name: 'Json' } }],
    };
    const descriptor = protoDescriptor(service({ Tree: tree, Json: json }, { plant: { kind: 'unary', params: [{ name: 'tree', type: { kind: 'ref', name: 'Tree' }, optional: false }], returns: { kind: 'ref', name: 'Json' } } }));
    const root = protobuf.Root.fromJSON(descriptor.json);
    expect(() => root.resolveAll()).not.toThrow();
    expect(root.lookupType('shop.v1.Tree').fields['children']?.resolvedType?.name).toBe('Tree');
    expect(Object.keys(root.lookupType('shop.v1.Json').fields)).toEqual(['boolean', 'number', 'string', 'array', 'record', 'null']);
  });

  it('is deterministic', () => {
    const schema = service({ B: { kind: 'object', properties: [prop('x', num)] }, A: { kind: 'object', properties: [prop('b', { kind: 'ref', name: 'B' })] } }, { m: { kind: 'unary', params: [], returns: { kind: 'ref', name: 'A' } } });
    expect(JSON.stringify(protoDescriptor(structuredClone(schema)).json)).toBe(JSON.stringify(protoDescriptor(schema).json));
  });
});
