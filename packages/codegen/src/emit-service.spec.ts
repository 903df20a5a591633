import { describe, expect, it } from 'vitest';
import { emitHandlers, emitServiceDefinition } from './emit-service.js';
import type { Service } from './model.js';

const num = { kind: 'number' } as const;
const str = { kind: 'string' } as const;

const service: Service = {
  name: 'Greeter',
  doc: 'Says hello.',
  methods: [
    {
      name: 'hello',
      doc: 'Greets.',
      kind: 'unary',
      params: [
        { name: 'name', text: 'string', type: str, optional: false },
        { name: 'ctx', text: 'number', type: num, optional: true },
      ],
      returns: { kind: 'union', members: [{ kind: 'null' }, str] },
      returnText: 'string | null',
      idempotent: true,
    },
    { name: 'wave', kind: 'oneway', params: [], returns: { kind: 'void' }, returnText: 'void', idempotent: false },
    { name: 'reset', kind: 'unary', params: [], returns: { kind: 'void' }, returnText: 'void', idempotent: true },
    {
      name: 'countdown',
      kind: 'server-stream',
      params: [{ name: 'from', text: 'number', type: num, optional: false }],
      returns: num,
      returnText: 'number',
      idempotent: false,
    },
    {
      name: 'total',
      kind: 'client-stream',
      params: [
        { name: 'label', text: 'Label', type: { kind: 'ref', name: 'Label' }, optional: true },
        { name: 'values', text: 'Page<User>', type: { kind: 'ref', name: 'Page_User' }, optional: false },
      ],
      streamParam: 1,
      returns: num,
      returnText: 'number',
      idempotent: false,
    },
    {
      name: 'echo',
      kind: 'bidi-stream',
      params: [{ name: 'lines', text: 'string', type: str, optional: false }],
      streamParam: 0,
      returns: { kind: 'array', element: str },
      returnText: 'string[]',
      idempotent: false,
    },
  ],
};

describe('emitHandlers', () => {
  it('appends the call context, renaming it past a parameter called ctx; optional parameters become T | undefined', () => {
    expect(emitHandlers(service)).toBe(
      [
        '/** Says hello. Implement this and pass it to `server.add(GreeterService, …)`. */',
        'export interface GreeterHandlers {',
        '  /** Greets. */',
        '  hello(name: string, ctx: number | undefined, ctx_: CallContext): Promise<string | null> | string | null;',
        '  wave(ctx: CallContext): Promise<void> | void;',
        '  reset(ctx: CallContext): Promise<void> | void;',
        '  countdown(from: number, ctx: CallContext): AsyncIterable<number>;',
        '  total(label: Label | undefined, values: AsyncIterable<Page<User>>, ctx: CallContext): Promise<number> | number;',
        '  echo(lines: AsyncIterable<string>, ctx: CallContext): AsyncIterable<string[]>;',
        '}',
      ].join('\n'),
    );
  });

  it('puts the usage note on its own paragraph after a multi-line doc, and alone without a doc', () => {
    const methods = [service.methods[1]!];
    expect(emitHandlers({ name: 'A', doc: 'One.\nTwo.', methods }).split('\n').slice(0, 6)).toEqual([
      '/**',
      ' * One.',
      ' * Two.',
      ' *',
      ' * Implement this and pass it to `server.add(AService, …)`.',
      ' */',
    ]);
    expect(emitHandlers({ name: 'A', methods }).split('\n')[0]).toBe('/** Implement this and pass it to `server.add(AService, …)`. */');
  });
});

describe('emitServiceDefinition', () => {
  const lines = [
    'export const GreeterService = defineService<GreeterHandlers>({',
    "  name: 'Greeter',",
    '  methods: {',
    "    hello: { kind: 'unary', params: ['name', 'ctx'], idempotent: true, validate: validateGreeterHello },",
    "    wave: { kind: 'oneway', params: [], validate: validateGreeterWave },",
    "    reset: { kind: 'unary', params: [], idempotent: true, validate: validateGreeterReset },",
    "    countdown: { kind: 'server-stream', params: ['from'], validate: validateGreeterCountdown },",
    "    total: { kind: 'client-stream', params: ['label', 'values'], streamParam: 1, validate: validateGreeterTotal, validateMessage: validateGreeterTotalMessage },",
    "    echo: { kind: 'bidi-stream', params: ['lines'], streamParam: 0, validate: validateGreeterEcho, validateMessage: validateGreeterEchoMessage },",
    '  },',
  ];

  it('lists each method with its kind, parameter names, stream parameter, idempotence and validators', () => {
    expect(emitServiceDefinition(service, false)).toBe([...lines, '});'].join('\n'));
  });

  it('refers to the schema constant when asked to', () => {
    expect(emitServiceDefinition(service, true)).toBe([...lines, '  schema: GreeterSchema,', '});'].join('\n'));
  });
});
