/**
 * `npm run bench`: unary add(1, 2) through Conduit over TCP beside three baselines, and over
 * pipes, FIFOs, shared memory and UDP beside raw baselines of the same mechanisms; a 1 MiB echo
 * over every Conduit transport; then server-streaming throughput of Conduit beside grpc-js, each
 * against a server in another process; then codegen speed. Options:
 * `--quick` (smoke test), `--json <file>`, `--only <id,id>` (raw-tcp, fork-ipc, grpc, conduit-tcp,
 * raw-pipe, conduit-pipe, raw-fifo, conduit-fifo, conduit-shm, raw-udp, conduit-udp, conduit-multicast,
 * raw-multicast, conduit-stream, grpc-stream, codegen). The multicast rows run in a private network
 * namespace of their own (multicast-phase.ts), and are skipped where none can be made.
 */
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { ECHO_BYTES, type BenchClient } from './clients/bench-client.js';
import { measureInFlight, measureSequential, type InFlightResult, type InFlightRound, type RoundPlan, type SequentialResult, type SequentialRound } from './measure.js';
import { measureMulticast, multicastRatio, multicastTargetIds, printMulticastTable, type MulticastPhase } from './multicast-phase.js';
import { measureCodegen, printCodegenTable, type CodegenPlan, type CodegenResult } from './codegen-phase.js';
import { markFailed, openTarget, type OpenedTarget } from './opened-target.js';
import { perSec, printTable, progress, ratioText } from './output.js';
import { median } from './stats.js';
import { MB, measureStreams, printStreamTable, sizeText, type StreamPlan, type StreamRow } from './stream-phase.js';
import { streamTargets } from './stream-targets.js';
import { targets, type Target, type TargetId } from './targets.js';
import { MEMBERS } from './multicast/multicast-report.js';

/** Calls outstanding at once in the throughput measurement. */
const IN_FLIGHT = 64;
/** 1 MiB echoes outstanding at once in the large-message row: enough to keep both directions busy. */
const ECHO_IN_FLIGHT = 4;

interface Plans {
  sequential: RoundPlan;
  inFlight: RoundPlan;
  streams: StreamPlan;
  codegen: CodegenPlan;
}

/**
 * The streaming rows: small messages, where per-message cost and credit round trips dominate (the
 * row the ≥ 5× gRPC goal is about), large ones, where copying bytes does, and small ones on
 * several streams at once, where one stream's wait for credit is hidden behind the others.
 */
const STREAM_SHAPES = [
  { size: 64, streams: 1 },
  { size: 64 * 1024, streams: 1 },
  { size: 64, streams: 8 },
] as const;

/**
 * About 14 s per unary target (7 more for each Conduit target's 1 MiB echo) and 22 s per
 * streaming target: 11 + 2 targets, codegen and the build take about 5 minutes on 2 cores.
 */
const FULL: Plans = {
  sequential: { warmupMs: 500, rounds: 7, roundMs: 800 },
  inFlight: { warmupMs: 500, rounds: 7, roundMs: 1_000 },
  streams: { warmupMs: 300, rounds: 7, roundMs: 1_000, shapes: STREAM_SHAPES },
  codegen: { coldRuns: 5, leafEdits: 9, sharedEdits: 3 },
};
/** A smoke test: every target starts, answers and is measured, in about 2 s each. */
const QUICK: Plans = {
  sequential: { warmupMs: 100, rounds: 3, roundMs: 150 },
  inFlight: { warmupMs: 100, rounds: 3, roundMs: 150 },
  streams: { warmupMs: 50, rounds: 3, roundMs: 150, shapes: STREAM_SHAPES },
  codegen: { coldRuns: 1, leafEdits: 2, sharedEdits: 1 },
};

interface TargetResult {
  id: TargetId;
  label: string;
  sequential?: SequentialResult;
  inFlight?: InFlightResult;
  /** The large-message row, for targets whose client can echo. */
  echo?: { inFlight: number; echoesPerSec: number; mbPerSec: number; rounds: InFlightRound[] };
  error?: string;
}

/** A target whose server is up and whose client answered its check call. */
interface Opened extends OpenedTarget<Target, BenchClient> {
  sequential: SequentialRound[];
  inFlight: InFlightRound[];
  echo: InFlightRound[];
}

async function open(target: Target): Promise<Opened> {
  return openTarget<Target, BenchClient, Opened>({ target, server: undefined, client: undefined, sequential: [], inFlight: [], echo: [] });
}

/**
 * Rounds of all targets are interleaved (round 1 of each, then round 2 of each, …), so a
 * neighbour's burst on this shared machine lands on every target alike and the ratios between
 * them stay honest even when the absolute numbers wander.
 */
