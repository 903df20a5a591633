import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { emitValidators } from './emit-validators.js';
import type { ServiceFile } from './model.js';

type Validator = (args: readonly unknown[]) => string | undefined;

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
      ],
    },
  ],
};

/** Runs the emitted TypeScript for real, so these tests check behaviour rather than text. */
async function load(): Promise<Record<string, Validator>> {
  const source = `${emitValidators(file).join('\n\n')}\nexport { validateSAdd, validateSCentroid, validateSGrow, validateSNone };\n`;
  const js = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
  return (await import(`data:text/javascript,${encodeURIComponent(js)}`)) as Record<string, Validator>;
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

  it('emit checkers only for types that parameters reach', () => {
    const text = emitValidators(file).join('\n');
    expect(text).toContain('function checkTree(value: unknown, path: string)');
    expect(text).not.toContain('checkUnused');
  });
});
