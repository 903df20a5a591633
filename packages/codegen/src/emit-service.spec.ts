import { describe, expect, it } from 'vitest';
import { emitHandlers, emitServiceDefinition } from './emit-service.js';
import type { Service } from './model.js';

const service: Service = {
  name: 'Greeter',
  doc: 'Says hello.',
  methods: [
    {
      name: 'hello',
      kind: 'unary',
      params: [
        { name: 'name', type: { kind: 'string' }, optional: false },
        { name: 'ctx', type: { kind: 'number' }, optional: true },
      ],
      returns: { kind: 'string' },
    },
    { name: 'wave', kind: 'oneway', params: [], returns: { kind: 'void' } },
  ],
};

describe('emitHandlers', () => {
  it('appends the call context, turns optional parameters into T | undefined, and allows sync results', () => {
    expect(emitHandlers(service)).toBe(
      [
        '/** Says hello. Implement this and pass it to `server.add(GreeterService, …)`. */',
        'export interface GreeterHandlers {',
        '  hello(name: string, ctx: number | undefined, ctx_: CallContext): Promise<string> | string;',
        '  wave(ctx: CallContext): Promise<void> | void;',
        '}',
      ].join('\n'),
    );
  });
});

describe('emitServiceDefinition', () => {
  it('lists each method with its kind, parameter names and validator', () => {
    expect(emitServiceDefinition(service)).toBe(
      [
        'export const GreeterService = defineService<GreeterHandlers>({',
        "  name: 'Greeter',",
        '  methods: {',
        "    hello: { kind: 'unary', params: ['name', 'ctx'], validate: validateGreeterHello },",
        "    wave: { kind: 'oneway', params: [], validate: validateGreeterWave },",
        '  },',
        '});',
      ].join('\n'),
    );
  });
});
