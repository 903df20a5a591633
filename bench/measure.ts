import { median, summarizeLatencies, type LatencySummary } from './stats.js';

/** One round trip against whatever is being measured; the loops ignore its value. */
export type Call = () => Promise<unknown>;

/**
 * Rounds are timed, not counted, so a slow target (gRPC) and a fast one (raw TCP) each get the
 * same wall-clock budget and the whole bench has a predictable length.
 */
export interface RoundPlan {
  /** Calls made and thrown away for this long first, so JIT and connection warm-up stay out. */
  warmupMs: number;
  rounds: number;
  /** Each round issues calls for this long; calls in flight when it ends still count. */
  roundMs: number;
}

/** Upper bound on latency samples kept per round (memory); a round stops early when reached. */
export const MAX_SAMPLES_PER_ROUND = 1_000_000;

export interface SequentialRound extends LatencySummary {
  calls: number;
}

export interface SequentialResult {
  /** Median over rounds of each round's p50, in microseconds. */
  p50Us: number;
  /** Median over rounds of each round's p99, in microseconds. */
  p99Us: number;
  rounds: SequentialRound[];
}

export interface InFlightRound {
  calls: number;
  seconds: number;
  callsPerSec: number;
}

export interface InFlightResult {
  inFlight: number;
  /** Median over rounds of each round's calls per second. */
  callsPerSec: number;
  rounds: InFlightRound[];
}

/** One call at a time; each call's latency is timed on its own, in microseconds. */
export async function measureSequential(call: Call, plan: RoundPlan): Promise<SequentialResult> {
  const warmupEnd = performance.now() + plan.warmupMs;
  while (performance.now() < warmupEnd) await call();

  const rounds: SequentialRound[] = [];
  const samples = new Float64Array(MAX_SAMPLES_PER_ROUND);
  for (let r = 0; r < plan.rounds; r++) {
    const roundEnd = process.hrtime.bigint() + BigInt(Math.round(plan.roundMs * 1e6));
    let calls = 0;
    let now = process.hrtime.bigint();
    while (now < roundEnd && calls < samples.length) {
      await call();
      const end = process.hrtime.bigint();
      samples[calls++] = Number(end - now) / 1000;
      now = end;
    }
    rounds.push({ calls, ...summarizeLatencies(samples.subarray(0, calls)) });
  }
  return {
    p50Us: median(rounds.map((s) => s.p50)),
    p99Us: median(rounds.map((s) => s.p99)),
    rounds,
  };
}

/**
 * Keeps exactly `inFlight` calls outstanding for `durationMs`: each worker issues its next call
 * as soon as its previous one settles, until the time is up. Returns the calls completed.
 */
async function runInFlight(call: Call, durationMs: number, inFlight: number): Promise<number> {
  const end = performance.now() + durationMs;
  let completed = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      await call();
      completed++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return completed;
}

/** Throughput with `inFlight` calls outstanding at all times. */
export async function measureInFlight(call: Call, plan: RoundPlan, inFlight: number): Promise<InFlightResult> {
  await runInFlight(call, plan.warmupMs, inFlight);
  const rounds: InFlightRound[] = [];
  for (let r = 0; r < plan.rounds; r++) {
    const start = process.hrtime.bigint();
    const calls = await runInFlight(call, plan.roundMs, inFlight);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rounds.push({ calls, seconds, callsPerSec: calls / seconds });
  }
  return { inFlight, callsPerSec: median(rounds.map((r) => r.callsPerSec)), rounds };
}
