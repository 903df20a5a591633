import { describe, expect, it } from 'vitest';
import { emitClient } from './emit-client.js';
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
      params: [{ name: 'name', text: 'string', type: str, optional: true }],
      returns: { kind: 'union', members: [{ kind: 'null' }, str] },
      returnText: 'string | null',
      idempotent: true,
    },
    { name: 'wave', kind: 'oneway', params: [{ name: 'options', text: 'number', type: num, optional: false }], returns: { kind: 'void' }, returnText: 'void', idempotent: false },
    { name: 'reset', kind: 'unary', params: [], returns: { kind: 'void' }, returnText: 'void', idempotent: false },
    {
      name: 'users',
      kind: 'server-stream',
      params: [{ name: 'query', text: '{\n  name: string;\n}', type: { kind: 'object', properties: [{ name: 'name', type: str, optional: false }] }, optional: false }],
      returns: { kind: 'ref', name: 'Page_User' },
      returnText: 'Page<User>',
      idempotent: false,
    },
    {
      name: 'total',
      kind: 'client-stream',
      params: [
        { name: 'values', text: 'number', type: num, optional: false },
        { name: 'scale', text: 'number', type: num, optional: true },
      ],
      streamParam: 0,
      returns: { kind: 'void' },
      returnText: 'void',
      idempotent: false,
    },
    {
      name: 'echo',
      kind: 'bidi-stream',
      params: [{ name: 'lines', text: 'string', type: str, optional: false }],
      streamParam: 0,
      returns: str,
      returnText: 'string',
      idempotent: false,
    },
  ],
};

describe('emitClient', () => {
  it('implements the service over a channel, with call options last and the channel call for each kind', () => {
    expect(emitClient(service)).toBe(
      [
        '/** Says hello. */',
        'export class GreeterClient implements Greeter {',
        '  readonly #channel: Channel;',
        '  constructor(channel: Channel) {',
        '    this.#channel = channel;',
        '  }',
        '  /** Greets. */',
        '  hello(name?: string, options?: CallOptions): Promise<string | null> {',
        '    return this.#channel.unary<string | null>(GreeterService.methods.hello, [name], options);',
        '  }',
        '  wave(options: number, options_?: CallOptions): void {',
        '    this.#channel.oneway(GreeterService.methods.wave, [options], options_);',
        '  }',
        '  reset(options?: CallOptions): Promise<void> {',
        '    return this.#channel.unary<void>(GreeterService.methods.reset, [], options);',
        '  }',
        '  users(query: { name: string; }, options?: CallOptions): AsyncIterable<Page<User>> {',
        '    return this.#channel.serverStream<Page<User>>(GreeterService.methods.users, [query], options);',
        '  }',
        '  total(values: AsyncIterable<number>, scale?: number, options?: CallOptions): Promise<void> {',
        '    return this.#channel.clientStream<void>(GreeterService.methods.total, [values, scale], options);',
        '  }',
        '  echo(lines: AsyncIterable<string>, options?: CallOptions): AsyncIterable<string> {',
        '    return this.#channel.bidiStream<string>(GreeterService.methods.echo, [lines], options);',
        '  }',
        '}',
      ].join('\n'),
    );
  });

  it('has no doc comment when the service has none', () => {
    expect(emitClient({ ...service, doc: undefined, methods: [] })).toBe(
      ['export class GreeterClient implements Greeter {', '  readonly #channel: Channel;', '  constructor(channel: Channel) {', '    this.#channel = channel;', '  }', '}'].join('\n'),
    );
  });
});
