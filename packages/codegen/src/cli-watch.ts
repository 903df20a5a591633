import { statSync, watch as watchDirectory, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { planJobs, type Flags } from './cli-config.js';
import { EXIT_OK, UsageError, formatUsageError } from './cli-exit.js';
import { isServiceCandidate, watchedDirectories } from './cli-files.js';
import { Jobs } from './cli-jobs.js';
import { diagnosticReport, outputLine, writeOutputs, type Written } from './cli-output.js';
import { displayPath } from './display-path.js';

/** Changes closer together than this are one regeneration: an editor's save is often several writes. */
export const DEBOUNCE_MS = 50;

/**
 * `conduit gen --watch`: generates once like `conduit gen`, then again after every change to a
 * file a run read, to the config file, or to a directory a glob searches (a new service file).
 * Problems of a later run are printed and watching goes on. Resolves with 0 on SIGINT or SIGTERM,
 * after the run in progress, if any, has finished and every watcher is closed. A usage error in
 * the first run (a missing file, a glob matching nothing) rejects, as without `--watch`.
 */
export async function watch(flags: Flags): Promise<number> {
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const onSignal = () => stop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const session = new WatchSession(flags);
  try {
    await session.start();
    await stopped;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await session.close();
  }
  return EXIT_OK;
}

/**
 * Directories are watched rather than files, each on its own (not `recursive`): an editor that
 * saves by writing a new file and renaming it over the old one replaces the file a watch on it
 * would follow, and Node 20's recursive watching on Linux is a JavaScript walk that watches every
 * file below. A glob reaching into subdirectories has each of them watched, recomputed every run.
 */
class WatchSession {
  readonly #flags: Flags;
  #jobs: Jobs | undefined;
  readonly #watchers = new Map<string, FSWatcher>();
  /** Directories a glob searches: a new service file or directory there may be a new input. */
  #globbed: ReadonlySet<string> = new Set();
  /** Files the last good run read, and the paths named without a glob: a change to one is a change. */
  #inputs: ReadonlySet<string> = new Set();
  #named: ReadonlySet<string> = new Set();
  readonly #pending = new Set<string>();
  readonly #warned = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(flags: Flags) {
    this.#flags = flags;
  }

  async start(): Promise<void> {
    const jobs = new Jobs(planJobs(this.#flags));
    this.#jobs = jobs;
    const result = await jobs.run();
    const written = await writeOutputs(result.outputs, result.summaries);
    for (const output of written) process.stdout.write(`${outputLine(output)}\n`);
    process.stderr.write(diagnosticReport(result.diagnostics, result.failedFiles));
    this.#inputs = result.inputs;
    this.#refreshWatchers();
    if (this.#watchers.size === 0) throw new UsageError('cannot watch any of the input directories');
    const count = this.#watchers.size;
    process.stdout.write(`watching ${count} director${count === 1 ? 'y' : 'ies'} for changes; press Ctrl-C to stop\n`);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
    await this.#running;
  }

  #onChange(dir: string, name: string | null): void {
    if (this.#closed) return;
    // Without a name (rare), anything in the directory may have changed.
    const paths = name === null ? [...this.#inputs].filter((p) => dirname(p) === dir) : [join(dir, name)];
    const relevant = paths.filter((path) => this.#isRelevant(dir, path));
    if (relevant.length === 0 && !(name === null && this.#globbed.has(dir))) return;
    for (const path of relevant) this.#pending.add(path);
    this.#schedule();
  }

  /** Skips what cannot change the result, conduit's own writes included (`.rpc.ts`, `.proto`). */
  #isRelevant(dir: string, path: string): boolean {
    if (this.#inputs.has(path) || this.#named.has(path) || path === this.#jobs?.plan.config) return true;
    if (!this.#globbed.has(dir)) return false;
    if (isServiceCandidate(path) || this.#watchers.has(path)) return true;
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  }

  /** Waits for a quiet moment, so a burst of changes is one run. */
  #schedule(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, DEBOUNCE_MS);
  }

  /** One run at a time: changes during a run are kept for the next. */
  #flush(): void {
    if (this.#closed || this.#running !== undefined) return;
    const changed = [...this.#pending];
    this.#pending.clear();
    this.#running = this.#rerun(changed).finally(() => {
      this.#running = undefined;
      if (this.#pending.size > 0 && !this.#closed) this.#schedule();
    });
  }

  async #rerun(changed: readonly string[]): Promise<void> {
    const started = performance.now();
    try {
      this.#jobs?.invalidate(changed);
      const config = this.#jobs?.plan.config;
      if (config !== undefined && changed.includes(config)) this.#reload();
      const jobs = this.#jobs;
      if (jobs === undefined) return;
      const result = await jobs.run();
      const written = await writeOutputs(result.outputs, result.summaries);
      const ms = Math.round(performance.now() - started);
      process.stderr.write(diagnosticReport(result.diagnostics, result.failedFiles));
      process.stdout.write(`regenerated in ${ms} ms: ${describeRun(written, result.failedFiles)}\n`);
      this.#inputs = result.inputs;
    } catch (error) {
      process.stderr.write(describeError(error));
    }
    this.#refreshWatchers();
  }

  /** The config file changed: new jobs from it, or on a mistake in it, the old ones. */
  #reload(): void {
    try {
      this.#jobs = new Jobs(planJobs(this.#flags));
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      process.stderr.write(`${formatUsageError(error)}conduit: keeping the previous configuration until that is fixed\n`);
    }
  }

  #refreshWatchers(): void {
    if (this.#closed || this.#jobs === undefined) return;
    const { plan } = this.#jobs;
    const dirs = watchedDirectories(plan.jobs);
    this.#globbed = dirs.globbed;
    this.#named = dirs.named;
    const wanted = new Set(dirs.all);
    for (const input of this.#inputs) wanted.add(dirname(input));
    if (plan.config !== undefined) wanted.add(dirname(plan.config));
    for (const [dir, watcher] of this.#watchers) {
      if (wanted.has(dir)) continue;
      watcher.close();
      this.#watchers.delete(dir);
    }
    for (const dir of wanted) if (!this.#watchers.has(dir)) this.#watch(dir);
  }

  #watch(dir: string): void {
    try {
      const watcher = watchDirectory(dir, (_event, name) => this.#onChange(dir, name));
      // The directory went away: stop watching; a later run watches it again if it comes back.
      watcher.on('error', () => {
        watcher.close();
        if (this.#watchers.get(dir) === watcher) this.#watchers.delete(dir);
      });
      this.#watchers.set(dir, watcher);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || this.#warned.has(dir)) return;
      this.#warned.add(dir);
      const hint = code === 'ENOSPC' ? ': the system limit on watched directories is reached (fs.inotify.max_user_watches)' : '';
      process.stderr.write(`conduit: cannot watch ${displayPath(dir)} (${code ?? String(error)})${hint}\n`);
    }
  }
}

/** `wrote generated/a.rpc.ts, 3 unchanged`: each file written, then counts. */
function describeRun(written: readonly Written[], failedFiles: number): string {
  const parts = written.filter((w) => w.written).map((w) => `wrote ${w.path}`);
  const unchanged = written.filter((w) => !w.written).length;
  if (unchanged > 0) parts.push(`${unchanged} unchanged`);
  if (failedFiles > 0) parts.push(`${failedFiles} file${failedFiles === 1 ? '' : 's'} with errors`);
  return parts.length > 0 ? parts.join(', ') : 'nothing generated';
}

/**
 * A failed run while watching is reported and watching goes on: usage errors and file system
 * errors (a file deleted mid-save) briefly, anything else, a bug in conduit, with its stack.
 */
function describeError(error: unknown): string {
  if (error instanceof UsageError) return formatUsageError(error);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return `conduit: ${(error as Error).message}\n`;
  return `conduit: unexpected error, still watching:\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`;
}
