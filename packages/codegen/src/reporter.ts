import type { Node } from 'ts-morph';
import type { Diagnostic } from './diagnostic.js';
import { displayPath } from './display-path.js';

/**
 * Collects diagnostics located at syntax nodes, in whichever file the node is (a problem in an
 * imported data type is reported where that type is written). The same problem reached twice
 * (one bad type used by two methods) is reported once.
 */
export class Reporter {
  readonly #diagnostics: Diagnostic[] = [];
  readonly #seen = new Set<string>();

  get diagnostics(): readonly Diagnostic[] {
    return this.#diagnostics;
  }

  get count(): number {
    return this.#diagnostics.length;
  }

  /** Reports and returns undefined, so a failed conversion reads `return this.report(…)`. */
  report(node: Node, message: string, hint: string): undefined {
    this.reportAt(node, node.getStart(), node.getEnd() - node.getStart(), message, hint);
    return undefined;
  }

  reportAt(anchor: Node, pos: number, length: number, message: string, hint: string): void {
    const sourceFile = anchor.getSourceFile();
    const { line, column } = sourceFile.getLineAndColumnAtPos(pos);
    const file = displayPath(sourceFile.getFilePath());
    const key = `${file}:${line}:${column}:${message}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    const sourceLine = sourceFile.getFullText().split(/\r?\n/)[line - 1] ?? '';
    this.#diagnostics.push({ file, line, column, length: Math.max(1, length), sourceLine, message, hint });
  }

  /** File order as given, then by position. */
  sorted(fileOrder: readonly string[]): Diagnostic[] {
    const rank = (file: string) => {
      const i = fileOrder.indexOf(file);
      return i < 0 ? fileOrder.length : i;
    };
    return [...this.#diagnostics].sort((a, b) => rank(a.file) - rank(b.file) || a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  }
}
