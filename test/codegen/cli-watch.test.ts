import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI } from './paths.js';
import { Scratch, expectUsageError } from './scratch.js';

/** How long one expected change may take to show; generous, a loaded CI machine is slow. */
const WAIT_MS = 10_000;
const TEST_MS = 40_000;

/** `conduit gen … --watch` in a child process, its output collected as it comes. */
class Watching {
  stdout = '';
  stderr = '';
  readonly #child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(project: Scratch, args: readonly string[]) {
    this.#child = spawn(process.execPath, [CLI, 'gen', ...args, '--watch'], { cwd: project.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.#child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.#child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** The `regenerated in <n> ms: …` lines so far, as a benchmark would parse them. */
  get runs(): { ms: number; what: string }[] {
    return [...this.stdout.matchAll(/^regenerated in (\d+) ms: (.*)$/gm)].map((m) => ({ ms: Number(m[1]), what: m[2] ?? '' }));
  }

  /** Polls until `ready()`; fails with everything the process printed if it exits or time runs out. */
  async until(what: string, ready: () => boolean): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      if (ready()) return;
      const problem = !this.alive ? 'the watcher exited' : Date.now() > deadline ? `timed out after ${WAIT_MS} ms` : undefined;
      if (problem !== undefined) throw new Error(`waiting for ${what}: ${problem}\n--- stdout\n${this.stdout}--- stderr\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }

  /** For cleanup: whatever state the test left it in, it is gone afterwards. */
  async kill(): Promise<void> {
    if (this.alive) this.#child.kill('SIGKILL');
    await this.exited;
  }
}

let project: Scratch;
let watcher: Watching | undefined;

beforeEach(() => {
  project = new Scratch();
  project.fixture('streams.ts', 'services/calculator.ts');
});

afterEach(async () => {
  await watcher?.kill();
  watcher = undefined;
  project.remove();
});

function start(...args: string[]): Watching {
  watcher = new Watching(project, args);
  return watcher;
}

/** The calculator fixture with `extra` added after `reset()`. */
function calculatorWith(extra: string): string {
  const source = project.read('services/calculator.ts');
  const anchor = '  reset(): Promise<void>;\n';
  const base = source.slice(0, source.indexOf(anchor) + anchor.length);
  return `${base}  ${extra}\n${source.slice(source.indexOf(anchor) + anchor.length).replace(/^ {2}(ping|pong|subscribe)\(.*\n/gm, '')}`;
}

describe('conduit gen --watch', () => {
  it(
    'regenerates on change, reports problems without exiting, picks up new files, and exits 0 on SIGTERM',
    async () => {
      const w = start('services/**/*.ts', '--out', 'generated');
      const output = () => (project.exists('generated/calculator.rpc.ts') ? project.read('generated/calculator.rpc.ts') : '');
      await w.until('the first run', () => w.stdout.includes('watching'));
      expect(w.stdout).toContain('wrote generated/calculator.rpc.ts (Calculator: 8 methods)\n');

      project.write('services/calculator.ts', calculatorWith('ping(): Promise<string>;'));
      await w.until('the edit to be generated', () => output().includes('ping('));
      await w.until('the run to be reported', () => w.runs.some((r) => r.what === 'wrote generated/calculator.rpc.ts'));

      project.write('services/calculator.ts', calculatorWith('subscribe(cb: () => void): Promise<void>;'));
      await w.until('the diagnostics', () => w.stderr.includes("error: parameter 'cb' has a function type, which cannot be sent over the wire"));
      await w.until('the failed run to be reported', () => w.runs.some((r) => r.what === '1 file with errors'));
      expect(w.stderr).toContain('Found 1 error in 1 file.');
      expect(w.alive).toBe(true);
      expect(output()).toContain('ping(');
      expect(output()).not.toContain('subscribe(');

      project.write('services/calculator.ts', calculatorWith('pong(): Promise<string>;'));
      await w.until('the fix to be generated', () => output().includes('pong('));

      // A new directory and a new service file in it, under the glob.
      project.fixture('streams.ts', 'services/admin/tools.ts');
      await w.until('the new file to be generated', () => project.exists('generated/tools.rpc.ts'));
      await w.until('its run to be reported', () => w.runs.some((r) => r.what === 'wrote generated/tools.rpc.ts, 1 unchanged'));

      // Editing the new file is seen too: its directory is watched now.
      project.write('services/admin/tools.ts', project.read('services/calculator.ts').replace('pong()', 'tool()'));
      await w.until('the edit in the new directory', () => project.read('generated/tools.rpc.ts').includes('tool('));

      expect(w.runs.every((r) => Number.isInteger(r.ms) && r.ms >= 0)).toBe(true);
      w.signal('SIGTERM');
      expect(await w.exited).toEqual({ code: 0, signal: null });
      expect(w.stderr).not.toMatch(/\n\s+at /);
    },
    TEST_MS,
  );

  it(
    'coalesces a burst of changes into few runs',
    async () => {
      const w = start('services/calculator.ts', '--out', 'generated');
      await w.until('the first run', () => w.stdout.includes('watching'));
      for (let i = 0; i < 10; i++) project.write('services/calculator.ts', calculatorWith(`ping(n${i}: number): Promise<string>;`));
      await w.until('the last version', () => project.read('generated/calculator.rpc.ts').includes('ping(n9: number'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(w.runs.length).toBeGreaterThan(0);
      expect(w.runs.length).toBeLessThan(10);
    },
    TEST_MS,
  );

  it(
    'follows the config file, keeps the old one while the new one is broken, and exits 0 on SIGINT',
    async () => {
      project.write('conduit.config.json', JSON.stringify({ files: ['services/*.ts'], out: 'generated' }));
      const w = start();
      await w.until('the first run', () => w.stdout.includes('watching'));
      expect(project.exists('generated/calculator.rpc.ts')).toBe(true);

      project.write('conduit.config.json', JSON.stringify({ files: ['services/*.ts'], out: 'other', proto: true }));
      await w.until('output in the new directory', () => project.exists('other/calculator.rpc.ts') && project.exists('other/calculator.proto'));

      project.write('conduit.config.json', '{ "files": ');
      await w.until('the config error', () => w.stderr.includes('conduit.config.json is not valid JSON'));
      expect(w.stderr).toContain('keeping the previous configuration');
      expect(w.alive).toBe(true);

      w.signal('SIGINT');
      expect(await w.exited).toEqual({ code: 0, signal: null });
      expect(w.stderr).not.toMatch(/\n\s+at /);
    },
    TEST_MS,
  );

  it('exits 2 when the first run cannot start, as without --watch', () => {
    expectUsageError(project.conduit(['gen', 'services/*.tsx', '--out', 'generated', '--watch']), "no service files match 'services/*.tsx'");
  });
});
