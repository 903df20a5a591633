import yargs from 'yargs';
import { CODECS, CONFIG_FILE, planJobs, type Flags } from './cli-config.js';
import { EXIT_DIAGNOSTICS, EXIT_OK, EXIT_USAGE, UsageError, formatUsageError } from './cli-exit.js';
import { Jobs } from './cli-jobs.js';
import { diagnosticReport, findStale, outputLine, writeOutputs } from './cli-output.js';
import { watch } from './cli-watch.js';
import type { CodecName } from './codec-names.js';
import { VERSION } from './version.js';

/** Exit codes: documented in the README, relied on by scripts. */
export { EXIT_DIAGNOSTICS, EXIT_OK, EXIT_USAGE } from './cli-exit.js';

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

const EXIT_CODES =
  'Exit codes: 0 success, 1 problems found in a service file (with --check: or a generated file is missing or out of date), 2 usage error.';

const GEN_HELP = `conduit gen [files..] --out <dir> [options]

Writes <dir>/<name>.rpc.ts for each input <name>.ts, and <dir>/<name>.proto with --proto.

Files are paths or globs. Quote a glob ('services/**/*.ts') so conduit expands it, the same way on
every shell. A glob skips .d.ts files, generated .rpc.ts files, other files and node_modules, and
one matching nothing is an error. Paths are relative to the working directory.

A config file can give the files and options instead: ./${CONFIG_FILE}, else the "conduit"
key of ./package.json, or the file given with --config. Paths in it are relative to its
directory. Files and options on the command line override its values.
  { "files": ["services/**/*.ts"], "out": "generated", "proto": true, "codecs": ["msgpack", "protobuf"] }
Several output directories: "jobs", each with its own "files" and "out" (and "proto", "codecs").
Files and --out cannot then be given on the command line; --proto and --codec apply to every job.
  { "jobs": [{ "files": ["api/*.ts"], "out": "api/generated" }, { "files": ["admin/*.ts"], "out": "admin/generated" }] }

--check writes nothing: it lists each generated file that is missing or differs from what would be
generated ('stale: generated/calculator.rpc.ts') and exits 1 if there is one. For CI.

--watch generates, then again whenever an input, the config file or a directory a glob searches
changes, printing 'regenerated in <n> ms: wrote <file>, <n> unchanged' or the problems, until
Ctrl-C (exit code 0). It watches directories, each on its own, and a glob's subdirectories.

${SERVICE_HELP}`;

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
      'gen [files..]',
      'Generate <name>.rpc.ts (client, handlers, service definition, validators) for each service file',
      (y) =>
        y
          .usage(GEN_HELP)
          .positional('files', { type: 'string', array: true, describe: 'Service files (.ts) or quoted globs', defaultDescription: '"files" of the config file' })
          .option('out', { type: 'string', requiresArg: true, describe: 'Directory for the generated files (required unless the config gives "out")' })
          .option('proto', { type: 'boolean', describe: 'Also write <name>.proto, the protobuf schema of each service file' })
          .option('codec', {
            type: 'string',
            requiresArg: true,
            choices: CODECS,
            describe: 'Codec the stubs support, repeatable (--codec msgpack --codec protobuf) or comma-separated [default: msgpack]',
            coerce: codecs,
          })
          .option('check', { type: 'boolean', describe: 'Write nothing; exit 1 if a generated file is missing or out of date' })
          .option('watch', { alias: 'w', type: 'boolean', describe: 'Generate, then again on every change, until Ctrl-C' })
          .option('config', { type: 'string', requiresArg: true, describe: `Config file [default: ./${CONFIG_FILE}, else "conduit" in ./package.json]` })
          .conflicts('check', 'watch')
          .example(GEN_EXAMPLE, 'writes generated/calculator.rpc.ts')
          .example(`conduit gen 'services/**/*.ts' --out generated --proto`, 'every service under services/, with .proto files')
          .example(`conduit gen 'services/*.ts' --out generated --codec msgpack --codec protobuf`, 'stubs that speak both codecs')
          .example('conduit gen', `files and out from ./${CONFIG_FILE} or package.json "conduit"`)
          .example('conduit gen --check', 'in CI: fails if the committed generated files are stale')
          .example('conduit gen --watch', 'regenerates on every save')
          .example('conduit gen --config tools/conduit.json', 'another config file')
          .epilog(EXIT_CODES),
      async (args) => {
        const files = (args.files ?? []).filter((file): file is string => typeof file === 'string');
        const flags: Flags = { files, out: args.out, proto: args.proto, codecs: args.codec, config: args.config };
        if (args.watch === true) result = await watch(flags);
        else if (args.check === true) result = await check(flags);
        else result = await generate(flags);
      },
    )
    .example(GEN_EXAMPLE, 'writes generated/calculator.rpc.ts')
    .example(`conduit gen 'services/**/*.ts' --out generated`, 'one <name>.rpc.ts per service file')
    .example('conduit gen --help', 'every option of gen: globs, config file, --check, --watch')
    .epilog(EXIT_CODES)
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
    process.stderr.write(`${formatUsageError(error)}Run 'conduit --help' for usage.\n`);
    return EXIT_USAGE;
  }
}

/** `--codec a --codec b` and `--codec a,b`: each name once, in the order given. */
function codecs(value: string | readonly string[]): CodecName[] {
  const names = [value].flat().flatMap((v) => String(v).split(',')).map((name) => name.trim());
  const unknown = names.find((name) => !CODECS.includes(name as CodecName));
  if (unknown !== undefined) throw new Error(`unknown codec '${unknown}' for --codec: choose from ${CODECS.join(', ')}`);
  return [...new Set(names as CodecName[])];
}

/** `conduit gen`: writes what changed, one line per output, then every problem like a compiler. */
async function generate(flags: Flags): Promise<number> {
  const result = await new Jobs(planJobs(flags)).run();
  const written = await writeOutputs(result.outputs, result.summaries);
  for (const output of written) process.stdout.write(`${outputLine(output)}\n`);
  process.stderr.write(diagnosticReport(result.diagnostics, result.failedFiles));
  return result.diagnostics.length > 0 ? EXIT_DIAGNOSTICS : EXIT_OK;
}

/** `conduit gen --check`: writes nothing; lists the outputs that differ from what would be written. */
async function check(flags: Flags): Promise<number> {
  const result = await new Jobs(planJobs(flags)).run();
  const stale = await findStale(result.outputs);
  for (const { path, missing } of stale) process.stdout.write(`stale: ${path}${missing ? ' (missing)' : ''}\n`);
  process.stderr.write(diagnosticReport(result.diagnostics, result.failedFiles));
  if (stale.length > 0) {
    const files = `${stale.length} generated file${stale.length === 1 ? ' is' : 's are'}`;
    process.stderr.write(`${files} missing or out of date: run the same command without --check to update.\n`);
  } else if (result.diagnostics.length === 0) {
    const files = `${result.outputs.length} generated file${result.outputs.length === 1 ? '' : 's'}`;
    process.stdout.write(`up to date: ${files}\n`);
  }
  return stale.length > 0 || result.diagnostics.length > 0 ? EXIT_DIAGNOSTICS : EXIT_OK;
}
