/**
 * The calculator's handlers: what server.ts serves, and the multicast members and discovery
 * servers too. `say` is where `log` lines go.
 */
import { Code, RpcError } from '@conduit/runtime';
import type { CalculatorHandlers } from './generated/calculator.rpc.js';

export function calculatorHandlers(say: (line: string) => void = console.log): CalculatorHandlers {
  return {
    add: (a, b) => a + b,
    divide: (a, b) => {
      if (b === 0) throw new RpcError(Code.InvalidArgument, 'cannot divide by zero', { details: { dividend: a } });
      return a / b;
    },
    centroid: (points, label) => {
      if (points.length === 0) throw new RpcError(Code.InvalidArgument, 'centroid of no points');
      const sum = points.reduce((acc, p) => ({ x: acc.x + p.x, y: acc.y + p.y }), { x: 0, y: 0 });
      return { x: sum.x / points.length, y: sum.y / points.length, ...(label !== undefined && { label }) };
    },
    log: (line, ctx) => say(`log from ${ctx.peer}: ${line}`),
    async *countdown(from) {
      for (let n = from; n >= 0; n--) yield n;
    },
    async total(values) {
      let sum = 0;
      for await (const value of values) sum += value;
      return sum;
    },
    async *echo(lines) {
      for await (const line of lines) yield line.toUpperCase();
    },
  };
}
