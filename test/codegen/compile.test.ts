import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMITTED_STUBS, GOLDEN, ROOT } from './paths.js';

/**
 * The golden files, and the generated stubs the example and the tests use, must compile as a user's project would compile them. The scratch project sits
 * inside the repository so '@conduit/runtime' resolves through node_modules to packages/runtime
 * (whose dist `npm run build` produces).
 */
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(ROOT, 'test/codegen/.tmp-compile-'));
  const goldens = readdirSync(GOLDEN).filter((f) => f.endsWith('.rpc.ts')).map((f) => join(GOLDEN, f));
  const files = [...goldens, ...COMMITTED_STUBS.map(([, stub]) => join(ROOT, stub))].map((f) => relative(dir, f));
  writeFileSync(join(dir, 'usage.ts'), USAGE);
  const compilerOptions = {
    strict: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    target: 'ES2022',
    skipLibCheck: true,
    noEmit: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    types: ['node'],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: [...files, 'usage.ts'] }, null, 2));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Uses the generated API the way the design's examples do, so a mismatch with the runtime shows. */
const USAGE = `import type { Channel } from '@conduit/runtime';
import { CalculatorClient, CalculatorService, type CalculatorHandlers } from '../../fixtures/codegen/golden/streams.rpc.js';

export async function use(channel: Channel): Promise<number> {
  const handlers: CalculatorHandlers = {
    add: (a, b) => a + b,
    centroid: async (points) => points[0] ?? { x: 0, y: 0 },
    scale: (p, factor, ctx) => (ctx.signal.aborted ? p : { x: p.x * (factor ?? 1), y: p.y * (factor ?? 1) }),
    reset: () => {},
    async *countdown(from, ctx) {
      for (let n = from; n > 0 && !ctx.signal.aborted; n--) yield n;
    },
    async total(values) {
      let sum = 0;
      for await (const value of values) sum += value;
      return sum;
    },
    echo: (lines) => lines,
    log: () => {},
  };
  void handlers;
  const error: string | undefined = CalculatorService.methods.add.validate?.([1, 2]);
  const messageError: string | undefined = CalculatorService.methods.total.validateMessage?.('1');
  const streamParam: number | undefined = CalculatorService.methods.total.streamParam;
  void [error, messageError, streamParam];
  const calc = new CalculatorClient(channel);
  async function* stream<T>(...items: T[]): AsyncGenerator<T> {
    yield* items;
  }
  for await (const n of calc.countdown(3, { timeout: 50 })) void n.toFixed();
  for await (const line of calc.echo(stream('a', 'b'))) void line.length;
  return (await calc.total(stream(1, 2))) + (await calc.add(1, 2, { timeout: 50 }));
}
`;

describe('generated files', () => {
  it('compile with tsc --strict --noEmit', () => {
    const tsc = join(ROOT, 'node_modules/.bin/tsc');
    const run = spawnSync(tsc, ['-p', join(dir, 'tsconfig.json')], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 60_000);
});
