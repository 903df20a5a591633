import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { Job } from './cli-config.js';
import { UsageError } from './cli-exit.js';
import { displayPath } from './display-path.js';

/** Never searched by a glob: dependencies are not the project's services. */
const IGNORED_DIRECTORIES = ['node_modules'];

/** Any character that may start glob syntax; broad on purpose, for finding the part of a glob before it. */
const GLOB_SYNTAX = /[*?[\]{}()!+@]/;

/** What a glob brings in: TypeScript sources, not declarations and not conduit's own `.rpc.ts` output. */
export function isServiceCandidate(path: string): boolean {
  return path.endsWith('.ts') && !path.endsWith('.d.ts') && !path.endsWith('.rpc.ts');
}

/**
 * Expands each job's paths and globs into the service files to generate from, as the user would
 * type them (relative to the working directory), in the order given and each file once per job;
 * a glob's matches in path order. Every problem with every job is found before one usage error
 * is thrown, so nothing is generated from a half-right command.
 */
export async function expandJobs(jobs: readonly Job[]): Promise<string[][]> {
  const problems: string[] = [];
  const expanded: string[][] = [];
  for (const job of jobs) expanded.push(await expandJob(job, problems));
  checkOutputNames(jobs, expanded, problems);
  if (problems.length > 0) throw new UsageError(problems);
  return expanded;
}

async function expandJob(job: Job, problems: string[]): Promise<string[]> {
  const files: string[] = [];
  const seen = new Set<string>();
  const add = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    files.push(displayPath(path));
  };
  for (const spec of job.files) {
    const path = resolve(job.base, spec);
    if (!isGlob(spec, path)) {
      const problem = checkPath(path);
      if (problem === undefined) add(path);
      else problems.push(problem);
      continue;
    }
    const matches = await glob(toPattern(spec), {
      cwd: job.base,
      absolute: true,
      onlyFiles: true,
      expandDirectories: false,
      ignore: IGNORED_DIRECTORIES.map((d) => `**/${d}/**`),
    });
    const services = matches.map((m) => resolve(m)).filter(isServiceCandidate).sort();
    if (services.length === 0) {
      const others = matches.length === 0 ? '' : ` (${matches.length} other file${matches.length === 1 ? '' : 's'}: .d.ts, .rpc.ts and non-.ts files are skipped)`;
      problems.push(`no service files match '${spec}'${others}`);
    }
    services.forEach(add);
  }
  return files;
}

/** A path with glob syntax, unless a file of exactly that name exists (`routes/[id].ts`). */
function isGlob(spec: string, path: string): boolean {
  if (!isDynamicPattern(toPattern(spec))) return false;
  try {
    return !statSync(path).isFile();
  } catch {
    return true;
  }
}

/** Globs use forward slashes on every platform. */
function toPattern(spec: string): string {
  return sep === '\\' ? spec.split('\\').join('/') : spec;
}

/** Why an explicitly named input cannot be used, or undefined when it can. */
function checkPath(path: string): string | undefined {
  const shown = displayPath(path);
  if (!path.endsWith('.ts') || path.endsWith('.d.ts')) return `${shown} is not a .ts service file`;
  try {
    if (!statSync(path).isFile()) return `${shown} is not a .ts service file`;
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `cannot find ${shown}` : `cannot read ${shown} (${code ?? String(error)})`;
  }
}

/** Two inputs named alike would overwrite each other's output: within a job, or across jobs sharing an `out`. */
function checkOutputNames(jobs: readonly Job[], expanded: readonly string[][], problems: string[]): void {
  const writers = new Map<string, string>();
  jobs.forEach((job, i) => {
    for (const file of expanded[i] ?? []) {
      const output = join(job.out, `${basename(file, '.ts')}.rpc.ts`);
      const previous = writers.get(output);
      if (previous === undefined) writers.set(output, file);
      else if (previous === file) problems.push(`${file} is in two jobs that would both write ${displayPath(output)}`);
      else problems.push(`${previous} and ${file} would both write ${displayPath(output)}`);
    }
  });
}

/** The directories `--watch` watches for the jobs' paths, besides those of the files a run read. */
export interface WatchedDirectories {
  /** Every directory to watch. */
  readonly all: ReadonlySet<string>;
  /** Those a glob searches, where a new file or directory may mean a new input. */
  readonly globbed: ReadonlySet<string>;
  /** The files named without a glob, absolute, whether they exist or not. */
  readonly named: ReadonlySet<string>;
}

/**
 * A glob's directories are the one before its first wildcard and, when the glob reaches below
 * it (`services/**\/*.ts`, `services/*\/api.ts`), every directory under that one except
 * node_modules and hidden ones. Recomputed after every run, so new directories are picked up.
 */
export function watchedDirectories(jobs: readonly Job[]): WatchedDirectories {
  const all = new Set<string>();
  const globbed = new Set<string>();
  const named = new Set<string>();
  for (const job of jobs) {
    for (const spec of job.files) {
      const path = resolve(job.base, spec);
      if (!isGlob(spec, path)) {
        all.add(dirname(path));
        named.add(path);
        continue;
      }
      const segments = toPattern(spec).split('/');
      const wild = segments.findIndex((s) => GLOB_SYNTAX.test(s));
      const root = resolve(job.base, segments.slice(0, wild).join('/') || '.');
      if (segments.length - wild > 1) addTree(root, globbed);
      else globbed.add(root);
    }
  }
  for (const dir of globbed) all.add(dir);
  return { all, globbed, named };
}

function addTree(dir: string, into: Set<string>): void {
  into.add(dir);
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry.isDirectory() && !entry.name.startsWith('.') && !IGNORED_DIRECTORIES.includes(entry.name)) {
      addTree(join(dir, entry.name), into);
    }
  }
}
