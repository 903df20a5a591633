import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Generator } from '../../packages/codegen/src/index.js';
import { COMMITTED_STUBS, ROOT } from './paths.js';

/**
 * Stubs that are committed beside the code that uses them (the example, the cross-process test
 * fixtures) must be exactly what `conduit gen` makes of their interfaces today.
 */
describe('committed generated stubs', () => {
  it.each(COMMITTED_STUBS)('%s → %s is up to date', (source, stub, codecs) => {
    const generator = new Generator({ out: dirname(stub), proto: false, codecs });
    const result = generator.run([source]);
    expect(result.diagnostics).toEqual([]);
    const expected = result.outputs.find((o) => o.path === stub)?.text;
    expect(readFileSync(join(ROOT, stub), 'utf8'), `${stub} is stale: run conduit gen ${source} --out ${dirname(stub)}`).toBe(expected);
  });
});
