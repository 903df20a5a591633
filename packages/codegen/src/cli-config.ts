import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './cli-exit.js';
import { displayPath } from './display-path.js';
import { CODEC_NAMES as CODECS, type CodecName } from './codec-names.js';

export { CODECS };
export const DEFAULT_CODECS: readonly CodecName[] = ['msgpack'];

/** Looked for in the working directory, then the `"conduit"` key of its package.json. */
export const CONFIG_FILE = 'conduit.config.json';

const JOB_KEYS = ['files', 'out', 'proto', 'codecs'] as const;

export const CONFIG_EXAMPLE = '{ "files": ["services/**/*.ts"], "out": "generated" }';

const NO_INPUTS = [
  `no input files. Name them on the command line: conduit gen 'services/**/*.ts' --out generated`,
  `or list them in ${CONFIG_FILE} (or under "conduit" in package.json): ${CONFIG_EXAMPLE}`,
];

/** What the command line said; `undefined` (or no files) where it said nothing. */
export interface Flags {
  readonly files: readonly string[];
  readonly out?: string | undefined;
  readonly proto?: boolean | undefined;
  readonly codecs?: readonly CodecName[] | undefined;
  readonly config?: string | undefined;
}

/** One generation: service files in, one output directory and one set of options. */
export interface Job {
  /** Paths and globs as written, relative to `base`. */
  readonly files: readonly string[];
  /** The absolute directory `files` are relative to: the config file's, or the working directory. */
  readonly base: string;
  /** Absolute. */
  readonly out: string;
  readonly proto: boolean;
  readonly codecs: readonly CodecName[];
}

/** Everything one `conduit gen` does. */
export interface Plan {
  readonly jobs: readonly Job[];
  /** The config file read (absolute), which `--watch` watches too. */
  readonly config?: string | undefined;
}

/** A config's values for one job, checked but not yet merged with the command line. */
interface JobFields {
  readonly files?: readonly string[] | undefined;
  readonly out?: string | undefined;
  readonly proto?: boolean | undefined;
  readonly codecs?: readonly CodecName[] | undefined;
}

interface Config {
  /** Absolute path of the file. */
  readonly path: string;
  /** How messages name it: `conduit.config.json`, `package.json`. */
  readonly name: string;
  /** `"conduit."` when the config is a key of package.json, so messages name keys as written. */
  readonly prefix: string;
  /** Either one job's fields at the top level, or `"jobs"`. */
  readonly single?: JobFields;
  readonly jobs?: readonly JobFields[];
}

/**
 * Works out the jobs from the command line and the config file, if any. With one job at the top
 * of the config, each flag overrides its key (files on the command line replace `"files"`). With
 * `"jobs"`, `--proto` and `--codec` apply to every job and files or `--out` are a usage error.
 */
export function planJobs(flags: Flags, cwd = process.cwd()): Plan {
  const config = loadConfig(flags.config, cwd);
  if (config === undefined) {
    if (flags.files.length === 0) throw new UsageError(NO_INPUTS);
    return { jobs: [merge(flags, {}, cwd, cwd, undefined)] };
  }
  const base = dirname(config.path);
  if (config.jobs !== undefined) {
    if (flags.files.length > 0 || flags.out !== undefined) {
      throw new UsageError(
        `${config.name} has "${config.prefix}jobs", each with its own files and out: give neither on the command line (--proto and --codec apply to every job)`,
      );
    }
    const jobs = config.jobs;
    return { jobs: jobs.map((fields) => merge(flags, fields, base, cwd, config.name)), config: config.path };
  }
  return { jobs: [merge(flags, config.single ?? {}, base, cwd, config.name)], config: config.path };
}

function merge(flags: Flags, fields: JobFields, base: string, cwd: string, configName: string | undefined): Job {
  const fromFlags = flags.files.length > 0;
  const files = fromFlags ? flags.files : (fields.files ?? []);
  if (files.length === 0) {
    throw new UsageError(configName === undefined ? NO_INPUTS : `no input files: ${configName} has no "files" and none were given on the command line`);
  }
  const out = flags.out !== undefined ? resolve(cwd, flags.out) : fields.out !== undefined ? resolve(base, fields.out) : undefined;
  if (out === undefined) {
    throw new UsageError(`no output directory: give --out <dir>${configName === undefined ? '' : `, or "out" in ${configName}`}`);
  }
  return {
    files,
    base: fromFlags ? cwd : base,
    out,
    proto: flags.proto ?? fields.proto ?? false,
    codecs: flags.codecs ?? fields.codecs ?? DEFAULT_CODECS,
  };
}

