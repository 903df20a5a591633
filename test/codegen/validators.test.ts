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

const { CalculatorClient, CalculatorService } = await import('./golden/calculator.rpc.js');

describe('generated validators', () => {
  const { add, centroid, scale, log, reset } = CalculatorService.methods;

  it('accept arguments that fit', () => {
    expect(add.validate?.([1, 2])).toBeUndefined();
    expect(centroid.validate?.([[{ x: 1, y: 2 }, { x: 3, y: 4, label: 'b', extra: [1] }]])).toBeUndefined();
    expect(scale.validate?.([{ x: 1, y: 2 }])).toBeUndefined();
    expect(scale.validate?.([{ x: 1, y: 2 }, undefined])).toBeUndefined();
    expect(reset.validate?.([])).toBeUndefined();
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
  });
});

describe('generated client', () => {
  it('sends positional arguments with the method descriptor and call options', async () => {
    const calls: unknown[][] = [];
    const channel = {
      target: 'memory://test',
      state: 'ready' as const,
      unary: async (...call: unknown[]) => (calls.push(call), 3 as never),
      oneway: (...call: unknown[]) => void calls.push(call),
      close: async () => {},
    };
    const calc = new CalculatorClient(channel);
    const options = { timeout: 50 };
    expect(await calc.add(1, 2, options)).toBe(3);
    calc.log('hi');
    expect(calls).toEqual([
      [CalculatorService.methods.add, [1, 2], options],
      [CalculatorService.methods.log, ['hi'], undefined],
    ]);
    expect(CalculatorService.methods.add).toMatchObject({ kind: 'unary', params: ['a', 'b'], path: 'Calculator.add' });
  });
});
