import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { emitValidators } from './emit-validators.js';
import type { ServiceFile } from './model.js';

type Validator = (args: readonly unknown[]) => string | undefined;
type MessageValidator = (message: unknown) => string | undefined;

const file: ServiceFile = {
  source: 'x.ts',
  dataTypes: [
    {
      kind: 'interface',
      name: 'Point',
      properties: [
        { name: 'x', type: { kind: 'number' }, optional: false, readonly: false },
        { name: 'label', type: { kind: 'string' }, optional: true, readonly: false },
      ],
    },
    {
      kind: 'interface',
      name: 'Tree',
      properties: [
        { name: 'value', type: { kind: 'nullable', inner: { kind: 'boolean' } }, optional: false, readonly: false },
        { name: 'children', type: { kind: 'array', element: { kind: 'ref', name: 'Tree' } }, optional: false, readonly: false },
      ],
    },
    { kind: 'alias', name: 'Unused', type: { kind: 'string' } },
  ],
  services: [
    {
      name: 'S',
      methods: [
        {
          name: 'add',
          kind: 'unary',
          params: [
            { name: 'a', type: { kind: 'number' }, optional: false },
            { name: 'b', type: { kind: 'number' }, optional: true },
          ],
          returns: { kind: 'number' },
        },
        {
          name: 'centroid',
          kind: 'unary',
          params: [{ name: 'points', type: { kind: 'array', element: { kind: 'ref', name: 'Point' } }, optional: false }],
          returns: { kind: 'void' },
        },
        { name: 'grow', kind: 'oneway', params: [{ name: 'tree', type: { kind: 'ref', name: 'Tree' }, optional: false }], returns: { kind: 'void' } },
        { name: 'none', kind: 'oneway', params: [], returns: { kind: 'void' } },
        {
          name: 'collect',
          kind: 'client-stream',
          params: [
            { name: 'label', type: { kind: 'string' }, optional: false },
            { name: 'points', type: { kind: 'ref', name: 'Point' }, optional: false },
            { name: 'limit', type: { kind: 'number' }, optional: true },
          ],
          streamParam: 1,
          returns: { kind: 'number' },
        },
        {
          name: 'sync',
          kind: 'bidi-stream',
          params: [
            {
              name: 'changes',
              type: {
                kind: 'object',
                properties: [
                  { name: 'content-type', type: { kind: 'string' }, optional: false, readonly: false },
                  { name: 'sizes', type: { kind: 'array', element: { kind: 'number' } }, optional: true, readonly: false },
                ],
              },
              optional: false,
            },
          ],
          streamParam: 0,
          returns: { kind: 'string' },
        },
        {
          name: 'plant',
          kind: 'client-stream',
          params: [{ name: 'trees', type: { kind: 'nullable', inner: { kind: 'ref', name: 'Tree' } }, optional: false }],
          streamParam: 0,
          returns: { kind: 'void' },
        },
        { name: 'count', kind: 'client-stream', params: [{ name: 'n', type: { kind: 'number' }, optional: false }], streamParam: 0, returns: { kind: 'void' } },
      ],
    },
  ],
};

/** Runs the emitted TypeScript for real, so these tests check behaviour rather than text. */
async function load(): Promise<Record<string, Validator & MessageValidator>> {
  const names = ['Add', 'Centroid', 'Grow', 'None', 'Collect', 'CollectMessage', 'SyncMessage', 'PlantMessage', 'CountMessage'];
  const source = `${emitValidators(file).join('\n\n')}\nexport { ${names.map((n) => `validateS${n}`).join(', ')} };\n`;
  const js = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
  return (await import(`data:text/javascript,${encodeURIComponent(js)}`)) as Record<string, Validator & MessageValidator>;
}

describe('emitted validators', async () => {
  const v = await load();
  const add = v['validateSAdd']!;
  const centroid = v['validateSCentroid']!;
  const grow = v['validateSGrow']!;
  const none = v['validateSNone']!;

  it('accept arguments that fit, including skipped optional ones and extra properties', () => {
    expect(add([1, 2])).toBeUndefined();
    expect(add([1])).toBeUndefined();
    expect(add([1, undefined])).toBeUndefined();
    expect(add([Number.NaN])).toBeUndefined();
    expect(centroid([[{ x: 1, extra: true }, { x: 2, label: 'b' }]])).toBeUndefined();
    expect(grow([{ value: null, children: [{ value: true, children: [] }] }])).toBeUndefined();
    expect(none([])).toBeUndefined();
  });

  it('name the path and what arrived', () => {
    expect(add([1, 'x'])).toBe('b: expected number, got string');
    expect(add([])).toBe('a: expected number, got undefined');
    expect(add([null])).toBe('a: expected number, got null');
    expect(add([1, 2, 3])).toBe('expected at most 2 arguments, got 3');
    expect(none([1])).toBe('expected no arguments, got 1');
    expect(centroid([{}])).toBe('points: expected array, got object');
    expect(centroid([[{ x: 1 }, { x: 2 }, { x: '3' }]])).toBe('points[2].x: expected number, got string');
    expect(centroid([[{ x: 1, label: 4 }]])).toBe('points[0].label: expected string, got number');
    expect(centroid([[{ y: 1 }]])).toBe("points[0]: missing property 'x'");
    expect(centroid([[[]]])).toBe('points[0]: expected Point, got array');
  });

  it('follow recursive types', () => {
    const tree = { value: true, children: [{ value: null, children: [{ value: 1, children: [] }] }] };
    expect(grow([tree])).toBe('tree.children[0].children[0].value: expected boolean or null, got number');
  });

  it('leave the stream parameter unchecked, and still check the others and the count', () => {
    const collect = v['validateSCollect']!;
    expect(collect(['a', undefined])).toBeUndefined();
    expect(collect(['a', undefined, 3])).toBeUndefined();
    expect(collect(['a'])).toBeUndefined();
    expect(collect([1, undefined])).toBe('label: expected string, got number');
    expect(collect(['a', undefined, 'x'])).toBe('limit: expected number, got string');
    expect(collect(['a', undefined, 3, 4])).toBe('expected at most 3 arguments, got 4');
  });

  it('check stream messages with paths relative to the message', () => {
    const points = v['validateSCollectMessage']!;
    const sync = v['validateSSyncMessage']!;
    const plant = v['validateSPlantMessage']!;
    const count = v['validateSCountMessage']!;
    expect(points({ x: 1, extra: 2 })).toBeUndefined();
    expect(points({ x: '1' })).toBe('x: expected number, got string');
    expect(points({ y: 1 })).toBe("missing property 'x'");
    expect(points(null)).toBe('expected Point, got null');
    expect(sync({ 'content-type': 'a', sizes: [1] })).toBeUndefined();
    expect(sync({ 'content-type': 1 })).toBe("['content-type']: expected string, got number");
    expect(sync({ 'content-type': 'a', sizes: [1, 'x'] })).toBe('sizes[1]: expected number, got string');
    expect(sync([])).toBe('expected object, got array');
    expect(plant(null)).toBeUndefined();
    expect(plant({ value: 1, children: [] })).toBe('value: expected boolean or null, got number');
    expect(plant({ value: true, children: [{ value: null, children: 'no' }] })).toBe('children[0].children: expected array, got string');
    expect(count(1)).toBeUndefined();
    expect(count('1')).toBe('expected number, got string');
    expect(count(undefined)).toBe('expected number, got undefined');
  });

  it('emit checkers only for types that parameters reach', () => {
    const text = emitValidators(file).join('\n');
    expect(text).toContain('function checkTree(value: unknown, path: string)');
    expect(text).not.toContain('checkUnused');
  });
});