async function measureInterleaved(all: Opened[], plans: Plans): Promise<void> {
  if (all.length === 0) return;
  const phases = [
    { kind: 'sequential', name: 'sequential', plan: plans.sequential },
    { kind: 'in-flight', name: `${IN_FLIGHT} in flight`, plan: plans.inFlight },
    { kind: 'echo', name: `1 MiB echo, ${ECHO_IN_FLIGHT} in flight`, plan: plans.inFlight },
  ] as const;
  for (const { kind, name, plan } of phases) {
    for (let round = 0; round < plan.rounds; round++) {
      progress(`${name}: round ${round + 1} of ${plan.rounds}`);
      for (const opened of all) {
        if (opened.error !== undefined || opened.client === undefined) continue;
        const once: RoundPlan = { warmupMs: round === 0 ? plan.warmupMs : 0, rounds: 1, roundMs: plan.roundMs };
        try {
          const { call, echo } = opened.client;
          if (kind === 'sequential') opened.sequential.push(...(await measureSequential(call, once)).rounds);
          else if (kind === 'in-flight') opened.inFlight.push(...(await measureInFlight(call, once, IN_FLIGHT)).rounds);
          else if (echo !== undefined) opened.echo.push(...(await measureInFlight(echo, once, ECHO_IN_FLIGHT)).rounds);
        } catch (error) {
          markFailed(opened, error);
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
    ...(opened.echo.length > 0 && { echo: echoResult(opened.echo) }),
  };
}

function echoResult(rounds: InFlightRound[]): NonNullable<TargetResult['echo']> {
  const echoesPerSec = median(rounds.map((r) => r.callsPerSec));
  return { inFlight: ECHO_IN_FLIGHT, echoesPerSec, mbPerSec: (echoesPerSec * ECHO_BYTES) / MB, rounds };
}

function printEchoTable(results: readonly TargetResult[]): void {
  const rows = results.filter((r) => r.echo !== undefined).map((r) => [r.label, r.echo!.echoesPerSec.toFixed(0), r.echo!.mbPerSec.toFixed(0)]);
  if (rows.length === 0) return;
  console.log('');
  printTable([`1 MiB echo, ${ECHO_IN_FLIGHT} in flight`, 'echoes/s', 'MB/s each way'], rows);
}

const us = (value: number): string => value.toFixed(1);

function printUnaryTable(results: readonly TargetResult[]): void {
  const header = ['target', 'p50 µs', 'p99 µs', `${IN_FLIGHT} in flight calls/s`];
  const rows = results.map((r) =>
    r.error !== undefined
      ? [r.label, 'n/a', 'n/a', 'failed (below)']
      : [r.label, us(r.sequential!.p50Us), us(r.sequential!.p99Us), perSec(r.inFlight!.callsPerSec)],
  );
  printTable(header, rows);
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
  const rawPipe = get('raw-pipe');
  const conduitPipe = get('conduit-pipe');
  const rawFifo = get('raw-fifo');
  const conduitFifo = get('conduit-fifo');
  const conduitShm = get('conduit-shm');
  const rawUdp = get('raw-udp');
  const conduitUdp = get('conduit-udp');
  return [
    { name: 'Conduit p50 / raw TCP p50', value: ratio(conduit?.sequential?.p50Us, raw?.sequential?.p50Us) },
    { name: 'gRPC p50 / Conduit p50', value: ratio(grpc?.sequential?.p50Us, conduit?.sequential?.p50Us) },
    { name: 'Conduit calls/s / fork IPC calls/s', value: ratio(conduit?.inFlight?.callsPerSec, ipc?.inFlight?.callsPerSec) },
    { name: 'Conduit calls/s / gRPC calls/s', value: ratio(conduit?.inFlight?.callsPerSec, grpc?.inFlight?.callsPerSec) },
    { name: 'Conduit pipe p50 / raw pipe p50', value: ratio(conduitPipe?.sequential?.p50Us, rawPipe?.sequential?.p50Us) },
    { name: 'Conduit pipe calls/s / fork IPC calls/s', value: ratio(conduitPipe?.inFlight?.callsPerSec, ipc?.inFlight?.callsPerSec) },
    { name: 'Conduit fifo p50 / raw FIFO p50', value: ratio(conduitFifo?.sequential?.p50Us, rawFifo?.sequential?.p50Us) },
    { name: 'Conduit fifo calls/s / fork IPC calls/s', value: ratio(conduitFifo?.inFlight?.callsPerSec, ipc?.inFlight?.callsPerSec) },
    { name: 'raw TCP p50 / Conduit shm p50', value: ratio(raw?.sequential?.p50Us, conduitShm?.sequential?.p50Us) },
    { name: 'Conduit shm calls/s / Conduit tcp calls/s', value: ratio(conduitShm?.inFlight?.callsPerSec, conduit?.inFlight?.callsPerSec) },
    { name: 'Conduit shm 1 MiB echo MB/s / Conduit tcp MB/s', value: ratio(conduitShm?.echo?.mbPerSec, conduit?.echo?.mbPerSec) },
    { name: 'Conduit udp p50 / raw UDP p50', value: ratio(conduitUdp?.sequential?.p50Us, rawUdp?.sequential?.p50Us) },
  ];
}

/** Every id `--only` accepts: the unary targets', the streaming targets', and the codegen phase. */
const CODEGEN = 'codegen';
const allIds: readonly string[] = [...targets.map((t) => t.id), ...multicastTargetIds, ...streamTargets.map((t) => t.id), CODEGEN];

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
    console.log(`usage: node --import tsx bench/run.ts [--quick] [--json <file>] [--only ${allIds.join(',')}]`);
    return;
  }
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((id) => !allIds.includes(id)) ?? [];
  if (unknown.length > 0) throw new Error(`--only: unknown target ${unknown.join(', ')}`);
  const selected = only === undefined ? targets : targets.filter((t) => only.includes(t.id));
  const selectedStreams = only === undefined ? streamTargets : streamTargets.filter((t) => only.includes(t.id));
  const selectedMulticast = only === undefined ? multicastTargetIds : multicastTargetIds.filter((id) => only.includes(id));
  const plans = values.quick ? QUICK : FULL;

  const environment = {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    date: new Date().toISOString(),
    mode: values.quick ? 'quick' : 'full',
  };
  const plan = (p: RoundPlan): string => `${p.rounds} rounds × ${p.roundMs} ms after ${p.warmupMs} ms warmup`;
  console.log(`Conduit bench — unary add(1, 2) and server-stream throughput (server in another process, 127.0.0.1), codegen speed`);
  console.log(`Node ${environment.node} · ${environment.cpu} · ${environment.cores} cores · ${environment.date}`);
  if (selected.length > 0) {
    console.log(`sequential: ${plan(plans.sequential)}; ${IN_FLIGHT} in flight: ${plan(plans.inFlight)}`);
    console.log('p50 = median of round p50s, p99 = median of round p99s, calls/s = median of rounds');
  }
  if (selectedMulticast.length > 0) {
    console.log(`multicast to ${MEMBERS} members, one call at a time, in a private network namespace: ${plan(plans.sequential)}`);
    if (selected.length === 0) console.log('p50 = median of round p50s, p99 = median of round p99s');
  }
  if (selectedStreams.length > 0) {
    const sizes = [...new Set(plans.streams.shapes.map((s) => sizeText(s.size)))].join(' and ');
    console.log(`server streams of ${sizes} messages: ${plan(plans.streams)}, per row; msgs/s and MB/s (10^6 payload bytes) = median of rounds`);
  }
  console.log('');

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
  const multicast: MulticastPhase | undefined = selectedMulticast.length > 0 ? await measureMulticast(selectedMulticast, plans.sequential) : undefined;
  const multicastRows = multicast !== undefined && 'rows' in multicast ? multicast.rows : [];
  const streamRows: StreamRow[] = selectedStreams.length > 0 ? await measureStreams(selectedStreams, plans.streams) : [];
  let codegen: CodegenResult | { error: string } | undefined;
  if (only === undefined || only.includes(CODEGEN)) {
    codegen = await measureCodegen(plans.codegen).catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }));
  }
  const elapsedSec = (performance.now() - started) / 1000;

  const computed = [
    ...(results.length > 0 ? ratios(results) : []),
    ...(multicastRows.length > 0 ? [{ name: 'Conduit multicast p50 / raw multicast p50', value: multicastRatio(multicastRows) }] : []),
  ];
  if (results.length > 0) {
    console.log('');
    printUnaryTable(results);
    printEchoTable(results);
  }
  if (multicast !== undefined) {
    console.log('');
    if ('skipped' in multicast) console.log(`multicast rows skipped: ${multicast.skipped}`);
    else printMulticastTable(multicast.rows);
  }
  if (computed.length > 0) {
    console.log('');
    const nameWidth = Math.max(...computed.map((r) => r.name.length));
    for (const r of computed) console.log(`${r.name.padEnd(nameWidth)}  ${ratioText(r.value)}`);
  }
  if (streamRows.length > 0) {
    console.log('');
    printStreamTable(streamRows);
  }
  if (codegen !== undefined) {
    console.log('');
    if ('error' in codegen) console.log(`codegen failed: ${codegen.error}`);
    else printCodegenTable(codegen);
  }
  console.log(`\nmeasured in ${elapsedSec.toFixed(1)} s`);

  if (values.json !== undefined) {
    const report = {
      environment,
      inFlight: IN_FLIGHT,
      plans,
      elapsedSec,
      results,
      ratios: computed,
      multicast,
      streams: { bytesPerMB: MB, rows: streamRows },
      codegen,
    };
    await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${values.json}`);
  }
  const streamFailed = streamRows.some((row) => row.results.some((r) => r.error !== undefined));
  const codegenFailed = codegen !== undefined && 'error' in codegen;
  const multicastFailed = multicastRows.some((r) => 'error' in r);
  if (results.some((r) => r.error !== undefined) || streamFailed || codegenFailed || multicastFailed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
