import { resolve } from 'node:path';
import type { Plan } from './cli-config.js';
import { expandJobs } from './cli-files.js';
import { displayPath } from './display-path.js';
import type { Diagnostic } from './diagnostic.js';
import type { GeneratedFile, Generator } from './generate.js';

/** What one run of every job produced, in job order. */
export interface JobsResult {
  readonly outputs: readonly GeneratedFile[];
  readonly diagnostics: readonly Diagnostic[];
  readonly failedFiles: number;
  readonly summaries: ReadonlyMap<string, string>;
  /** Every local file the generators read, absolute. */
  readonly inputs: ReadonlySet<string>;
}

/**
 * A plan with one generator per job, made on the first run (so that `--help` and usage errors do
 * not pay for loading the TypeScript compiler) and kept, so `--watch` re-reads only what changed.
 */
export class Jobs {
  readonly plan: Plan;
  #generators: readonly Generator[] | undefined;
  /** Per generator, the `inputs` of its last run as it gave them, to hand paths back in that form. */
  readonly #read: (readonly string[])[] = [];

  constructor(plan: Plan) {
    this.plan = plan;
  }

  /** Expands the inputs again (a glob may match new files) and runs every job; usage errors throw. */
  async run(): Promise<JobsResult> {
    const files = await expandJobs(this.plan.jobs);
    const generators = await this.#load();
    const outputs: GeneratedFile[] = [];
    const diagnostics: Diagnostic[] = [];
    const summaries = new Map<string, string>();
    const inputs = new Set<string>();
    let failedFiles = 0;
    generators.forEach((generator, i) => {
      const result = generator.run(files[i] ?? []);
      outputs.push(...result.outputs);
      diagnostics.push(...result.diagnostics);
      failedFiles += result.failedFiles;
      for (const [path, summary] of result.summaries) summaries.set(path, summary);
      for (const input of result.inputs) inputs.add(resolve(input));
      this.#read[i] = result.inputs;
    });
    return { outputs, diagnostics, failedFiles, summaries, inputs };
  }

  /** Tells each generator which files changed (absolute paths), in the form it reported them read. */
  invalidate(changed: readonly string[]): void {
    if (changed.length === 0) return;
    this.#generators?.forEach((generator, i) => {
      const read = new Map((this.#read[i] ?? []).map((path) => [resolve(path), path]));
      generator.invalidate(changed.map((path) => read.get(path) ?? displayPath(path)));
    });
  }

  async #load(): Promise<readonly Generator[]> {
    if (this.#generators === undefined) {
      const { Generator } = await import('./generate.js');
      this.#generators = this.plan.jobs.map((job) => new Generator({ out: displayPath(job.out), proto: job.proto, codecs: job.codecs }));
    }
    return this.#generators;
  }
}
