import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitFile, formatDiagnostics, parseServiceFile, VERSION } from '../../packages/codegen/src/index.js';
import { FIXTURES, GOLDEN } from './paths.js';

/** UPDATE_GOLDEN=1 rewrites the expected outputs; otherwise any drift fails. */
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.ts')).sort();

describe('golden outputs', () => {
  it.each(fixtures)('%s', (fixture) => {
    const source = `test/codegen/fixtures/${fixture}`;
    const parsed = parseServiceFile({ path: source, text: readFileSync(join(FIXTURES, fixture), 'utf8') });
    const [name, actual] = parsed.file
      ? [`${basename(fixture, '.ts')}.rpc.ts`, emitFile(parsed.file, { version: VERSION })]
      : [`${basename(fixture, '.ts')}.diagnostics.txt`, `${formatDiagnostics(parsed.diagnostics)}\n`];
    const golden = join(GOLDEN, name);
    if (UPDATE) writeFileSync(golden, actual);
    expect(existsSync(golden), `${name} is missing; run with UPDATE_GOLDEN=1 to create it`).toBe(true);
    expect(actual, `${name} drifted; if intended, run with UPDATE_GOLDEN=1 and review the diff`).toBe(readFileSync(golden, 'utf8'));
  });

  it('has no golden file without a fixture', () => {
    const expected = new Set(fixtures.map((f) => basename(f, '.ts')));
    const stale = readdirSync(GOLDEN).filter((g) => !expected.has(g.replace(/\.(rpc\.ts|diagnostics\.txt)$/, '')));
    expect(stale).toEqual([]);
  });
});
