/** A problem in a service file, located like a compiler error. Plain data; see `formatDiagnostic`. */
export interface Diagnostic {
  /** Path as the user gave it, relative to the working directory, with forward slashes. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** Characters to underline, at least 1; clipped to the end of the line when printed. */
  readonly length: number;
  /** The whole source line, to show the problem in context. */
  readonly sourceLine: string;
  readonly message: string;
  /** What to do about it. */
  readonly hint: string;
}

/**
 * Formats like a compiler: location, message, the source line with a caret underline, a hint.
 * Tabs in the source line are kept in the padding so the caret stays aligned in a terminal.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const gutter = String(d.line);
  const lead = d.sourceLine.slice(0, d.column - 1).replace(/[^\t]/g, ' ');
  const width = Math.max(1, Math.min(d.length, d.sourceLine.length - (d.column - 1)));
  return [
    `${d.file}:${d.line}:${d.column} - error: ${d.message}`,
    `  ${gutter} | ${d.sourceLine}`,
    `  ${' '.repeat(gutter.length)} | ${lead}${'^'.repeat(width)}`,
    `  ${d.hint}`,
  ].join('\n');
}

/** Several diagnostics, separated by blank lines, in the order given. */
export function formatDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map(formatDiagnostic).join('\n\n');
}
