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
    { name: 'countdown', kind: 'server-stream', params: [{ name: 'from', type: { kind: 'number' }, optional: false }], returns: { kind: 'number' } },
    {
      name: 'total',
      kind: 'client-stream',
      params: [
        { name: 'label', type: { kind: 'string' }, optional: true },
        { name: 'values', type: { kind: 'number' }, optional: false },
      ],
      streamParam: 1,
      returns: { kind: 'number' },
    },
    { name: 'echo', kind: 'bidi-stream', params: [{ name: 'lines', type: { kind: 'string' }, optional: false }], streamParam: 0, returns: { kind: 'string' } },
  ],
};

describe('emitHandlers', () => {
  it('appends the call context, turns optional parameters into T | undefined, and allows sync results except streams', () => {
    expect(emitHandlers(service)).toBe(
      [
        '/** Says hello. Implement this and pass it to `server.add(GreeterService, …)`. */',
        'export interface GreeterHandlers {',
        '  hello(name: string, ctx: number | undefined, ctx_: CallContext): Promise<string> | string;',
        '  wave(ctx: CallContext): Promise<void> | void;',
        '  countdown(from: number, ctx: CallContext): AsyncIterable<number>;',
        '  total(label: string | undefined, values: AsyncIterable<number>, ctx: CallContext): Promise<number> | number;',
        '  echo(lines: AsyncIterable<string>, ctx: CallContext): AsyncIterable<string>;',
        '}',
      ].join('\n'),
    );
  });
});

describe('emitServiceDefinition', () => {
  it('lists each method with its kind, parameter names, stream parameter and validators', () => {
    expect(emitServiceDefinition(service)).toBe(
      [
        'export const GreeterService = defineService<GreeterHandlers>({',
        "  name: 'Greeter',",
        '  methods: {',
        "    hello: { kind: 'unary', params: ['name', 'ctx'], validate: validateGreeterHello },",
        "    wave: { kind: 'oneway', params: [], validate: validateGreeterWave },",
        "    countdown: { kind: 'server-stream', params: ['from'], validate: validateGreeterCountdown },",
        "    total: { kind: 'client-stream', params: ['label', 'values'], streamParam: 1, validate: validateGreeterTotal, validateMessage: validateGreeterTotalMessage },",
        "    echo: { kind: 'bidi-stream', params: ['lines'], streamParam: 0, validate: validateGreeterEcho, validateMessage: validateGreeterEchoMessage },",
        '  },',
        '});',
      ].join('\n'),
    );
  });
});
