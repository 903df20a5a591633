import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Scratch, expectUsageError } from './scratch.js';

/** `conduit gen` with a config file: conduit.config.json, package.json "conduit", --config. */
let project: Scratch;

beforeEach(() => {
  project = new Scratch();
  project.fixture('streams.ts', 'services/calculator.ts');
  project.fixture('streams.ts', 'services/tools.ts');
});

afterEach(() => project.remove());

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

describe('a config file', () => {
  it('gives files (globs included), out and proto to a bare `conduit gen`', () => {
    project.write('conduit.config.json', json({ files: ['services/*.ts'], out: 'generated', proto: true, codecs: ['msgpack', 'protobuf'] }));
    const run = project.conduit(['gen']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('wrote generated/calculator.rpc.ts (Calculator: 8 methods)\n');
    expect(run.stdout).toContain('wrote generated/tools.rpc.ts (Calculator: 8 methods)\n');
    expect(run.stdout).toMatch(/^wrote generated\/calculator\.proto\b/m);
    expect(project.exists('generated/tools.proto')).toBe(true);
  });

  it('can be the "conduit" key of package.json', () => {
    project.write('package.json', json({ name: 'app', private: true, conduit: { files: ['services/calculator.ts'], out: 'generated' } }));
    const run = project.conduit(['gen']);
    expect(run).toMatchObject({ code: 0, stderr: '', stdout: 'wrote generated/calculator.rpc.ts (Calculator: 8 methods)\n' });
  });

  it('prefers conduit.config.json to package.json', () => {
    project.write('package.json', json({ name: 'app', conduit: { files: ['services/tools.ts'], out: 'from-package' } }));
    project.write('conduit.config.json', json({ files: ['services/calculator.ts'], out: 'from-config' }));
    expect(project.conduit(['gen']).stdout).toBe('wrote from-config/calculator.rpc.ts (Calculator: 8 methods)\n');
  });

  it('takes paths relative to its own directory with --config, printing them relative to the working directory', () => {
    project.write('tools/conduit.json', json({ files: ['../services/*.ts'], out: '../generated' }));
    project.write('tools/package.json', json({ name: 'tools', conduit: { files: ['../services/tools.ts'], out: 'out' } }));
    const run = project.conduit(['gen', '--config', 'tools/conduit.json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe('wrote generated/calculator.rpc.ts (Calculator: 8 methods)\nwrote generated/tools.rpc.ts (Calculator: 8 methods)\n');
    const fromPackage = project.conduit(['gen', '--config', '../tools/package.json'], 'services');
    expect(fromPackage).toMatchObject({ code: 0, stderr: '', stdout: 'wrote ../tools/out/tools.rpc.ts (Calculator: 8 methods)\n' });
  });

  it('is overridden by files and options on the command line', () => {
    project.write('conduit.config.json', json({ files: ['services/*.ts'], out: 'generated', proto: true }));
    const run = project.conduit(['gen', 'services/tools.ts', '--out', 'other', '--no-proto']);
    expect(run).toMatchObject({ code: 0, stderr: '', stdout: 'wrote other/tools.rpc.ts (Calculator: 8 methods)\n' });
    expect(project.exists('generated')).toBe(false);
    expect(project.exists('other/tools.proto')).toBe(false);
  });

  it('runs several jobs, each with its own files and out; --proto applies to all', () => {
    project.write('conduit.config.json', json({
      jobs: [
        { files: ['services/calculator.ts'], out: 'api' },
        { files: ['services/tools.ts'], out: 'admin', codecs: ['protobuf'] },
      ],
    }));
    const run = project.conduit(['gen', '--proto']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('wrote api/calculator.rpc.ts (Calculator: 8 methods)\n');
    expect(run.stdout).toContain('wrote admin/tools.rpc.ts (Calculator: 8 methods)\n');
    expect(project.exists('api/calculator.proto') && project.exists('admin/tools.proto')).toBe(true);
    const check = project.conduit(['gen', '--proto', '--check']);
    expect(check).toMatchObject({ code: 0, stdout: 'up to date: 4 generated files\n' });
  });

  it('refuses files or --out on the command line with several jobs', () => {
    project.write('conduit.config.json', json({ jobs: [{ files: ['services/calculator.ts'], out: 'api' }] }));
    expectUsageError(project.conduit(['gen', '--out', 'x']), 'conduit.config.json has "jobs", each with its own files and out');
  });

  it('reports two jobs writing the same output', () => {
    project.write('conduit.config.json', json({ jobs: [{ files: ['services/tools.ts'], out: 'api' }, { files: ['services/*.ts'], out: 'api' }] }));
    expectUsageError(project.conduit(['gen']), 'services/tools.ts is in two jobs that would both write api/tools.rpc.ts');
    expect(project.exists('api')).toBe(false);
  });
});

describe('a config file with a mistake is a usage error naming the file and the key', () => {
  it.each([
    ['invalid JSON', 'conduit.config.json', '{ "files": ["services/*.ts"], }', 'conduit.config.json is not valid JSON'],
    ['an unknown key', 'conduit.config.json', json({ fils: ['services/*.ts'], out: 'generated' }), 'conduit.config.json: unknown key "fils"'],
    ['files not an array', 'conduit.config.json', json({ files: 'services/*.ts', out: 'generated' }), 'conduit.config.json: "files" must be a non-empty array'],
    ['a file not a string', 'conduit.config.json', json({ files: ['services/a.ts', 3], out: 'g' }), 'conduit.config.json: "files[1]" must be a path or glob, got number 3'],
    ['out not a string', 'conduit.config.json', json({ files: ['services/*.ts'], out: 7 }), 'conduit.config.json: "out" must be a directory name'],
    ['proto not a boolean', 'conduit.config.json', json({ files: ['services/*.ts'], out: 'g', proto: 'yes' }), 'conduit.config.json: "proto" must be true or false, got "yes"'],
    ['an unknown codec', 'conduit.config.json', json({ files: ['services/*.ts'], out: 'g', codecs: ['json'] }), 'conduit.config.json: "codecs[0]" must be one of "msgpack", "protobuf", got "json"'],
    ['a config not an object', 'conduit.config.json', json(['services/*.ts']), 'conduit.config.json: the config must be an object'],
    ['jobs beside files', 'conduit.config.json', json({ files: ['a.ts'], jobs: [] }), 'conduit.config.json: "jobs" cannot be combined with "files"'],
    ['a job without out', 'conduit.config.json', json({ jobs: [{ files: ['a.ts'], out: 'a' }, { files: ['b.ts'] }] }), 'conduit.config.json: "jobs[1].out" is missing'],
    ['an unknown key in a job', 'conduit.config.json', json({ jobs: [{ files: ['a.ts'], out: 'a', jobs: [] }] }), 'conduit.config.json: unknown key "jobs[0].jobs"'],
    ['a wrong type in package.json', 'package.json', json({ name: 'app', conduit: { files: ['services/*.ts'], out: ['generated'] } }), 'package.json: "conduit.out" must be a directory name'],
    ['an unknown key in package.json', 'package.json', json({ name: 'app', conduit: { file: ['services/*.ts'] } }), 'package.json: unknown key "conduit.file"'],
    ['no out anywhere', 'conduit.config.json', json({ files: ['services/*.ts'] }), 'no output directory: give --out <dir>, or "out" in conduit.config.json'],
  ])('%s', (_, file, text, message) => {
    project.write(file, text);
    expectUsageError(project.conduit(['gen']), message);
    expect(project.exists('generated')).toBe(false);
  });

  it('a missing --config file', () => {
    expectUsageError(project.conduit(['gen', '--config', 'nope.json']), 'cannot find config file nope.json');
  });

  it('a --config package.json without a "conduit" key', () => {
    project.write('package.json', json({ name: 'app' }));
    expectUsageError(project.conduit(['gen', '--config', 'package.json']), 'package.json has no "conduit" key');
  });

  it('a package.json without a "conduit" key is not a config', () => {
    project.write('package.json', json({ name: 'app' }));
    expectUsageError(project.conduit(['gen']), 'no input files. Name them on the command line', 'or list them in conduit.config.json');
  });
});
