import { Project, ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { checkerName, emitValidators, messageValidatorName, validatorName } from './emit-validators.js';
import type { Method, Param, Service, ServiceFile, Shape, TypeRef } from './model.js';

type Validator = (args: readonly unknown[]) => string | undefined;
type MessageValidator = (message: unknown) => string | undefined;

const num = { kind: 'number' } as const;
const str = { kind: 'string' } as const;
const bool = { kind: 'boolean' } as const;
const nul = { kind: 'null' } as const;
const undef = { kind: 'undefined' } as const;
const ref = (name: string): TypeRef => ({ kind: 'ref', name });
const lit = (value: string | number | boolean): TypeRef => ({ kind: 'literal', value });
const prop = (name: string, type: TypeRef, optional = false) => ({ name, type, optional });
const obj = (...properties: ReturnType<typeof prop>[]): TypeRef => ({ kind: 'object', properties });
const shape = (name: string, type: TypeRef, display = name): Shape => ({ name, type, display });

/**
 * One service whose methods cover every kind of wire type, with the named shapes they use. The
 * validators emitted for it are transpiled and run, so the assertions are about behaviour.
 */
const shapes: Shape[] = [
  shape('Circle', obj(prop('kind', lit('circle')), prop('r', num))),
  shape('Color', { kind: 'enum', members: [{ name: 'Red', value: 'red' }, { name: 'Green', value: 'green' }] }),
  shape(
    'Json',
    {
      kind: 'union',
      members: [bool, nul, str, num, { kind: 'array', element: ref('Json') }, { kind: 'object', properties: [], rest: ref('Json') }],
    },
  ),
  shape('Level', { kind: 'enum', members: [{ name: 'Low', value: 0 }, { name: 'High', value: 5 }] }),
  shape('Page_Point', obj(prop('items', { kind: 'array', element: ref('Point') }), prop('next', { kind: 'union', members: [nul, str] })), 'Page<Point>'),
  shape('Point', obj(prop('x', num), prop('y', num), prop('label', str, true))),
  shape('Shape', { kind: 'union', members: [ref('Circle'), ref('Square')], discriminant: 'kind' }),
  shape('Square', obj(prop('kind', lit('square')), prop('side', num))),
  shape('Tree', obj(prop('value', { kind: 'union', members: [nul, bool] }), prop('children', { kind: 'array', element: ref('Tree') }))),
  shape('Unused', obj(prop('u', str))),
];

function p(name: string, type: TypeRef, optional = false): Param {
  return { name, text: '', type, optional };
}

function m(name: string, params: Param[], streamParam?: number): Method {
  const kind = streamParam === undefined ? 'unary' : 'client-stream';
  return { name, kind, params, streamParam, returns: { kind: 'void' }, returnText: 'void', idempotent: false };
}

const service: Service = {
  name: 'V',
  methods: [
    m('prims', [p('n', num), p('s', str), p('b', bool), p('big', { kind: 'bigint' }), p('nothing', nul), p('when', { kind: 'date' }), p('bytes', { kind: 'bytes' })]),
    m('add', [p('a', num), p('b', num, true)]),
    m('none', []),
    m('points', [p('points', { kind: 'array', element: ref('Point') })]),
    m('page', [p('page', ref('Page_Point'))]),
    m('shape', [p('shape', ref('Shape')), p('maybe', ref('Shape'), true)]),
    m('inline', [
      p('v', {
        kind: 'union',
        members: [nul, obj(prop('t', lit('a')), prop('a', num)), obj(prop('t', { kind: 'union', members: [lit('b'), lit('c')] }))],
        discriminant: 't',
      }),
    ]),
    m('quoted', [p('v', { kind: 'union', members: [obj(prop('my-tag', lit(1)), prop('x', num)), obj(prop('my-tag', lit(2)))], discriminant: 'my-tag' })]),
    m('map', [p('m', { kind: 'map', key: str, value: ref('Point') }), p('ids', { kind: 'map', key: num, value: str }, true)]),
    m('set', [p('s', { kind: 'set', element: { kind: 'bigint' } })]),
    m('tuple', [p('t', { kind: 'tuple', elements: [{ type: num, optional: false }, { type: str, optional: true }] }), p('pair', { kind: 'tuple', elements: [{ type: num, optional: false }, { type: ref('Point'), optional: false }] }, true)]),
    m('enums', [p('c', ref('Color')), p('level', ref('Level')), p('inline', { kind: 'enum', members: [{ name: 'A', value: 'a' }] }, true)]),
    m('literals', [p('v', { kind: 'union', members: [lit('a'), lit("it's"), lit(1), lit(true)] })]),
    m('records', [p('r', { kind: 'object', properties: [], rest: num }), p('o', { kind: 'object', properties: [prop('id', str)], rest: { kind: 'array', element: num } }, true)]),
    m('extras', [p('point', ref('Point'))]),
    m('undefinedable', [p('s', { kind: 'union', members: [undef, str] }), p('o', obj(prop('x', { kind: 'union', members: [undef, num] }), prop('y', ref('Point'), true)))]),
    m('recursive', [p('tree', ref('Tree')), p('json', ref('Json'), true)]),
    m('unchecked', [p('u', { kind: 'unknown' }), p('o', obj(prop('a', { kind: 'unknown' }), prop('b', num))), p('r', { kind: 'object', properties: [], rest: { kind: 'unknown' } }, true)]),
    m('keys', [p('h', obj(prop('content-type', str), prop('sizes', { kind: 'array', element: num }, true)))]),
    m('mixed', [
      p('v', { kind: 'union', members: [nul, str, num, { kind: 'array', element: str }, obj(prop('a', num))] }),
      p('when', { kind: 'union', members: [nul, { kind: 'date' }] }, true),
      p('sets', { kind: 'union', members: [{ kind: 'set', element: num }, { kind: 'map', key: str, value: str }, { kind: 'bytes' }] }, true),
    ]),
    m('collect', [p('label', str), p('points', ref('Point')), p('limit', num, true)], 1),
    m('sync', [p('changes', obj(prop('content-type', str), prop('sizes', { kind: 'array', element: num }, true)))], 0),
    m('plant', [p('trees', { kind: 'union', members: [nul, ref('Tree')] })], 0),
    m('count', [p('n', num)], 0),
    m('shapes', [p('s', ref('Shape'))], 0),
    m('maps', [p('m', { kind: 'map', key: str, value: num })], 0),
    m('sets', [p('s', { kind: 'set', element: num })], 0),
    m('tuples', [p('t', { kind: 'tuple', elements: [{ type: num, optional: false }, { type: num, optional: false }] })], 0),
    m('entries', [p('r', { kind: 'object', properties: [], rest: num })], 0),
  ],
};

const file: ServiceFile = { source: 'v.ts', protoPackage: 'v', declarations: [], shapes, services: [service] };


/** Every validator the model gets, by name: one per method, and a message validator per stream method. */
function validatorNames(model: ServiceFile): string[] {
  return model.services.flatMap((s) => s.methods.flatMap((method) => [validatorName(s, method), ...(method.streamParam === undefined ? [] : [messageValidatorName(s, method)])]));
}

/** Runs the emitted TypeScript for real, so these tests check behaviour rather than text. */
function load(model: ServiceFile): Record<string, Validator & MessageValidator> {
  const js = ts.transpileModule(emitValidators(model).join('\n\n'), { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
  // The validators are plain function declarations: evaluate them and hand them back by name.
  return new Function(`${js}\nreturn { ${validatorNames(model).join(', ')} };`)() as Record<string, Validator & MessageValidator>;
}

/** Type errors in the emitted code, compiled alone with strict settings like a user's project. */
function typeErrors(model: ServiceFile, noUnusedLocals: boolean): string[] {
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: { strict: true, noUncheckedIndexedAccess: true, noUnusedLocals, target: ts.ScriptTarget.ES2022, lib: ['lib.es2023.d.ts'] },
  });
  // Exported, so that the validators themselves are not unused locals.
  project.createSourceFile('v.ts', `${emitValidators(model).join('\n\n')}\n\nexport const all = [${validatorNames(model).join(', ')}];\n`);
  return project.getPreEmitDiagnostics().map((d) => `${d.getLineNumber() ?? 0}: ${ts.flattenDiagnosticMessageText(d.getMessageText() as string | ts.DiagnosticMessageChain, '\n')}`);
}

const v = load(file);
function validator(method: string): Validator {
  const fn = v[`validateV${method.charAt(0).toUpperCase()}${method.slice(1)}`];
  if (fn === undefined) throw new Error(`no validator for ${method}`);
  return fn;
}
function messages(method: string): MessageValidator {
  const fn = v[`validateV${method.charAt(0).toUpperCase()}${method.slice(1)}Message`];
  if (fn === undefined) throw new Error(`no message validator for ${method}`);
  return fn;
}

describe('emitted validators: arguments', () => {
  it('check primitives by typeof, null by identity, Date and Uint8Array by class', () => {
    const prims = validator('prims');
    const good = [1, 's', false, 1n, null, new Date(0), new Uint8Array(2)];
    expect(prims(good)).toBeUndefined();
    expect(prims([Number.NaN, '', true, 0n, null, new Date(0), Buffer.from('x')])).toBeUndefined();
    const bad = (i: number, value: unknown) => prims(good.map((g, j) => (j === i ? value : g)));
    expect(bad(0, '1')).toBe('n: expected number, got string');
    expect(bad(0, 1n)).toBe('n: expected number, got bigint');
    expect(bad(1, null)).toBe('s: expected string, got null');
    expect(bad(2, 0)).toBe('b: expected boolean, got number');
    expect(bad(3, 1)).toBe('big: expected bigint, got number');
    expect(bad(4, undefined)).toBe('nothing: expected null, got undefined');
    expect(bad(5, new Date(Number.NaN))).toBe('when: expected Date, got invalid Date');
    expect(bad(5, '2020-01-01')).toBe('when: expected Date, got string');
    expect(bad(6, [1, 2])).toBe('bytes: expected Uint8Array, got array');
    expect(bad(6, new ArrayBuffer(2))).toBe('bytes: expected Uint8Array, got object');
  });

  it('count arguments, allowing optional ones to be missing or undefined', () => {
    const add = validator('add');
    expect(add([1, 2])).toBeUndefined();
    expect(add([1])).toBeUndefined();
    expect(add([1, undefined])).toBeUndefined();
    expect(add([1, 'x'])).toBe('b: expected number, got string');
    expect(add([1, null])).toBe('b: expected number, got null');
    expect(add([])).toBe('a: expected number, got undefined');
    expect(add([1, 2, 3])).toBe('expected at most 2 arguments, got 3');
    expect(validator('none')([])).toBeUndefined();
    expect(validator('none')([1])).toBe('expected no arguments, got 1');
    expect(validator('page')([{ items: [], next: null }, 2])).toBe('expected at most 1 argument, got 2');
  });

  it('check arrays and named objects element by element, with the path to the culprit', () => {
    const points = validator('points');
    expect(points([[{ x: 1, y: 2 }, { x: 3, y: 4, label: 'b' }]])).toBeUndefined();
    expect(points([[]])).toBeUndefined();
    expect(points([{}])).toBe('points: expected array, got object');
    expect(points([[{ x: 1, y: 2 }, { x: 2, y: 2 }, { x: 'x', y: 2 }]])).toBe('points[2].x: expected number, got string');
    expect(points([[{ x: 1, y: 2, label: 4 }]])).toBe('points[0].label: expected string, got number');
    expect(points([[{ y: 1 }]])).toBe("points[0]: missing property 'x'");
    expect(points([[[]]])).toBe('points[0]: expected Point, got array');
    expect(points([[null]])).toBe('points[0]: expected Point, got null');
  });

  it('name generic instances as written', () => {
    const page = validator('page');
    expect(page([{ items: [{ x: 1, y: 1 }], next: 'n' }])).toBeUndefined();
    expect(page(['p'])).toBe('page: expected Page<Point>, got string');
    expect(page([{ items: [{ x: 1, y: '1' }], next: null }])).toBe('page.items[0].y: expected number, got string');
    expect(page([{ items: [] }])).toBe("page: missing property 'next'");
    expect(page([{ items: [], next: 1 }])).toBe('page.next: expected null or string, got number');
  });

  it('pick the member of a discriminated union by its discriminant, then check it whole', () => {
    const shape = validator('shape');
    expect(shape([{ kind: 'circle', r: 1 }])).toBeUndefined();
    expect(shape([{ kind: 'square', side: 2 }, { kind: 'circle', r: 1 }])).toBeUndefined();
    expect(shape([{ kind: 'triangle' }])).toBe("shape.kind: expected 'circle' or 'square', got string");
    expect(shape([{ r: 1 }])).toBe("shape.kind: expected 'circle' or 'square', got undefined");
    expect(shape([{ kind: 'circle', side: 1 }])).toBe("shape: missing property 'r'");
    expect(shape([{ kind: 'square', side: '1' }])).toBe('shape.side: expected number, got string');
    expect(shape([[]])).toBe('shape: expected Circle or Square, got array');
    expect(shape([{ kind: 'circle', r: 1 }, { kind: 'square' }])).toBe("maybe: missing property 'side'");
  });

  it('check inline discriminated unions, with null and a member of several tags', () => {
    const inline = validator('inline');
    expect(inline([null])).toBeUndefined();
    expect(inline([{ t: 'a', a: 1 }])).toBeUndefined();
    expect(inline([{ t: 'c' }])).toBeUndefined();
    expect(inline([{ t: 'a' }])).toBe("v: missing property 'a'");
    expect(inline([{ t: 'd' }])).toBe("v.t: expected 'a' or 'b' or 'c', got string");
    expect(inline([1])).toBe('v: expected null or object, got number');
    expect(inline([undefined])).toBe('v: expected null or object, got undefined');
    const quoted = validator('quoted');
    expect(quoted([{ 'my-tag': 2 }])).toBeUndefined();
    expect(quoted([{ 'my-tag': 1 }])).toBe("v: missing property 'x'");
    expect(quoted([{ 'my-tag': '1' }])).toBe('v["my-tag"]: expected 1 or 2, got string');
  });

  it('check Map keys and values and Set elements', () => {
    const map = validator('map');
    expect(map([new Map([['a', { x: 1, y: 1 }]]), new Map([[1, 'one']])])).toBeUndefined();
    expect(map([new Map()])).toBeUndefined();
    expect(map([{ a: { x: 1, y: 1 } }])).toBe('m: expected Map, got object');
    expect(map([new Map([[1, { x: 1, y: 1 }]])])).toBe('m[1]: expected string, got number');
    expect(map([new Map([['a', { x: 1 }]])])).toBe('m["a"]: missing property \'y\'');
    expect(map([new Map([['a', { x: 1, y: 'y' }]])])).toBe('m["a"].y: expected number, got string');
    expect(map([new Map(), new Map([['1', 'one']])])).toBe('ids["1"]: expected number, got string');
    expect(map([new Map(), new Map([[1, 1]])])).toBe('ids[1]: expected string, got number');
    const set = validator('set');
    expect(set([new Set([1n, 2n])])).toBeUndefined();
    expect(set([[1n]])).toBe('s: expected Set, got array');
    expect(set([new Set([1n, 2])])).toBe('s[1]: expected bigint, got number');
  });

  it('check tuple length and each element, optional elements included', () => {
    const tuple = validator('tuple');
    expect(tuple([[1, 'a']])).toBeUndefined();
    expect(tuple([[1]])).toBeUndefined();
    expect(tuple([[1, undefined], [2, { x: 1, y: 1 }]])).toBeUndefined();
    expect(tuple([[]])).toBe('t: expected 1 to 2 elements, got 0');
    expect(tuple([[1, 'a', 2]])).toBe('t: expected 1 to 2 elements, got 3');
    expect(tuple([[1, 2]])).toBe('t[1]: expected string, got number');
    expect(tuple([{ 0: 1 }])).toBe('t: expected tuple of 2, got object');
    expect(tuple([[1], [1]])).toBe('pair: expected 2 elements, got 1');
    expect(tuple([[1], [1, 2, 3]])).toBe('pair: expected 2 elements, got 3');
    expect(tuple([[1], [1, {}]])).toBe("pair[1]: missing property 'x'");
  });

  it('check enum values, string and numeric', () => {
    const enums = validator('enums');
    expect(enums(['red', 5])).toBeUndefined();
    expect(enums(['green', 0, 'a'])).toBeUndefined();
    expect(enums(['Red', 0])).toBe("c: expected Color ('red' or 'green'), got string");
    expect(enums(['red', 1])).toBe('level: expected Level (0 or 5), got number');
    expect(enums(['red', '0'])).toBe('level: expected Level (0 or 5), got string');
    expect(enums(['red', 0, 'b'])).toBe("inline: expected 'a', got string");
  });

  it('check literal unions by value', () => {
    const literals = validator('literals');
    for (const value of ['a', "it's", 1, true]) expect(literals([value])).toBeUndefined();
    expect(literals(['b'])).toBe("v: expected 'a' or 'it\\'s' or 1 or true, got string");
    expect(literals([false])).toBe("v: expected 'a' or 'it\\'s' or 1 or true, got boolean");
    expect(literals([2])).toBe("v: expected 'a' or 'it\\'s' or 1 or true, got number");
  });

  it('check every extra property against an index signature', () => {
    const records = validator('records');
    expect(records([{}])).toBeUndefined();
    expect(records([{ a: 1, b: 2 }, { id: 'x', list: [1, 2] }])).toBeUndefined();
    expect(records([{ a: 1, b: 'two' }])).toBe('r["b"]: expected number, got string');
    expect(records([[]])).toBe('r: expected object, got array');
    expect(records([{}, { list: [] }])).toBe("o: missing property 'id'");
    expect(records([{}, { id: 'x', list: [1, 'x'] }])).toBe('o["list"][1]: expected number, got string');
    expect(records([{}, { id: 'x', other: 3 }])).toBe('o["other"]: expected array, got number');
  });

  it('ignore unknown extra properties without an index signature', () => {
    expect(validator('extras')([{ x: 1, y: 2, z: 'extra', nested: { deep: true } }])).toBeUndefined();
  });

  it('tell optional from missing, and accept undefined where the type says T | undefined', () => {
    const undefinedable = validator('undefinedable');
    expect(undefinedable([undefined, { x: undefined }])).toBeUndefined();
    expect(undefinedable(['s', {}])).toBeUndefined();
    expect(undefinedable([undefined, { x: 1, y: { x: 1, y: 1 } }])).toBeUndefined();
    expect(undefinedable([undefined, { y: undefined }])).toBeUndefined();
    expect(undefinedable([1, {}])).toBe('s: expected undefined or string, got number');
    expect(undefinedable([undefined, { x: 'x' }])).toBe('o.x: expected undefined or number, got string');
    expect(undefinedable([undefined, { y: null }])).toBe('o.y: expected Point, got null');
    expect(undefinedable([undefined])).toBe('o: expected object, got undefined');
  });

  it('follow recursive shapes', () => {
    const recursive = validator('recursive');
    const tree = { value: true, children: [{ value: null, children: [{ value: false, children: [] }] }] };
    expect(recursive([tree, { a: [1, 'b', null, true, { c: {} }] }])).toBeUndefined();
    expect(recursive([{ value: true, children: [{ value: null, children: [{ value: 1, children: [] }] }] }])).toBe(
      'tree.children[0].children[0].value: expected null or boolean, got number',
    );
    expect(recursive([{ value: true, children: [{ value: null }] }])).toBe("tree.children[0]: missing property 'children'");
    expect(recursive([tree, { a: [1, { b: [undefined] }] }])).toBe(
      'json["a"][1]["b"][0]: expected boolean or null or string or number or array or object, got undefined',
    );
    expect(recursive([tree, 1n])).toBe('json: expected boolean or null or string or number or array or object, got bigint');
  });

  it('skip unknown values, and unknown index signatures, entirely', () => {
    const unchecked = validator('unchecked');
    expect(unchecked([undefined, { b: 1 }])).toBeUndefined();
    expect(unchecked([Symbol('s'), { a: () => 1, b: 1 }, { anything: Symbol('x') }])).toBeUndefined();
    expect(unchecked([1, { a: 1 }])).toBe("o: missing property 'b'");
    expect(unchecked([1, { b: 1 }, 3])).toBe('r: expected object, got number');
  });

  it('quote property names that are not identifiers', () => {
    const keys = validator('keys');
    expect(keys([{ 'content-type': 'a', sizes: [1] }])).toBeUndefined();
    expect(keys([{ 'content-type': 1 }])).toBe('h["content-type"]: expected string, got number');
    expect(keys([{}])).toBe("h: missing property 'content-type'");
  });

  it('pick the member of a mixed union by typeof and class', () => {
    const mixed = validator('mixed');
    for (const value of [null, 's', 1, ['a'], { a: 1 }]) expect(mixed([value])).toBeUndefined();
    expect(mixed([null, null, new Set([1])])).toBeUndefined();
    expect(mixed([null, new Date(1), new Map([['a', 'b']])])).toBeUndefined();
    expect(mixed([null, undefined, new Uint8Array(1)])).toBeUndefined();
    expect(mixed([true])).toBe('v: expected null or string or number or array or object, got boolean');
    expect(mixed([['a', 1]])).toBe('v[1]: expected string, got number');
    expect(mixed([{ a: 'a' }])).toBe('v.a: expected number, got string');
    expect(mixed([null, new Date(Number.NaN)])).toBe('when: expected null or Date, got invalid Date');
    expect(mixed([null, null, new Set(['1'])])).toBe('sets[0]: expected number, got string');
    expect(mixed([null, null, new Map([['a', 1]])])).toBe('sets["a"]: expected string, got number');
    expect(mixed([null, null, []])).toBe('sets: expected Set or Map or Uint8Array, got array');
  });

  it('leave the stream parameter unchecked, and still check the others and the count', () => {
    const collect = validator('collect');
    expect(collect(['a', undefined])).toBeUndefined();
    expect(collect(['a', 'not checked here', 3])).toBeUndefined();
    expect(collect(['a'])).toBeUndefined();
    expect(collect([1, undefined])).toBe('label: expected string, got number');
    expect(collect(['a', undefined, 'x'])).toBe('limit: expected number, got string');
    expect(collect(['a', undefined, 3, 4])).toBe('expected at most 3 arguments, got 4');
  });
});

describe('emitted validators: stream messages', () => {
  it('root paths at the message: named objects', () => {
    const collect = messages('collect');
    expect(collect({ x: 1, y: 2, extra: 2 })).toBeUndefined();
    expect(collect({ x: '1', y: 2 })).toBe('x: expected number, got string');
    expect(collect({ y: 1 })).toBe("missing property 'x'");
    expect(collect(null)).toBe('expected Point, got null');
  });

  it('root paths at the message: inline objects with quoted keys', () => {
    const sync = messages('sync');
    expect(sync({ 'content-type': 'a', sizes: [1] })).toBeUndefined();
    expect(sync({ 'content-type': 1 })).toBe('["content-type"]: expected string, got number');
    expect(sync({ 'content-type': 'a', sizes: [1, 'x'] })).toBe('sizes[1]: expected number, got string');
    expect(sync({})).toBe("missing property 'content-type'");
    expect(sync([])).toBe('expected object, got array');
  });

  it('root paths at the message: unions, recursion, primitives', () => {
    const plant = messages('plant');
    expect(plant(null)).toBeUndefined();
    expect(plant({ value: 1, children: [] })).toBe('value: expected null or boolean, got number');
    expect(plant({ value: true, children: [{ value: null, children: 'no' }] })).toBe('children[0].children: expected array, got string');
    expect(plant('tree')).toBe('expected null or Tree, got string');
    const count = messages('count');
    expect(count(1)).toBeUndefined();
    expect(count('1')).toBe('expected number, got string');
    expect(count(undefined)).toBe('expected number, got undefined');
    const shapes = messages('shapes');
    expect(shapes({ kind: 'circle', r: 1 })).toBeUndefined();
    expect(shapes({ kind: 'hexagon' })).toBe("kind: expected 'circle' or 'square', got string");
    expect(shapes({ kind: 'square' })).toBe("missing property 'side'");
    expect(shapes(7)).toBe('expected Circle or Square, got number');
  });

  it('root paths at the message: tuples and index signatures', () => {
    const tuples = messages('tuples');
    expect(tuples([1, 2])).toBeUndefined();
    expect(tuples([1])).toBe('expected 2 elements, got 1');
    expect(tuples([1, '2'])).toBe('[1]: expected number, got string');
    const entries = messages('entries');
    expect(entries({ a: 1 })).toBeUndefined();
    expect(entries({ a: 'x' })).toBe('["a"]: expected number, got string');
  });

  it('reject the wrong collection at the message root', () => {
    expect(messages('maps')(new Map([['a', 1]]))).toBeUndefined();
    expect(messages('maps')({})).toBe('expected Map, got object');
    expect(messages('sets')(new Set([1]))).toBeUndefined();
    expect(messages('sets')([1])).toBe('expected Set, got array');
  });

  it('name Map entries and Set elements at the message root as [key] and [index]', () => {
    expect(messages('maps')(new Map([[1, 1]]))).toBe('[1]: expected string, got number');
    expect(messages('maps')(new Map([['a', 'b']]))).toBe('["a"]: expected number, got string');
    expect(messages('sets')(new Set([2, '1']))).toBe('[1]: expected number, got string');
  });
});

describe('emitValidators', () => {
  const text = emitValidators(file).join('\n\n');

  it('emits one checker per named data type the parameters reach, none for enums or unused types', () => {
    const checkers = [...text.matchAll(/^function (check\w+)\(value: unknown, path: string\): string \| undefined \{$/gm)].map((match) => match[1]);
    expect(checkers).toEqual(['checkCircle', 'checkJson', 'checkPage_Point', 'checkPoint', 'checkShape', 'checkSquare', 'checkTree']);
    expect(checkerName('Unused')).toBe('checkUnused');
    expect(text).not.toContain('checkUnused');
    expect(text).not.toContain('checkColor');
  });

  it('emits a validator per method and a message validator per stream method, in order', () => {
    const validators = [...text.matchAll(/^function (validate\w+)\(/gm)].map((match) => match[1]);
    expect(validators).toEqual(validatorNames(file));
    expect(validatorName(service, service.methods[0]!)).toBe('validateVPrims');
    expect(messageValidatorName(service, service.methods.find((method) => method.name === 'collect')!)).toBe('validateVCollectMessage');
  });

  it('leaves out the typeName helper when no check needs it', () => {
    const bare: ServiceFile = { ...file, shapes: [], services: [{ name: 'B', methods: [m('none', []), m('rest', [p('u', { kind: 'unknown' })])] }] };
    expect(emitValidators(bare).join('\n')).not.toContain('typeName');
    expect(text.startsWith('function typeName(value: unknown): string {')).toBe(true);
  });

  it('compiles under strict settings', () => {
    expect(typeErrors(file, false)).toEqual([]);
  });

  // BUG (emit-validators.ts, #object): an object whose properties are all `unknown` (an `@unchecked`
  // interface, `{ a: unknown }`) or whose only content is an `unknown` index signature
  // (`Record<string, unknown>` under `@unchecked`) still declares `const o1 = value as Record<…>`
  // but never reads it, so the generated file fails to compile with noUnusedLocals
  // ("'o1' is declared but its value is never read.").
  it('compiles with noUnusedLocals when an object has only unknown properties or an unknown index signature', () => {
    const loose: ServiceFile = {
      ...file,
      shapes: [shape('Loose', obj(prop('a', { kind: 'unknown' })))],
      services: [{ name: 'L', methods: [m('take', [p('loose', ref('Loose')), p('bag', { kind: 'object', properties: [], rest: { kind: 'unknown' } })])] }],
    };
    expect(typeErrors(loose, true)).toEqual([]);
  });
});
