import { basename, join } from 'node:path';
import type { Diagnostic } from './diagnostic.js';
import { emitFile } from './emit-file.js';
import { emitProto } from './emit-proto.js';
import { serviceSchema } from './emit-schema.js';
import type { ServiceFile } from './model.js';
import { ServiceProgram } from './parse.js';
import { VERSION } from './version.js';

import type { CodecName } from './codec-names.js';

export type { CodecName } from './codec-names.js';

export interface GenerateOptions {
  /** Directory the generated files go to. */
  readonly out: string;
  /** Also write `<name>.proto` beside each `<name>.rpc.ts`; implies the protobuf codec. */
  readonly proto: boolean;
  /** Codecs the stubs support. msgpack needs nothing generated; protobuf adds the schema. */
  readonly codecs: readonly CodecName[];
}

export interface GeneratedFile {
  readonly path: string;
  readonly text: string;
}

export interface GenerateResult {
  /** Files to write, for the sources that had no diagnostics; deterministic text. */
  readonly outputs: readonly GeneratedFile[];
  /** Every problem in every source, in file order. */
  readonly diagnostics: readonly Diagnostic[];
  /** Sources with at least one diagnostic. */
  readonly failedFiles: number;
  /** One line per generated module, e.g. `Calculator: 7 methods`, keyed by the module's path. */
  readonly summaries: ReadonlyMap<string, string>;
  /** Every local file the sources read (themselves and what they import): what `--watch` watches. */
  readonly inputs: readonly string[];
}

/**
 * The whole of `conduit gen` except files and the terminal: sources in, texts out. One generator
 * keeps its TypeScript program between runs, so `--watch` re-checks only what changed.
 */
export class Generator {
  readonly #options: GenerateOptions;
  readonly #program = new ServiceProgram();
  readonly #emitted = new WeakMap<ServiceFile, GeneratedFile[]>();

  constructor(options: GenerateOptions) {
    this.#options = options;
  }

  /** Generates for `files` (paths as the user gave them, `.ts`, existing). */
  run(files: readonly string[]): GenerateResult {
    const protobuf = this.#options.proto || this.#options.codecs.includes('protobuf');
    const parsed = this.#program.parse(files, { protobuf });
    const outputs: GeneratedFile[] = [];
    const summaries = new Map<string, string>();
    const diagnostics: Diagnostic[] = [];
    let failedFiles = 0;
    for (const result of parsed.files) {
      if (result.file === undefined) {
        failedFiles += 1;
        diagnostics.push(...result.diagnostics);
        continue;
      }
      const module = join(this.#options.out, `${basename(result.path, '.ts')}.rpc.ts`);
      outputs.push(...this.#emit(result.file, result.path, module, protobuf));
      summaries.set(module, summary(result.file));
    }
    return { outputs, diagnostics, failedFiles, summaries, inputs: parsed.inputs };
  }

  /** The texts of one parsed file; the same model (unchanged since the last run) is emitted once. */
  #emit(file: ServiceFile, path: string, module: string, protobuf: boolean): GeneratedFile[] {
    const known = this.#emitted.get(file);
    if (known !== undefined) return known;
    const outputs = [{ path: module, text: emitFile(file, { version: VERSION, schema: protobuf }) }];
    if (this.#options.proto) {
      const schemas = file.services.map((service) => serviceSchema(file, service));
      const text = emitProto(schemas, { source: file.source, version: VERSION });
      outputs.push({ path: join(this.#options.out, `${basename(path, '.ts')}.proto`), text });
    }
    this.#emitted.set(file, outputs);
    return outputs;
  }

  /** Forgets what it read of these files, so the next run reads them again. */
  invalidate(paths: readonly string[]): void {
    this.#program.invalidate(paths);
  }
}

function summary(file: ServiceFile): string {
  return file.services
    .map((s) => `${s.name}: ${s.methods.length} method${s.methods.length === 1 ? '' : 's'}`)
    .join(', ');
}
