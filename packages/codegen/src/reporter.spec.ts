import { join, resolve } from 'node:path';
import { Project, type SourceFile } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { displayPath } from './display-path.js';
import { Reporter } from './reporter.js';

/** Files in memory, under the working directory so their display paths are short. */
function files(): { a: SourceFile; b: SourceFile } {
  const project = new Project({ useInMemoryFileSystem: true, skipLoadingLibFiles: true });
  return {
    a: project.createSourceFile(join(process.cwd(), 'a.ts'), 'export interface A {\n  x: number;\n}\n'),
    b: project.createSourceFile(join(process.cwd(), 'b.ts'), 'export interface B {\n\ty: string;\n}\n'),
  };
}

describe('Reporter', () => {
  it('locates a node 1-based, with its length and whole source line, and returns undefined', () => {
    const { a } = files();
    const reporter = new Reporter();
    const property = a.getInterfaceOrThrow('A').getPropertyOrThrow('x');
    expect(reporter.report(property, 'bad x', 'Fix x.')).toBeUndefined();
    expect(reporter.diagnostics).toEqual([{ file: 'a.ts', line: 2, column: 3, length: 10, sourceLine: '  x: number;', message: 'bad x', hint: 'Fix x.' }]);
    expect(reporter.count).toBe(1);
  });

  it('reports the same problem at the same place once', () => {
    const { a } = files();
    const reporter = new Reporter();
    const name = a.getInterfaceOrThrow('A').getNameNode();
    reporter.report(name, 'one', 'h');
    reporter.report(name, 'one', 'h');
    reporter.report(name, 'two', 'h');
    expect(reporter.diagnostics.map((d) => d.message)).toEqual(['one', 'two']);
  });

  it('underlines at least one character', () => {
    const { b } = files();
    const reporter = new Reporter();
    reporter.reportAt(b, 0, 0, 'empty', 'h');
    expect(reporter.diagnostics[0]).toMatchObject({ line: 1, column: 1, length: 1 });
  });

  it('sorts by the given file order, other files after by name, then by position', () => {
    const { a, b } = files();
    const reporter = new Reporter();
    reporter.report(a.getInterfaceOrThrow('A').getPropertyOrThrow('x'), 'a2', 'h');
    reporter.report(b.getInterfaceOrThrow('B').getPropertyOrThrow('y'), 'b2', 'h');
    reporter.report(a.getInterfaceOrThrow('A').getNameNode(), 'a1', 'h');
    reporter.report(b.getInterfaceOrThrow('B').getNameNode(), 'b1', 'h');
    expect(reporter.sorted(['b.ts']).map((d) => d.message)).toEqual(['b1', 'b2', 'a1', 'a2']);
    expect(reporter.sorted([]).map((d) => d.message)).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(reporter.diagnostics.map((d) => d.message)).toEqual(['a2', 'b2', 'a1', 'b1']);
  });
});

describe('displayPath', () => {
  it('is relative to the working directory, with forward slashes', () => {
    expect(displayPath(resolve('services', 'calc.ts'))).toBe('services/calc.ts');
    expect(displayPath('services/calc.ts')).toBe('services/calc.ts');
  });
});
