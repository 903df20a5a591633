import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI, FIXTURES, GOLDEN } from './paths.js';
import { Scratch, expectUsageError } from './scratch.js';

/** The real binary, as a user runs it, in a scratch project so paths print as a user would see them. */
let dir = '';

function conduit(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'conduit-cli-'));
  mkdirSync(join(dir, 'services'));
  const fixtures = [['streams.ts', 'calculator.ts'], ['diag-streams.ts', 'bad.ts'], ['diag-no-service.ts', 'empty.ts'], ['shared', 'shared']];
  for (const [from, to] of fixtures) cpSync(join(FIXTURES, from as string), join(dir, 'services', to as string), { recursive: true });
  mkdirSync(join(dir, 'other'));
  cpSync(join(FIXTURES, 'streams.ts'), join(dir, 'other', 'calculator.ts'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('conduit gen', () => {
  it('writes <name>.rpc.ts, reports it, and exits 0', () => {
    // The golden is generated with the protobuf schema embedded; ask for the same.
    const run = conduit('gen', 'services/calculator.ts', '--out', 'generated', '--codec', 'msgpack', '--codec', 'protobuf');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe('wrote generated/calculator.rpc.ts (Calculator: 8 methods)\n');
    const golden = readFileSync(join(GOLDEN, 'streams.rpc.ts'), 'utf8').replace('test/fixtures/codegen/streams.ts', 'services/calculator.ts').replace('"package": "streams"', '"package": "calculator"');
    expect(readFileSync(join(dir, 'generated/calculator.rpc.ts'), 'utf8')).toBe(golden);
  });

  it('does not rewrite an unchanged output', () => {
    const output = join(dir, 'generated/calculator.rpc.ts');
    const before = statSync(output).mtimeMs;
    const run = conduit('gen', 'services/calculator.ts', '--out', 'generated', '--codec', 'msgpack', '--codec', 'protobuf');
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
    ['no --out', ['gen', 'services/calculator.ts'], 'no output directory: give --out <dir>'],
    ['no files and no config', ['gen', '--out', 'generated'], 'no input files. Name them on the command line'],
    ['an unknown command', ['frobnicate'], 'Unknown argument: frobnicate'],
    ['no command', [], 'Say which command to run'],
    ['a missing input file', ['gen', 'services/nope.ts', '--out', 'generated'], 'cannot find services/nope.ts'],
    ['a non-TypeScript input', ['gen', 'services', '--out', 'generated'], 'services is not a .ts service file'],
    ['a declaration file', ['gen', 'services/types.d.ts', '--out', 'generated'], 'services/types.d.ts is not a .ts service file'],
    ['a glob matching nothing', ['gen', 'services/*.tsx', '--out', 'generated'], "no service files match 'services/*.tsx'"],
    ['an unknown codec', ['gen', 'services/calculator.ts', '--out', 'generated', '--codec', 'json'], "unknown codec 'json' for --codec"],
    ['--check with --watch', ['gen', 'services/calculator.ts', '--out', 'generated', '--check', '--watch'], 'Arguments check and watch are mutually exclusive'],
    ['two inputs writing one output', ['gen', 'services/calculator.ts', 'other/calculator.ts', '--out', 'generated'], 'services/calculator.ts and other/calculator.ts would both write generated/calculator.rpc.ts'],
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
    expect(run.stdout).toContain('Exit codes: 0 success, 1 problems found in a service file');
    expect(run.stdout).toContain('2 usage error.');
  });

  it('describes gen, every option, the config file, and shows examples', () => {
    const run = conduit('gen', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('conduit gen [files..] --out <dir>');
    for (const option of ['--out', '--proto', '--codec', '--check', '--watch', '--config']) expect(run.stdout).toContain(option);
    expect(run.stdout).toContain('conduit.config.json');
    expect(run.stdout).toContain('"jobs"');
    expect(run.stdout).toContain(`conduit gen 'services/**/*.ts' --out generated --proto`);
    expect(run.stdout).toContain('Exit codes:');
  });

  it('prints the version from package.json', () => {
    const run = conduit('--version');
    expect(run).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });
});

describe('conduit gen with globs', () => {
  let project: Scratch;
  beforeEach(() => {
    project = new Scratch();
    project.fixture('streams.ts', 'services/calculator.ts');
    project.fixture('streams.ts', 'services/nested/deeper/tools.ts');
    project.write('services/types.d.ts', 'export declare const x: number;\n');
    project.write('services/readme.md', '# not a service\n');
    project.write('services/old.rpc.ts', '// generated by conduit from an earlier run\n');
    project.fixture('streams.ts', 'node_modules/dep/calculator.ts');
  });
  afterEach(() => project.remove());

  it('expands a quoted glob itself, skipping .d.ts, .rpc.ts, other files and node_modules', () => {
    const run = project.conduit(['gen', 'services/**/*.ts', '--out', 'generated']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(
      'wrote generated/calculator.rpc.ts (Calculator: 8 methods)\nwrote generated/tools.rpc.ts (Calculator: 8 methods)\n',
    );
    expect(readdirSync(project.path('generated')).sort()).toEqual(['calculator.rpc.ts', 'tools.rpc.ts']);
    expect(project.read('generated/tools.rpc.ts')).toContain('from services/nested/deeper/tools.ts');
  });

  it('takes globs and paths together, each file once', () => {
    const run = project.conduit(['gen', 'services/*.ts', 'services/calculator.ts', '**/tools.ts', '--out', 'generated']);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').filter(Boolean)).toEqual([
      'wrote generated/calculator.rpc.ts (Calculator: 8 methods)',
      'wrote generated/tools.rpc.ts (Calculator: 8 methods)',
    ]);
  });

  it('names a glob that matches only files it skips', () => {
    expectUsageError(project.conduit(['gen', 'services/*.d.ts', '--out', 'generated']), "no service files match 'services/*.d.ts' (1 other file");
    expect(project.exists('generated')).toBe(false);
  });

  it('reports two globbed inputs that would write the same output, writing nothing', () => {
    project.fixture('streams.ts', 'services/nested/calculator.ts');
    const run = project.conduit(['gen', 'services/**/*.ts', '--out', 'generated']);
    expectUsageError(run, 'services/calculator.ts and services/nested/calculator.ts would both write generated/calculator.rpc.ts');
    expect(project.exists('generated')).toBe(false);
  });
});

describe('conduit gen --proto and --codec', () => {
  let project: Scratch;
  beforeEach(() => {
    project = new Scratch();
    project.fixture('streams.ts', 'services/calculator.ts');
  });
  afterEach(() => project.remove());

  it('writes a .proto beside each .rpc.ts with --proto, one line each', () => {
    const run = project.conduit(['gen', 'services/calculator.ts', '--out', 'generated', '--proto']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const lines = run.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines).toContain('wrote generated/calculator.rpc.ts (Calculator: 8 methods)');
    expect(lines.some((line) => /^wrote generated\/calculator\.proto\b/.test(line))).toBe(true);
    expect(project.exists('generated/calculator.proto')).toBe(true);
    const again = project.conduit(['gen', 'services/calculator.ts', '--out', 'generated', '--proto']);
    expect(again.stdout).toMatch(/^unchanged generated\/calculator\.proto\b/m);
  });

  it.each([
    [['--codec', 'protobuf']],
    [['--codec', 'msgpack', '--codec', 'protobuf']],
    [['--codec', 'msgpack,protobuf']],
  ])('accepts codecs %j', (codecArgs) => {
    const run = project.conduit(['gen', 'services/calculator.ts', '--out', 'generated', ...codecArgs]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(project.exists('generated/calculator.rpc.ts')).toBe(true);
  });
});

describe('conduit gen --check', () => {
  let project: Scratch;
  const gen = ['gen', 'services/*.ts', '--out', 'generated'];
  beforeEach(() => {
    project = new Scratch();
    project.fixture('streams.ts', 'services/calculator.ts');
    project.fixture('streams.ts', 'services/tools.ts');
  });
  afterEach(() => project.remove());

  /** Every file under generated/ with its content and mtime, to show --check wrote nothing. */
  function snapshot(): Record<string, [string, number]> {
    const dir = project.path('generated');
    if (!existsSync(dir)) return {};
    return Object.fromEntries(readdirSync(dir).map((name) => [name, [project.read(`generated/${name}`), statSync(join(dir, name)).mtimeMs]]));
  }

  it('exits 0 when every output is current, writing nothing', () => {
    expect(project.conduit(gen).code).toBe(0);
    const before = snapshot();
    const run = project.conduit([...gen, '--check']);
    expect(run).toMatchObject({ code: 0, stderr: '', stdout: 'up to date: 2 generated files\n' });
    expect(snapshot()).toEqual(before);
  });

  it('exits 1 listing each missing or outdated output, and writes nothing', () => {
    expect(project.conduit(gen).code).toBe(0);
    project.write('generated/calculator.rpc.ts', '// edited by hand\n');
    rmSync(project.path('generated/tools.rpc.ts'));
    const before = snapshot();
    const run = project.conduit([...gen, '--check']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('stale: generated/calculator.rpc.ts\nstale: generated/tools.rpc.ts (missing)\n');
    expect(run.stderr).toContain('2 generated files are missing or out of date');
    expect(snapshot()).toEqual(before);
  });

  it('exits 1 when nothing was generated yet, without creating the output directory', () => {
    const run = project.conduit([...gen, '--check']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('stale: generated/calculator.rpc.ts (missing)\n');
    expect(project.exists('generated')).toBe(false);
  });

  it('exits 1 with the diagnostics of a bad service file, as without --check', () => {
    expect(project.conduit(gen).code).toBe(0);
    project.fixture('diag-streams.ts', 'services/bad.ts');
    project.fixture('shared/geometry.ts', 'services/shared/geometry.ts');
    const run = project.conduit([...gen, '--check']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("services/bad.ts:11:17 - error: parameter 'cb' has a function type");
    expect(run.stdout).not.toContain('stale:');
  });
});
