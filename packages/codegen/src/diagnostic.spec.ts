import { describe, expect, it } from 'vitest';
import { formatDiagnostic, formatDiagnostics, type Diagnostic } from './diagnostic.js';

const base: Diagnostic = {
  file: 'services/bad.ts',
  line: 4,
  column: 17,
  length: 10,
  sourceLine: '  subscribe(cb: () => void): Promise<void>;',
  message: "parameter 'cb' has a function type, which cannot be sent over the wire",
  hint: 'Use a data type.',
};

describe('formatDiagnostic', () => {
  it('shows location, source line, caret underline and hint', () => {
    expect(formatDiagnostic(base)).toBe(
      [
        "services/bad.ts:4:17 - error: parameter 'cb' has a function type, which cannot be sent over the wire",
        '  4 |   subscribe(cb: () => void): Promise<void>;',
        '    |                 ^^^^^^^^^^',
        '  Use a data type.',
      ].join('\n'),
    );
  });

  it('keeps tabs so the caret lines up, and clips the underline at the end of the line', () => {
    const text = formatDiagnostic({ ...base, line: 12, column: 3, length: 500, sourceLine: '\t\tx: Date;' });
    expect(text.split('\n').slice(1, 3)).toEqual(['  12 | \t\tx: Date;', '     | \t\t^^^^^^^^']);
  });

  it('underlines at least one character, even on an empty line', () => {
    expect(formatDiagnostic({ ...base, column: 1, length: 0, sourceLine: '' }).split('\n')[2]).toBe('    | ^');
  });

  it('separates several diagnostics with a blank line', () => {
    expect(formatDiagnostics([base, base]).split('\n\n')).toHaveLength(2);
  });
});
