import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import yargs from 'yargs';
import { formatDiagnostics } from './diagnostic.js';
import { emitFile } from './emit-file.js';
import type { ServiceFile } from './model.js';
import { VERSION } from './version.js';

/** Exit codes: documented in the README, relied on by scripts. */
export const EXIT_OK = 0;
export const EXIT_DIAGNOSTICS = 1;
export const EXIT_USAGE = 2;

/** A mistake in how conduit was invoked: printed without a stack trace, exit code 2. */
class UsageError extends Error {}

const SERVICE_HELP = `A service is an exported interface whose members are all methods; interfaces and type
aliases with properties are data types. A method returns Promise<T> (a call with a reply),
AsyncIterable<T> (a stream of replies) or void (one-way). One parameter may be AsyncIterable<T>,
a stream the caller sends: not optional, and the method then returns Promise<R> or
AsyncIterable<R>. Parameters, stream messages and properties may be number, string, boolean,
null, arrays, T | null, object types, and interfaces or type aliases declared in the same file.

  // services/calculator.ts
  export interface Point { x: number; y: number }
  export interface Calculator {
    add(a: number, b: number): Promise<number>;                // unary
    centroid(points: Point[]): Promise<Point>;                 // unary, structured data
    countdown(from: number): AsyncIterable<number>;            // server stream
    total(values: AsyncIterable<number>): Promise<number>;     // client stream
    echo(lines: AsyncIterable<string>): AsyncIterable<string>; // bidirectional stream
    log(line: string): void;                                   // one-way, no reply
  }`;

const GEN_EXAMPLE = `conduit gen services/calculator.ts --out generated`;

/**
 * Runs the CLI with `argv` (without node and script) and resolves to the exit code. Only user
 * errors are caught; anything else is a bug in conduit and keeps its stack trace.
 */
export async function main(argv: readonly string[]): Promise<number> {
  let result = EXIT_OK;
  const parser = yargs([...argv])
    .scriptName('conduit')
    .usage(`conduit <command> [options]\n\nTyped RPC stubs from TypeScript service interfaces.\n\n${SERVICE_HELP}`)
    .command(
      'gen <files..>',
      'Generate <name>.rpc.ts (client, handlers, service definition, validators) for each service file',
      (y) =>
        y
          .usage(`conduit gen <files..> --out <dir>\n\nWrites <dir>/<name>.rpc.ts for each input <name>.ts.\n\n${SERVICE_HELP}`)
          .positional('files', { type: 'string', array: true, demandOption: true, describe: 'Service files (.ts)' })
          .option('out', { type: 'string', demandOption: true, requiresArg: true, describe: 'Directory for the generated files' })
          .example(GEN_EXAMPLE, 'writes generated/calculator.rpc.ts'),
      async (args) => {
        result = await generate(args.files, args.out);
      },
    )
    .example(GEN_EXAMPLE, 'writes generated/calculator.rpc.ts')
    .epilog('Exit codes: 0 success, 1 problems found in a service file, 2 usage error.')
    .demandCommand(1, 'Say which command to run, e.g. conduit gen.')
    .strict()
    .version(VERSION)
    .help()
    .wrap(null)
    .exitProcess(false)
    .fail((message, error) => {
      // yargs reports its own argument checks as YError; anything else came from a handler.
      if (error && error.name !== 'YError') throw error;
      throw new UsageError(message || error?.message || 'invalid arguments');
    });
  try {
    await parser.parseAsync();
    return result;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`conduit: ${error.message}\nRun 'conduit --help' for usage.\n`);
    return EXIT_USAGE;
  }
}

async function generate(files: readonly string[], out: string): Promise<number> {
  const inputs = await readInputs(files);
  // Loaded here so `--help` and usage errors do not pay for loading the TypeScript compiler.
  const { parseServiceFile } = await import('./parse.js');
  let failed = 0;
  const diagnostics: string[] = [];
  const generated: { file: ServiceFile; path: string }[] = [];
  for (const input of inputs) {
    const parsed = parseServiceFile(input);
    if (parsed.file) {
      generated.push({ file: parsed.file, path: join(out, `${basename(input.path, '.ts')}.rpc.ts`) });
    } else {
      failed += 1;
      diagnostics.push(...parsed.diagnostics.map((d) => formatDiagnostics([d])));
    }
  }
  await mkdir(out, { recursive: true });
  for (const { file, path } of generated) {
    const written = await writeIfChanged(path, emitFile(file, { version: VERSION }));
    process.stdout.write(`${written ? 'wrote' : 'unchanged'} ${displayPath(path)} (${summary(file)})\n`);
  }
  if (diagnostics.length === 0) return EXIT_OK;
  const errors = `${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'}`;
  process.stderr.write(`${diagnostics.join('\n\n')}\n\nFound ${errors} in ${failed} file${failed === 1 ? '' : 's'}.\n`);
  return EXIT_DIAGNOSTICS;
}

/** Reads every input first, so a typo in any path fails the run before anything is written. */
async function readInputs(files: readonly string[]): Promise<{ path: string; text: string }[]> {
  const problems: string[] = [];
  const inputs: { path: string; text: string }[] = [];
  const outputs = new Map<string, string>();
  for (const file of files) {
    const path = displayPath(file);
    if (!file.endsWith('.ts') || file.endsWith('.d.ts')) {
      problems.push(`${path} is not a .ts service file`);
      continue;
    }
    const previous = outputs.get(basename(file));
    if (previous) problems.push(`${previous} and ${path} would both write ${basename(file, '.ts')}.rpc.ts`);
    outputs.set(basename(file), path);
    try {
      inputs.push({ path, text: await readFile(file, 'utf8') });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push(code === 'ENOENT' ? `cannot find ${path}` : `cannot read ${path} (${code ?? String(error)})`);
    }
  }
  if (problems.length > 0) throw new UsageError(problems.join('\nconduit: '));
  return inputs;
}

/** Leaves the file alone (and its mtime, so watchers and build tools stay quiet) when unchanged. */
async function writeIfChanged(path: string, text: string): Promise<boolean> {
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing === text) return false;
  await writeFile(path, text);
  return true;
}

function summary(file: ServiceFile): string {
  return file.services
    .map((s) => `${s.name}: ${s.methods.length} method${s.methods.length === 1 ? '' : 's'}`)
    .join(', ');
}

/** Paths as the user would type them: relative to the working directory, forward slashes. */
function displayPath(path: string): string {
  return relative(process.cwd(), resolve(path)).split('\\').join('/');
}
