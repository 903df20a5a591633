import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics, Generator } from '../../packages/codegen/src/index.js';
import { FIXTURES, GOLDEN, ROOT } from './paths.js';

/** UPDATE_GOLDEN=1 rewrites the expected outputs; otherwise any drift fails. */
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.ts')).sort();

/** One generator for all fixtures, as `conduit gen` runs them: one program, shared imports parsed once. */
const generator = new Generator({ out: relative(ROOT, GOLDEN), proto: true, codecs: ['msgpack', 'protobuf'] });

describe('golden outputs', () => {
  it.each(fixtures)('%s', (fixture) => {
    const source = relative(ROOT, join(FIXTURES, fixture));
    const result = generator.run([source]);
    const expected: [string, string][] =
      result.diagnostics.length > 0
        ? [[`${basename(fixture, '.ts')}.diagnostics.txt`, `${formatDiagnostics(result.diagnostics)}\n`]]
        : result.outputs.map((o) => [basename(o.path), o.text]);
    for (const [name, actual] of expected) {
      const golden = join(GOLDEN, name);
      if (UPDATE) writeFileSync(golden, actual);
      expect(existsSync(golden), `${name} is missing; run with UPDATE_GOLDEN=1 to create it`).toBe(true);
      expect(actual, `${name} drifted; if intended, run with UPDATE_GOLDEN=1 and review the diff`).toBe(readFileSync(golden, 'utf8'));
    }
  });

  it('has no golden file without a fixture', () => {
    const expected = new Set(fixtures.map((f) => basename(f, '.ts')));
    const stale = readdirSync(GOLDEN).filter((g) => !expected.has(g.replace(/\.(rpc\.ts|proto|diagnostics\.txt)$/, '')));
    expect(stale).toEqual([]);
  });
});
