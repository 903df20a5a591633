/**
 * `npm run bench`: unary add(1, 2) through Conduit over TCP beside three baselines, each against
 * a server in another process. Options: `--quick` (smoke test), `--json <file>`,
 * `--only <id,id>` (raw-tcp, fork-ipc, grpc, conduit-tcp).
 */
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { startServer, type ServerProcess } from './child.js';
import type { BenchClient } from './clients/bench-client.js';
import { measureInFlight, measureSequential, type InFlightResult, type InFlightRound, type RoundPlan, type SequentialResult, type SequentialRound } from './measure.js';
import { median } from './stats.js';
import { targets, type Target, type TargetId } from './targets.js';

/** Calls outstanding at once in the throughput measurement. */
const IN_FLIGHT = 64;

interface Plans {
  sequential: RoundPlan;
  inFlight: RoundPlan;
}

/** About 14 s per target: 4 targets plus the build stay under 2 minutes on 2 cores. */
const FULL: Plans = {
  sequential: { warmupMs: 500, rounds: 7, roundMs: 800 },
  inFlight: { warmupMs: 500, rounds: 7, roundMs: 1_000 },
};
/** A smoke test: every target starts, answers and is measured, in about 2 s each. */
const QUICK: Plans = {
  sequential: { warmupMs: 100, rounds: 3, roundMs: 150 },
  inFlight: { warmupMs: 100, rounds: 3, roundMs: 150 },
};

interface TargetResult {
  id: TargetId;
  label: string;
  sequential?: SequentialResult;
  inFlight?: InFlightResult;
  error?: string;
}

/** A target whose server is up and whose client answered its check call. */
interface Opened {
  target: Target;
  server: ServerProcess | undefined;
  client: BenchClient | undefined;
  sequential: SequentialRound[];
  inFlight: InFlightRound[];
  error?: string;
}

async function open(target: Target): Promise<Opened> {
  const opened: Opened = { target, server: undefined, client: undefined, sequential: [], inFlight: [] };
  try {
    opened.server = await startServer(target.server, { ipc: target.ipc ?? false });
    opened.client = await target.open(opened.server);
    await opened.client.verify();
  } catch (error) {
    fail(opened, error);
  }
  return opened;
}

function fail(opened: Opened, error: unknown): void {
  opened.error = error instanceof Error ? error.message : String(error);
  progress(`${opened.target.id}: FAILED: ${opened.error}`);
}

/**
 * Rounds of all targets are interleaved (round 1 of each, then round 2 of each, …), so a
 * neighbour's burst on this shared machine lands on every target alike and the ratios between
 * them stay honest even when the absolute numbers wander.
 */
async function measureInterleaved(all: Opened[], plans: Plans): Promise<void> {
  const phases = [
    { name: 'sequential', plan: plans.sequential },
    { name: `${IN_FLIGHT} in flight`, plan: plans.inFlight },
  ] as const;
  for (const { name, plan } of phases) {
    for (let round = 0; round < plan.rounds; round++) {
      progress(`${name}: round ${round + 1} of ${plan.rounds}`);
      for (const opened of all) {
        if (opened.error !== undefined || opened.client === undefined) continue;
        const once: RoundPlan = { warmupMs: round === 0 ? plan.warmupMs : 0, rounds: 1, roundMs: plan.roundMs };
        try {
          if (name === 'sequential') opened.sequential.push(...(await measureSequential(opened.client.call, once)).rounds);
          else opened.inFlight.push(...(await measureInFlight(opened.client.call, once, IN_FLIGHT)).rounds);
        } catch (error) {
          fail(opened, error);
        }
      }
    }
  }
}

function resultOf(opened: Opened): TargetResult {
  const { target } = opened;
  if (opened.error !== undefined) return { id: target.id, label: target.label, error: opened.error };
  return {
    id: target.id,
    label: target.label,
    sequential: {
      p50Us: median(opened.sequential.map((r) => r.p50)),
      p99Us: median(opened.sequential.map((r) => r.p99)),
      rounds: opened.sequential,
    },
    inFlight: { inFlight: IN_FLIGHT, callsPerSec: median(opened.inFlight.map((r) => r.callsPerSec)), rounds: opened.inFlight },
  };
}

