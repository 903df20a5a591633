import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CLI, FIXTURES } from './paths.js';

/** The outcome of one run of the real `conduit` binary. */
export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A scratch project in the system temp folder, so paths print as a user would see them; the CLI
 * runs as a user runs it, the built binary in a child process. `remove()` leaves nothing behind.
 */
export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'conduit-cli-'));

  path(relative: string): string {
    return join(this.dir, relative);
  }

  /** Copies `test/codegen/fixtures/<name>` to `to` (relative to the project). */
  fixture(name: string, to: string): void {
    mkdirSync(dirname(this.path(to)), { recursive: true });
    cpSync(join(FIXTURES, name), this.path(to));
  }

  write(relative: string, text: string): void {
    mkdirSync(dirname(this.path(relative)), { recursive: true });
    writeFileSync(this.path(relative), text);
  }

  read(relative: string): string {
    return readFileSync(this.path(relative), 'utf8');
  }

  exists(relative: string): boolean {
    return existsSync(this.path(relative));
  }

  /** Runs `conduit ...args` in the project, or in `cwd` under it; bounded, so a hang fails the test. */
  conduit(args: readonly string[], cwd = '.'): Run {
    const result = spawnSync(process.execPath, [CLI, ...args], { cwd: this.path(cwd), encoding: 'utf8', timeout: 15_000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** What a user error looks like: exit code 2, the messages, the hint, and never a stack trace. */
export function expectUsageError(run: Run, ...messages: string[]): void {
  const problems: string[] = [];
  if (run.code !== 2) problems.push(`exit code ${run.code}, expected 2`);
  for (const message of messages) if (!run.stderr.includes(message)) problems.push(`stderr lacks ${JSON.stringify(message)}`);
  if (!run.stderr.includes("Run 'conduit --help' for usage.")) problems.push('stderr lacks the --help hint');
  if (/\n\s+at /.test(run.stderr)) problems.push('stderr has a stack trace');
  if (problems.length > 0) throw new Error(`${problems.join('; ')}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`);
}