/** `--config <path>`, else ./conduit.config.json, else the "conduit" key of ./package.json, else none. */
function loadConfig(explicit: string | undefined, cwd: string): Config | undefined {
  if (explicit !== undefined) {
    const path = resolve(cwd, explicit);
    const name = displayPath(path);
    const text = readText(path, name);
    if (text === undefined) throw new UsageError(`cannot find config file ${name}`);
    const json = parseJson(text, name);
    if (basename(path) !== 'package.json') return readConfig(json, path, name, '');
    if (!isRecord(json) || !Object.hasOwn(json, 'conduit')) throw new UsageError(`${name} has no "conduit" key`);
    return readConfig(json['conduit'], path, name, 'conduit.');
  }
  const own = join(cwd, CONFIG_FILE);
  const text = readText(own, CONFIG_FILE);
  if (text !== undefined) return readConfig(parseJson(text, CONFIG_FILE), own, CONFIG_FILE, '');
  const pkg = join(cwd, 'package.json');
  const pkgText = readText(pkg, 'package.json');
  if (pkgText === undefined) return undefined;
  const json = parseJson(pkgText, 'package.json');
  if (!isRecord(json) || !Object.hasOwn(json, 'conduit')) return undefined;
  return readConfig(json['conduit'], pkg, 'package.json', 'conduit.');
}

/** The file's text, or undefined when there is no such file. */
function readText(path: string, name: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read ${name} (${code ?? String(error)})`);
  }
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${name} is not valid JSON: ${(error as Error).message}`);
  }
}

function readConfig(value: unknown, path: string, name: string, prefix: string): Config {
  const fail = (message: string) => new UsageError(`${name}: ${message}`);
  if (!isRecord(value)) {
    throw fail(`${prefix === '' ? 'the config' : `"${prefix.slice(0, -1)}"`} must be an object such as ${CONFIG_EXAMPLE}, got ${describe(value)}`);
  }
  if (!Object.hasOwn(value, 'jobs')) return { path, name, prefix, single: readJob(value, prefix, fail, false) };
  const others = Object.keys(value).filter((key) => key !== 'jobs');
  checkKeys(others, prefix, fail, true);
  if (others.length > 0) {
    throw fail(`"${prefix}jobs" cannot be combined with ${others.map((k) => `"${prefix}${k}"`).join(', ')}: give those in each job`);
  }
  const jobs = value['jobs'];
  if (!Array.isArray(jobs) || jobs.length === 0) {
    throw fail(`"${prefix}jobs" must be a non-empty array of jobs such as ${CONFIG_EXAMPLE}, got ${describe(jobs)}`);
  }
  return {
    path,
    name,
    prefix,
    jobs: jobs.map((job: unknown, i) => {
      const where = `${prefix}jobs[${i}]`;
      if (!isRecord(job)) throw fail(`"${where}" must be an object such as ${CONFIG_EXAMPLE}, got ${describe(job)}`);
      return readJob(job, `${where}.`, fail, true);
    }),
  };
}

function readJob(value: Record<string, unknown>, prefix: string, fail: (message: string) => UsageError, inJobs: boolean): JobFields {
  checkKeys(Object.keys(value), prefix, fail, !inJobs);
  const key = (k: string) => `"${prefix}${k}"`;
  if (inJobs) {
    for (const required of ['files', 'out']) {
      if (!Object.hasOwn(value, required)) throw fail(`${key(required)} is missing: each job needs "files" and "out"`);
    }
  }
  const { files, out, proto, codecs } = value;
  if (files !== undefined) {
    if (!Array.isArray(files) || files.length === 0) {
      throw fail(`${key('files')} must be a non-empty array of paths or globs such as ["services/**/*.ts"], got ${describe(files)}`);
    }
    files.forEach((file: unknown, i) => {
      if (typeof file !== 'string' || file === '') throw fail(`${key(`files[${i}]`)} must be a path or glob, got ${describe(file)}`);
    });
  }
  if (out !== undefined && (typeof out !== 'string' || out === '')) {
    throw fail(`${key('out')} must be a directory name such as "generated", got ${describe(out)}`);
  }
  if (proto !== undefined && typeof proto !== 'boolean') throw fail(`${key('proto')} must be true or false, got ${describe(proto)}`);
  if (codecs !== undefined) {
    if (!Array.isArray(codecs) || codecs.length === 0) {
      throw fail(`${key('codecs')} must be a non-empty array of ${CODECS.map((c) => `"${c}"`).join(', ')}, got ${describe(codecs)}`);
    }
    codecs.forEach((codec: unknown, i) => {
      if (!CODECS.includes(codec as CodecName)) {
        throw fail(`${key(`codecs[${i}]`)} must be one of ${CODECS.map((c) => `"${c}"`).join(', ')}, got ${describe(codec)}`);
      }
    });
  }
  return {
    files: files as readonly string[] | undefined,
    out: out as string | undefined,
    proto: proto as boolean | undefined,
    codecs: codecs === undefined ? undefined : [...new Set(codecs as CodecName[])],
  };
}

function checkKeys(keys: readonly string[], prefix: string, fail: (message: string) => UsageError, jobsAllowed: boolean): void {
  const known: readonly string[] = jobsAllowed ? [...JOB_KEYS, 'jobs'] : JOB_KEYS;
  const unknown = keys.find((k) => !known.includes(k));
  if (unknown !== undefined) {
    throw fail(`unknown key "${prefix}${unknown}" (the keys are ${known.map((k) => `"${k}"`).join(', ')})`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
