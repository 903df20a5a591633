/**
 * Codegen speed: `conduit gen` over a generated project of 100 services × 10 methods sharing
 * data types (generics, mapped types, unions, streams, imports), cold, then `--watch`
 * regenerating after an edit of one service file and after an edit of the shared types file.
 * The real CLI in a child process, as a user runs it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable, progress } from './output.js';
import { median } from './stats.js';

const CLI = fileURLToPath(new URL('../packages/codegen/bin/conduit.js', import.meta.url));
const SERVICES = 100;
const METHODS = 10;
/** Longest a watch run may take before the phase fails instead of hanging. */
const RUN_TIMEOUT_MS = 30_000;

export interface CodegenPlan {
  /** Cold `conduit gen` runs (each from an empty output directory). */
  readonly coldRuns: number;
  /** Edits of one service file under `--watch`. */
  readonly leafEdits: number;
  /** Edits of the shared types file (every service reads it) under `--watch`. */
  readonly sharedEdits: number;
}

export interface CodegenResult {
  readonly services: number;
  readonly methods: number;
  /** Wall time of a whole `conduit gen --proto` process, ms: median and every run. */
  readonly coldMs: number;
  readonly coldRuns: readonly number[];
  /** Edit written → regeneration reported by `--watch`, ms (medians). */
  readonly leafEditMs: number;
  readonly sharedEditMs: number;
  readonly leafEdits: readonly number[];
  readonly sharedEdits: readonly number[];
}

const SHARED = `/** Types every service shares. */
export interface Address { street: string; city: string; zip?: string }
export interface User { id: bigint; name: string; email: string | null; address: Address; tags: string[]; created: Date }
export type Status = 'active' | 'suspended' | 'deleted';
export interface Page<T> { items: T[]; next: string | null }
export type Event = { kind: 'created'; user: User } | { kind: 'deleted'; id: bigint } | { kind: 'renamed'; id: bigint; name: string };
`;

/** Method `j` of a service: the five shapes a real API mixes, in turn. */
function method(j: number): string {
  switch (j % 5) {
    case 0:
      return `  get${j}(id: bigint): Promise<User | null>;`;
    case 1:
      return `  list${j}(cursor: string | null, status?: Status): Promise<Page<User>>;`;
    case 2:
      return `  update${j}(id: bigint, patch: Partial<Omit<User, 'id'>>): Promise<User>;`;
    case 3:
      return `  watch${j}(filter: { status: Status[] }): AsyncIterable<Event>;`;
    default:
      return `  import${j}(users: AsyncIterable<User>): Promise<{ imported: number; failed: Map<string, string> }>;`;
  }
}

function service(i: number, extra = ''): string {
  const methods = Array.from({ length: METHODS }, (_, j) => method(j));
  if (extra) methods.push(extra);
  return `import type { Event, Page, Status, User } from './shared/model.js';\n\nexport interface Service${i} {\n${methods.join('\n')}\n}\n`;
}

function writeProject(dir: string): void {
  mkdirSync(join(dir, 'services/shared'), { recursive: true });
  writeFileSync(join(dir, 'services/shared/model.ts'), SHARED);
  for (let i = 0; i < SERVICES; i++) writeFileSync(join(dir, `services/service${i}.ts`), service(i));
}

const ARGS = ['gen', 'services/*.ts', '--out', 'generated', '--proto'];

function cold(dir: string): number {
  rmSync(join(dir, 'generated'), { recursive: true, force: true });
  const started = performance.now();
  const run = spawnSync(process.execPath, [CLI, ...ARGS], { cwd: dir, encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
  const elapsed = performance.now() - started;
  if (run.status !== 0) throw new Error(`conduit gen failed (${run.status ?? run.signal}): ${run.stderr}`);
  return elapsed;
}

/** `conduit gen --watch`: resolves each edit's time from the write to the run's report line. */
async function watchEdits(dir: string, plan: CodegenPlan): Promise<{ leaf: number[]; shared: number[] }> {
  const child = spawn(process.execPath, [CLI, ...ARGS, '--watch'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  /** Re-checked on every chunk of output: the condition the phase is waiting for, if any. */
  let onOutput: (() => void) | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    onOutput?.();
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const runs = () => output.split('\n').filter((l) => l.startsWith('regenerated in ')).length;
  const until = (what: string, done: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`--watch: no ${what} within ${RUN_TIMEOUT_MS} ms:\n${output}`)), RUN_TIMEOUT_MS);
      onOutput = () => {
        if (!done()) return;
        clearTimeout(timer);
        onOutput = undefined;
        resolve();
      };
      onOutput();
    });
  const edit = async (path: string, text: string): Promise<number> => {
    const before = runs();
    const started = performance.now();
    writeFileSync(join(dir, path), text);
    await until('regeneration', () => runs() > before);
    return performance.now() - started;
  };
  try {
    await until('first run', () => /^watching /m.test(output));
    const leaf: number[] = [];
    for (let n = 0; n < plan.leafEdits; n++) leaf.push(await edit('services/service42.ts', service(42, `  added${n}(value: string): Promise<void>;`)));
    const shared: number[] = [];
    for (let n = 0; n < plan.sharedEdits; n++) shared.push(await edit('services/shared/model.ts', SHARED.replace('zip?: string', `zip?: string; line${n}?: string`)));
    return { leaf, shared };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

export async function measureCodegen(plan: CodegenPlan): Promise<CodegenResult> {
  const dir = mkdtempSync(join(tmpdir(), 'conduit-bench-codegen-'));
  try {
    writeProject(dir);
    progress(`codegen: ${SERVICES} services × ${METHODS} methods, ${plan.coldRuns} cold runs`);
    const coldRuns = Array.from({ length: plan.coldRuns }, () => cold(dir));
    progress(`codegen: --watch, ${plan.leafEdits} edits of one service, ${plan.sharedEdits} of the shared types`);
    const { leaf, shared } = await watchEdits(dir, plan);
    return {
      services: SERVICES,
      methods: SERVICES * METHODS,
      coldMs: median(coldRuns),
      coldRuns,
      leafEditMs: median(leaf),
      sharedEditMs: median(shared),
      leafEdits: leaf,
      sharedEdits: shared,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printCodegenTable(result: CodegenResult): void {
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  printTable(
    ['codegen (100 services × 10 methods, --proto)', 'median', 'runs', 'goal'],
    [
      ['conduit gen, cold process', ms(result.coldMs), result.coldRuns.map((v) => v.toFixed(0)).join(' '), '< 5000 ms'],
      ['--watch, one service file edited', ms(result.leafEditMs), result.leafEdits.map((v) => v.toFixed(0)).join(' '), '< 500 ms'],
      ['--watch, shared types edited (all 100 regenerate)', ms(result.sharedEditMs), result.sharedEdits.map((v) => v.toFixed(0)).join(' '), '—'],
    ],
  );
}