function progress(line: string): void {
  process.stderr.write(`  … ${line}\n`);
}

const us = (value: number): string => value.toFixed(1);
const perSec = (value: number): string => Math.round(value).toLocaleString('en-US');

function printTable(results: readonly TargetResult[]): void {
  const header = ['target', 'p50 µs', 'p99 µs', `${IN_FLIGHT} in flight calls/s`];
  const rows = results.map((r) =>
    r.error !== undefined
      ? [r.label, 'n/a', 'n/a', 'failed (below)']
      : [r.label, us(r.sequential!.p50Us), us(r.sequential!.p99Us), perSec(r.inFlight!.callsPerSec)],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  for (const r of results) if (r.error !== undefined) console.log(`\n${r.label} failed: ${r.error}`);
}

interface Ratio {
  name: string;
  value: number | null;
}

function ratios(results: readonly TargetResult[]): Ratio[] {
  const get = (id: TargetId): TargetResult | undefined => results.find((r) => r.id === id && r.error === undefined);
  const ratio = (top: number | undefined, bottom: number | undefined): number | null =>
    top === undefined || bottom === undefined ? null : top / bottom;
  const raw = get('raw-tcp');
  const ipc = get('fork-ipc');
  const grpc = get('grpc');
  const conduit = get('conduit-tcp');
  return [
    { name: 'Conduit p50 / raw TCP p50', value: ratio(conduit?.sequential?.p50Us, raw?.sequential?.p50Us) },
    { name: 'gRPC p50 / Conduit p50', value: ratio(grpc?.sequential?.p50Us, conduit?.sequential?.p50Us) },
    { name: 'Conduit calls/s / fork IPC calls/s', value: ratio(conduit?.inFlight?.callsPerSec, ipc?.inFlight?.callsPerSec) },
    { name: 'Conduit calls/s / gRPC calls/s', value: ratio(conduit?.inFlight?.callsPerSec, grpc?.inFlight?.callsPerSec) },
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'string' },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('usage: node --import tsx bench/run.ts [--quick] [--json <file>] [--only raw-tcp,fork-ipc,grpc,conduit-tcp]');
    return;
  }
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((id) => !targets.some((t) => t.id === id)) ?? [];
  if (unknown.length > 0) throw new Error(`--only: unknown target ${unknown.join(', ')}`);
  const selected = only === undefined ? targets : targets.filter((t) => only.includes(t.id));
  const plans = values.quick ? QUICK : FULL;

  const environment = {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    date: new Date().toISOString(),
    mode: values.quick ? 'quick' : 'full',
  };
  const plan = (p: RoundPlan): string => `${p.rounds} rounds × ${p.roundMs} ms after ${p.warmupMs} ms warmup`;
  console.log(`Conduit bench — unary add(1, 2), server in another process, 127.0.0.1`);
  console.log(`Node ${environment.node} · ${environment.cpu} · ${environment.cores} cores · ${environment.date}`);
  console.log(`sequential: ${plan(plans.sequential)}; ${IN_FLIGHT} in flight: ${plan(plans.inFlight)}`);
  console.log('p50 = median of round p50s, p99 = median of round p99s, calls/s = median of rounds\n');

  const started = performance.now();
  const all: Opened[] = [];
  try {
    for (const target of selected) all.push(await open(target));
    await measureInterleaved(all, plans);
  } finally {
    for (const opened of all) {
      await opened.client?.close().catch(() => undefined);
      await opened.server?.stop();
    }
  }
  const results = all.map(resultOf);
  const elapsedSec = (performance.now() - started) / 1000;

  console.log('');
  printTable(results);
  console.log('');
  const computed = ratios(results);
  const nameWidth = Math.max(...computed.map((r) => r.name.length));
  for (const r of computed) console.log(`${r.name.padEnd(nameWidth)}  ${r.value === null ? 'n/a' : `${r.value.toFixed(2)}×`}`);
  console.log(`\nmeasured in ${elapsedSec.toFixed(1)} s`);

  if (values.json !== undefined) {
    const report = { environment, inFlight: IN_FLIGHT, plans, elapsedSec, results, ratios: computed };
    await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${values.json}`);
  }
  if (results.some((r) => r.error !== undefined)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
