import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from './cli-exit.js';
import { displayPath } from './display-path.js';
import { formatDiagnostics, type Diagnostic } from './diagnostic.js';
import type { GeneratedFile } from './generate.js';

/** One output after writing: its path as the user would type it, and whether its content changed. */
export interface Written {
  readonly path: string;
  readonly written: boolean;
  /** What it holds, e.g. `Calculator: 7 methods`; none for outputs such as `.proto`. */
  readonly summary: string | undefined;
}

/**
 * Writes each output whose content differs from what is on disk, creating directories as needed;
 * an output that would not change is left alone (and its mtime, so watchers and build tools stay quiet).
 */
export async function writeOutputs(outputs: readonly GeneratedFile[], summaries: ReadonlyMap<string, string>): Promise<Written[]> {
  const made = new Set<string>();
  const results: Written[] = [];
  for (const output of outputs) {
    const path = displayPath(output.path);
    try {
      const dir = dirname(output.path);
      if (!made.has(dir)) {
        await mkdir(dir, { recursive: true });
        made.add(dir);
      }
      results.push({ path, written: await writeIfChanged(output.path, output.text), summary: summaries.get(output.path) });
    } catch (error) {
      throw new UsageError(`cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  return results;
}

/** Leaves the file alone (and its mtime) when unchanged. */
export async function writeIfChanged(path: string, text: string): Promise<boolean> {
  if ((await readExisting(path)) === text) return false;
  await writeFile(path, text);
  return true;
}

/** For `--check`: the outputs missing on disk or differing from what would be generated, writing nothing. */
export async function findStale(outputs: readonly GeneratedFile[]): Promise<{ path: string; missing: boolean }[]> {
  const stale: { path: string; missing: boolean }[] = [];
  for (const output of outputs) {
    const existing = await readExisting(output.path);
    if (existing !== output.text) stale.push({ path: displayPath(output.path), missing: existing === undefined });
  }
  return stale;
}

async function readExisting(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

/** `wrote generated/calculator.rpc.ts (Calculator: 7 methods)`, or `unchanged …`. */
export function outputLine(output: Written): string {
  const summary = output.summary === undefined ? '' : ` (${output.summary})`;
  return `${output.written ? 'wrote' : 'unchanged'} ${output.path}${summary}`;
}

/** Every diagnostic like a compiler, then `Found 3 errors in 2 files.`; empty when there are none. */
export function diagnosticReport(diagnostics: readonly Diagnostic[], failedFiles: number): string {
  if (diagnostics.length === 0) return '';
  const errors = `${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'}`;
  return `${diagnostics.map((d) => formatDiagnostics([d])).join('\n\n')}\n\nFound ${errors} in ${failedFiles} file${failedFiles === 1 ? '' : 's'}.\n`;
}
