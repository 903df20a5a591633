import { describe, expect, it } from 'vitest';
import { emitClient } from './emit-client.js';

describe('emitClient', () => {
  it('implements the service over a channel, with call options last', () => {
    const text = emitClient({
      name: 'Greeter',
      methods: [
        {
          name: 'hello',
          doc: 'Greets.',
          kind: 'unary',
          params: [{ name: 'name', type: { kind: 'string' }, optional: true }],
          returns: { kind: 'nullable', inner: { kind: 'string' } },
        },
        { name: 'wave', kind: 'oneway', params: [{ name: 'options', type: { kind: 'number' }, optional: false }], returns: { kind: 'void' } },
      ],
    });
    expect(text).toBe(
      [
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
        '}',
      ].join('\n'),
    );
  });
});
