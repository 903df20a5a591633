import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitFile, parseServiceFile, VERSION } from '../../packages/codegen/src/index.js';
import { COMMITTED_STUBS, ROOT } from './paths.js';

/**
 * Stubs that are committed beside the code that uses them (the example, the cross-process test
 * fixtures) must be exactly what `conduit gen` makes of their interfaces today.
 */
describe('committed generated stubs', () => {
  it.each(COMMITTED_STUBS)('%s → %s is up to date', (source, stub) => {
    const parsed = parseServiceFile({ path: source, text: readFileSync(join(ROOT, source), 'utf8') });
    expect(parsed.diagnostics).toEqual([]);
    const expected = emitFile(parsed.file!, { version: VERSION });
    expect(readFileSync(join(ROOT, stub), 'utf8'), `${stub} is stale: run conduit gen ${source} --out ${stub.replace(/\/[^/]+$/, '')}`).toBe(expected);
  });
});
