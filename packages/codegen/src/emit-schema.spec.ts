import { describe, expect, it } from 'vitest';
import { emitSchema, schemaName, serviceSchema } from './emit-schema.js';
import type { Service, ServiceFile, TypeRef } from './model.js';

const num = { kind: 'number' } as const;
const str = { kind: 'string' } as const;
const ref = (name: string): TypeRef => ({ kind: 'ref', name });

const point = { kind: 'object', properties: [{ name: 'x', type: num, optional: false, field: 1 }] } as const;
const tree = {
  kind: 'object',
  properties: [
    { name: 'value', type: ref('Point'), optional: false },
    { name: 'children', type: { kind: 'array', element: ref('Tree') }, optional: false },
  ],
} as const;

const draw: Service = {
  name: 'Draw',
  methods: [
    {
      name: 'plot',
      kind: 'client-stream',
      params: [
        { name: 'label', text: 'string', type: str, optional: true, field: 4 },
        { name: 'points', text: 'Point', type: ref('Point'), optional: false },
      ],
      streamParam: 1,
      returns: { kind: 'void' },
      returnText: 'void',
      idempotent: false,
    },
    { name: 'grow', kind: 'unary', params: [], returns: { kind: 'map', key: str, value: ref('Tree') }, returnText: 'Map<string, Tree>', idempotent: true },
  ],
};

const other: Service = {
  name: 'Other',
  methods: [{ name: 'color', kind: 'oneway', params: [{ name: 'c', text: 'Color', type: ref('Color'), optional: false }], returns: { kind: 'void' }, returnText: 'void', idempotent: false }],
};

const file: ServiceFile = {
  source: 'services/draw.ts',
  protoPackage: 'draw',
  declarations: [],
  shapes: [
    { name: 'Color', type: { kind: 'enum', members: [{ name: 'Red', value: 'red' }] }, display: 'Color' },
    { name: 'Point', type: point, display: 'Point' },
    { name: 'Tree', type: tree, display: 'Tree' },
  ],
  services: [draw, other],
};

describe('serviceSchema', () => {
  it('describes every method and only the shapes the service reaches, sorted, following references', () => {
    expect(serviceSchema(file, draw)).toEqual({
      package: 'draw',
      service: 'Draw',
      shapes: { Point: point, Tree: tree },
      methods: {
        plot: {
          kind: 'client-stream',
          params: [
            { name: 'label', type: str, optional: true, field: 4 },
            { name: 'points', type: ref('Point'), optional: false },
          ],
          returns: { kind: 'void' },
        },
        grow: { kind: 'unary', params: [], returns: { kind: 'map', key: str, value: ref('Tree') } },
      },
    });
    expect(Object.keys(serviceSchema(file, draw).shapes)).toEqual(['Point', 'Tree']);
    expect(serviceSchema(file, other).shapes).toEqual({ Color: { kind: 'enum', members: [{ name: 'Red', value: 'red' }] } });
  });

  it('leaves field out of parameters that have none', () => {
    const [, points] = serviceSchema(file, draw).methods['plot']?.params ?? [];
    expect(points !== undefined && 'field' in points).toBe(false);
  });
});

describe('emitSchema', () => {
  it('writes the schema as a typed constant of JSON', () => {
    expect(schemaName(other)).toBe('OtherSchema');
    expect(emitSchema(file, other)).toBe(
      [
        'const OtherSchema: ServiceSchema = {',
        '  "package": "draw",',
        '  "service": "Other",',
        '  "shapes": {',
        '    "Color": {',
        '      "kind": "enum",',
        '      "members": [',
        '        {',
        '          "name": "Red",',
        '          "value": "red"',
        '        }',
        '      ]',
        '    }',
        '  },',
        '  "methods": {',
        '    "color": {',
        '      "kind": "oneway",',
        '      "params": [',
        '        {',
        '          "name": "c",',
        '          "type": {',
        '            "kind": "ref",',
        '            "name": "Color"',
        '          },',
        '          "optional": false',
        '        }',
        '      ],',
        '      "returns": {',
        '        "kind": "void"',
        '      }',
        '    }',
        '  }',
        '};',
      ].join('\n'),
    );
  });

  it('round-trips through JSON', () => {
    const text = emitSchema(file, draw);
    const json = text.slice('const DrawSchema: ServiceSchema = '.length, -';'.length);
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(serviceSchema(file, draw))));
  });
});
