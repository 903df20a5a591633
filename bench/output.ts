/** How the bench writes: progress to stderr (so stdout is only the report), tables to stdout. */

export function progress(line: string): void {
  process.stderr.write(`  … ${line}\n`);
}

/** Prints a table whose first column is left-aligned and whose other columns are right-aligned numbers. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

/** An integer rate with thousands separators, e.g. `1,234,567`. */
export const perSec = (value: number): string => Math.round(value).toLocaleString('en-US');

export const ratioText = (value: number | null): string => (value === null ? 'n/a' : `${value.toFixed(2)}×`);
