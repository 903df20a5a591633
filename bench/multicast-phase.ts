import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { RoundPlan } from './measure.js';
import { MEMBERS, type MulticastReport, type MulticastTargetId, type MulticastTargetResult } from './multicast/multicast-report.js';
import { printTable, progress } from './output.js';

export { multicastTargetIds, type MulticastTargetId } from './multicast/multicast-report.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const privateNetwork = fileURLToPath(new URL('../scripts/private-network.sh', import.meta.url));
const measureScript = fileURLToPath(new URL('./multicast/measure-multicast.ts', import.meta.url));

/** Starting 6 members and the rounds take about 20 s on 2 cores; past this the run has hung. */
const MEASURE_TIMEOUT_MS = 120_000;

export const multicastLabels: Record<MulticastTargetId, string> = {
  'conduit-multicast': `Conduit gather({ count: ${MEMBERS} }) over multicast`,
  'raw-multicast': `raw dgram multicast ping, ${MEMBERS} unicast replies`,
};

export type MulticastRow = MulticastTargetResult & { label: string };

export type MulticastPhase = { rows: MulticastRow[] } | { skipped: string };

/**
 * The multicast rows. Multicast is sent only inside a private network namespace: the members and
 * the measuring client all run in one (`scripts/private-network.sh`), which this process is not
 * in; the measuring script reports its rows as one JSON line. Where no such namespace can be made
 * the rows are skipped, saying why.
 */
export async function measureMulticast(ids: readonly MulticastTargetId[], plan: RoundPlan): Promise<MulticastPhase> {
  const probe = await runUnder(['true'], 10_000);
  if (probe.code !== 0) {
    return { skipped: `could not create a private network namespace with scripts/private-network.sh (${probe.stderr.trim().split('\n').at(-1) || `exit ${probe.code}`})` };
  }
  progress(`multicast: starting ${MEMBERS} members per target in a private network namespace`);
  const run = await runUnder(
    [process.execPath, '--import', 'tsx', measureScript, '--plan', JSON.stringify({ warmupMs: plan.warmupMs, rounds: plan.rounds, roundMs: plan.roundMs }), '--only', ids.join(',')],
    MEASURE_TIMEOUT_MS,
    true,
  );
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  let report: MulticastReport;
  try {
    report = JSON.parse(last) as MulticastReport;
  } catch {
    const why = `the measuring script ended with ${run.code} without a report${run.stderr === '' ? '' : `: ${run.stderr.trim().split('\n').at(-1)}`}`;
    return { rows: ids.map((id) => ({ id, label: multicastLabels[id], error: why })) };
  }
  return { rows: report.results.map((result) => ({ ...result, label: multicastLabels[result.id] })) };
}

/**
 * Runs `command` under scripts/private-network.sh, collecting its output. Its stdin is a pipe
 * from here: if this process dies, the measuring script sees it close and ends with its members.
 * Stderr is passed through (progress lines) when `passStderr`.
 */
function runUnder(command: string[], timeoutMs: number, passStderr = false): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', [privateNetwork, ...command], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    createInterface({ input: child.stderr! }).on('line', (line) => {
      stderr += `${line}\n`;
      if (passStderr) process.stderr.write(`${line}\n`);
    });
    const kill = (): void => void child.kill('SIGKILL');
    process.once('exit', kill);
    const timer = setTimeout(() => {
      stderr += `timed out after ${timeoutMs} ms\n`;
      kill();
    }, timeoutMs);
    const done = (code: number | null): void => {
      clearTimeout(timer);
      process.off('exit', kill);
      resolve({ code, stdout, stderr });
    };
    child.once('error', (error) => {
      stderr += `${error.message}\n`;
      done(null);
    });
    child.once('exit', (code) => done(code));
  });
}

const us = (value: number): string => value.toFixed(1);

export function printMulticastTable(rows: readonly MulticastRow[]): void {
  printTable(
    [`multicast call to ${MEMBERS} members, time to all replies, replyDelay 0`, 'p50 µs', 'p99 µs'],
    rows.map((r) => ('error' in r ? [r.label, 'n/a', 'n/a'] : [r.label, us(r.p50Us), us(r.p99Us)])),
  );
  for (const r of rows) if ('error' in r) console.log(`\n${r.label} failed: ${r.error}`);
}

/** Conduit's p50 over the raw baseline's, null unless both ran. */
export function multicastRatio(rows: readonly MulticastRow[]): number | null {
  const p50 = (id: MulticastTargetId): number | undefined => {
    const row = rows.find((r) => r.id === id);
    return row === undefined || 'error' in row ? undefined : row.p50Us;
  };
  const conduit = p50('conduit-multicast');
  const raw = p50('raw-multicast');
  return conduit === undefined || raw === undefined ? null : conduit / raw;
}
