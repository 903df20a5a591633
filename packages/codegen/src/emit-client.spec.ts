import { describe, expect, it } from 'vitest';
import { emitClient } from './emit-client.js';

describe('emitClient', () => {
  it('implements the service over a channel, with call options last and the channel call for each kind', () => {
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
        { name: 'countdown', kind: 'server-stream', params: [{ name: 'from', type: { kind: 'number' }, optional: false }], returns: { kind: 'number' } },
        {
          name: 'total',
          kind: 'client-stream',
          params: [
            { name: 'values', type: { kind: 'number' }, optional: false },
            { name: 'scale', type: { kind: 'number' }, optional: true },
          ],
          streamParam: 0,
          returns: { kind: 'void' },
        },
        { name: 'echo', kind: 'bidi-stream', params: [{ name: 'lines', type: { kind: 'string' }, optional: false }], streamParam: 0, returns: { kind: 'string' } },
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
        '  countdown(from: number, options?: CallOptions): AsyncIterable<number> {',
        '    return this.#channel.serverStream<number>(GreeterService.methods.countdown, [from], options);',
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
});
