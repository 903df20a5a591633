import { Code, connect, memory, RpcError, Server } from '@conduit/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CalculatorClient, CalculatorService, type CalculatorHandlers } from '../fixtures/codegen/golden/streams.rpc.js';

/** The golden stubs against the real runtime over its in-memory transport. */
const logged: string[] = [];
const handlers: CalculatorHandlers = {
  add: (a, b) => a + b,
  centroid: (points) => ({
    x: points.reduce((sum, p) => sum + p.x, 0) / points.length,
    y: points.reduce((sum, p) => sum + p.y, 0) / points.length,
  }),
  scale: async (p, factor) => ({ x: p.x * (factor ?? 2), y: p.y * (factor ?? 2) }),
  reset: () => {},
  async *countdown(from) {
    for (let n = from; n > 0; n--) yield n;
  },
  async total(values) {
    let sum = 0;
    for await (const value of values) sum += value;
    return sum;
  },
  echo: (lines) => lines,
  log: (line) => void logged.push(line),
};

const server = new Server().add(CalculatorService, handlers);
let calc: CalculatorClient;
let close: () => Promise<void>;

beforeAll(async () => {
  const transport = memory();
  await server.listen(transport);
  const channel = await connect(transport);
  calc = new CalculatorClient(channel);
  close = () => channel.close();
});

afterAll(async () => {
  await close();
  await server.close();
});

describe('generated stubs with the runtime', () => {
  it('make unary calls, with optional parameters skipped or given', async () => {
    expect(await calc.add(1, 2)).toBe(3);
    expect(await calc.centroid([{ x: 0, y: 0 }, { x: 2, y: 4 }])).toEqual({ x: 1, y: 2 });
    expect(await calc.scale({ x: 1, y: 1 })).toEqual({ x: 2, y: 2 });
    expect(await calc.scale({ x: 1, y: 1 }, 3, { timeout: 1000 })).toEqual({ x: 3, y: 3 });
    expect(await calc.reset()).toBeUndefined();
  });

  it('reject arguments the validator refuses with InvalidArgument and the path', async () => {
    const add = calc.add as (...args: unknown[]) => Promise<number>;
    const error = await add.call(calc, 1, 'two').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ code: Code.InvalidArgument });
    expect((error as RpcError).message).toContain('b: expected number, got string');
  });

  it('deliver one-way calls', async () => {
    calc.log('hello');
    await expect.poll(() => logged).toEqual(['hello']);
  });
});
