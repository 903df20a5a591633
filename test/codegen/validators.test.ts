import { describe, expect, it, vi } from 'vitest';

/**
 * The golden module runs here as a user would import it. The runtime's `defineService` is stood
 * in for by the documented descriptor shape, so these checks of generated behaviour do not wait
 * on the runtime build; compile.test.ts checks the real runtime types.
 */
vi.mock('@conduit/runtime', () => ({
  defineService: (spec: { name: string; methods: Record<string, object> }) => ({
    name: spec.name,
    methods: Object.fromEntries(
      Object.entries(spec.methods).map(([name, m]) => [name, { ...m, service: spec.name, name, path: `${spec.name}.${name}` }]),
    ),
  }),
}));

const { CalculatorClient, CalculatorService } = await import('../fixtures/codegen/golden/streams.rpc.js');

describe('generated validators', () => {
  const { add, centroid, scale, log, reset, countdown, total, echo } = CalculatorService.methods;

  it('accept arguments that fit', () => {
    expect(add.validate?.([1, 2])).toBeUndefined();
    expect(centroid.validate?.([[{ x: 1, y: 2 }, { x: 3, y: 4, label: 'b', extra: [1] }]])).toBeUndefined();
    expect(scale.validate?.([{ x: 1, y: 2 }])).toBeUndefined();
    expect(scale.validate?.([{ x: 1, y: 2 }, undefined])).toBeUndefined();
    expect(reset.validate?.([])).toBeUndefined();
    expect(countdown.validate?.([3])).toBeUndefined();
    expect(total.validate?.([undefined])).toBeUndefined();
    expect(total.validate?.([])).toBeUndefined();
    expect(echo.validate?.([undefined])).toBeUndefined();
  });

  it('check each incoming stream message on its own', () => {
    expect(total.validateMessage?.(1)).toBeUndefined();
    expect(total.validateMessage?.('1')).toBe('expected number, got string');
    expect(echo.validateMessage?.('line')).toBeUndefined();
    expect(echo.validateMessage?.(null)).toBe('expected string, got null');
    expect(countdown.validateMessage).toBeUndefined();
  });

  it('say what is wrong and where', () => {
    expect(add.validate?.([1, '2'])).toBe('b: expected number, got string');
    expect(add.validate?.([1])).toBe('b: expected number, got undefined');
    expect(add.validate?.([1, 2, 3])).toBe('expected at most 2 arguments, got 3');
    expect(centroid.validate?.([[{ x: 1, y: 2 }, { x: 1, y: 2 }, { x: '1', y: 2 }]])).toBe('points[2].x: expected number, got string');
    expect(scale.validate?.([{ x: 1, y: 2, label: 7 }])).toBe('p.label: expected string, got number');
    expect(scale.validate?.([{ y: 2 }])).toBe("p: missing property 'x'");
    expect(scale.validate?.([null])).toBe('p: expected Point, got null');
    expect(log.validate?.([['line']])).toBe('line: expected string, got array');
    expect(reset.validate?.([1])).toBe('expected no arguments, got 1');
    expect(countdown.validate?.(['3'])).toBe('from: expected number, got string');
    expect(total.validate?.([undefined, 1])).toBe('expected at most 1 argument, got 2');
  });
});

/** A channel that records each call as [channel method, descriptor, args, options] and gives canned answers. */
function recordingChannel(calls: unknown[][]) {
  const record =
    <T>(kind: string, reply: () => T) =>
    (...call: unknown[]): T => (calls.push([kind, ...call]), reply());
  return {
    target: 'memory://test',
    state: 'ready' as const,
    unary: record('unary', async () => 3 as never),
    oneway: record('oneway', () => {}),
    serverStream: record('serverStream', () => stream(3, 2, 1) as AsyncIterable<never>),
    clientStream: record('clientStream', async () => 6 as never),
    bidiStream: record('bidiStream', () => stream('a') as AsyncIterable<never>),
    gather: record('gather', async () => [] as never),
    close: async () => {},
    onStateChange: () => () => {},
  };
}

async function* stream<T>(...items: T[]): AsyncGenerator<T> {
  yield* items;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const collected: T[] = [];
  for await (const item of items) collected.push(item);
  return collected;
}

describe('generated client', () => {
  it('sends positional arguments with the method descriptor and call options', async () => {
    const calls: unknown[][] = [];
    const calc = new CalculatorClient(recordingChannel(calls));
    const options = { timeout: 50 };
    expect(await calc.add(1, 2, options)).toBe(3);
    calc.log('hi');
    expect(calls).toEqual([
      ['unary', CalculatorService.methods.add, [1, 2], options],
      ['oneway', CalculatorService.methods.log, ['hi'], undefined],
    ]);
    expect(CalculatorService.methods.add).toMatchObject({ kind: 'unary', params: ['a', 'b'], path: 'Calculator.add' });
  });

  it('hands stream calls to the channel, the stream in its parameter slot', async () => {
    const calls: unknown[][] = [];
    const calc = new CalculatorClient(recordingChannel(calls));
    const values = stream(1, 2, 3);
    const lines = stream('a');
    const options = { timeout: 50 };
    expect(await collect(calc.countdown(3, options))).toEqual([3, 2, 1]);
    expect(await calc.total(values)).toBe(6);
    expect(await collect(calc.echo(lines))).toEqual(['a']);
    const { countdown, total, echo } = CalculatorService.methods;
    expect(calls).toEqual([
      ['serverStream', countdown, [3], options],
      ['clientStream', total, [values], undefined],
      ['bidiStream', echo, [lines], undefined],
    ]);
    expect(countdown).toMatchObject({ kind: 'server-stream', params: ['from'] });
    expect(countdown).not.toHaveProperty('streamParam');
    expect(total).toMatchObject({ kind: 'client-stream', params: ['values'], streamParam: 0 });
    expect(echo).toMatchObject({ kind: 'bidi-stream', params: ['lines'], streamParam: 0 });
  });
});
