import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, FIXTURES, GOLDEN } from './paths.js';

/** The real binary, as a user runs it, in a scratch project so paths print as a user would see them. */
let dir = '';

function conduit(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'conduit-cli-'));
  mkdirSync(join(dir, 'services'));
  for (const name of ['calculator.ts', 'bad.ts', 'empty.ts']) cpSync(join(FIXTURES, name), join(dir, 'services', name));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('conduit gen', () => {
  it('writes <name>.rpc.ts, reports it, and exits 0', () => {
    const run = conduit('gen', 'services/calculator.ts', '--out', 'generated');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe('wrote generated/calculator.rpc.ts (Calculator: 8 methods)\n');
    const golden = readFileSync(join(GOLDEN, 'calculator.rpc.ts'), 'utf8').replace('test/codegen/fixtures/', 'services/');
    expect(readFileSync(join(dir, 'generated/calculator.rpc.ts'), 'utf8')).toBe(golden);
  });

  it('does not rewrite an unchanged output', () => {
    const output = join(dir, 'generated/calculator.rpc.ts');
    const before = statSync(output).mtimeMs;
    const run = conduit('gen', 'services/calculator.ts', '--out', 'generated');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('unchanged generated/calculator.rpc.ts (Calculator: 8 methods)\n');
    expect(statSync(output).mtimeMs).toBe(before);
  });

  it('prints every diagnostic like a compiler and exits 1, writing nothing for the bad file', () => {
    const run = conduit('gen', 'services/bad.ts', 'services/empty.ts', '--out', 'out-bad');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("services/bad.ts:11:17 - error: parameter 'cb' has a function type, which cannot be sent over the wire\n");
    expect(run.stderr).toContain('  11 |   subscribe(cb: () => void): Promise<void>;\n     |                 ^^^^^^^^^^\n');
    expect(run.stderr).toContain('services/empty.ts:1:1 - error: no service found');
    expect(run.stderr).toMatch(/Found \d+ errors in 2 files\.\n$/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'out-bad/bad.rpc.ts'))).toBe(false);
  });

  it.each([
    ['no --out', ['gen', 'services/calculator.ts'], 'Missing required argument: out'],
    ['no files', ['gen', '--out', 'generated'], 'Not enough non-option arguments'],
    ['an unknown command', ['frobnicate'], 'Unknown argument: frobnicate'],
    ['no command', [], 'Say which command to run'],
    ['a missing input file', ['gen', 'services/nope.ts', '--out', 'generated'], 'cannot find services/nope.ts'],
    ['a non-TypeScript input', ['gen', 'services', '--out', 'generated'], 'services is not a .ts service file'],
  ])('exits 2 on %s, without a stack trace', (_, args, message) => {
    const run = conduit(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain("Run 'conduit --help' for usage.");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('conduit --help', () => {
  it('explains what a service is and shows an example', () => {
    const run = conduit('--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('A service is an exported interface whose members are all methods');
    expect(run.stdout).toContain('total(values: AsyncIterable<number>): Promise<number>;     // client stream');
    expect(run.stdout).toContain('conduit gen services/calculator.ts --out generated');
    expect(run.stdout).toContain('Exit codes: 0 success, 1 problems found in a service file, 2 usage error.');
  });

  it('describes gen and its --out option', () => {
    const run = conduit('gen', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('conduit gen <files..> --out <dir>');
    expect(run.stdout).toContain('--out');
  });

  it('prints the version from package.json', () => {
    const run = conduit('--version');
    expect(run).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });
});
