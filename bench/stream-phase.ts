import type { StreamClient } from './clients/stream-client.js';
import { markFailed, openTarget, type OpenedTarget } from './opened-target.js';
import { perSec, printTable, progress, ratioText } from './output.js';
import { median } from './stats.js';
import { measureStreamRound, type StreamRound, type StreamShape } from './stream-measure.js';
import type { StreamTarget, StreamTargetId } from './stream-targets.js';

/** Bytes in the MB of MB/s: decimal, as network throughput is usually quoted. */
export const MB = 1_000_000;

export interface StreamPlan {
  /** Streamed and thrown away before the first round of every shape and target. */
  warmupMs: number;
  rounds: number;
  /** Each round streams for this long. */
  roundMs: number;
  shapes: readonly StreamShape[];
}

export interface StreamTargetResult {
  id: StreamTargetId;
  label: string;
  /** Median over rounds. */
  messagesPerSec?: number;
  /** Median over rounds; payload bytes only. */
  bytesPerSec?: number;
  rounds?: StreamRound[];
  error?: string;
}

export interface StreamRow extends StreamShape {
  results: StreamTargetResult[];
  /** Conduit's messages/s over gRPC's (the same for MB/s: both stream the same payloads); null unless both ran. */
  conduitOverGrpc: number | null;
}

interface Opened extends OpenedTarget<StreamTarget, StreamClient> {
  /** Rounds per shape, in the plan's order. */
  rounds: StreamRound[][];
}

async function open(target: StreamTarget, shapes: number): Promise<Opened> {
  return openTarget<StreamTarget, StreamClient, Opened>({ target, server: undefined, client: undefined, rounds: Array.from({ length: shapes }, () => []) });
}

/** `64 B`, `64 KiB`. */
export function sizeText(bytes: number): string {
  return bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} B`;
}

const shapeText = (shape: StreamShape): string =>
  `${sizeText(shape.size)} × ${shape.streams} stream${shape.streams === 1 ? '' : 's'}`;

/**
 * Starts every selected streaming server, then runs the rounds interleaved like the unary ones
 * (round 1 of every shape and target, then round 2, …) so the VM's drift lands on every column
 * alike, and stops the servers again.
 */
export async function measureStreams(selected: readonly StreamTarget[], plan: StreamPlan): Promise<StreamRow[]> {
  const all: Opened[] = [];
  try {
    for (const target of selected) all.push(await open(target, plan.shapes.length));
    for (let round = 0; round < plan.rounds; round++) {
      progress(`server streams: round ${round + 1} of ${plan.rounds}`);
      for (const [index, shape] of plan.shapes.entries()) {
        for (const opened of all) {
          if (opened.error !== undefined || opened.client === undefined) continue;
          try {
            if (round === 0) await measureStreamRound(opened.client, shape, plan.warmupMs);
            opened.rounds[index]!.push(await measureStreamRound(opened.client, shape, plan.roundMs));
          } catch (error) {
            markFailed(opened, error);
          }
        }
      }
    }
  } finally {
    for (const opened of all) {
      await opened.client?.close().catch(() => undefined);
      await opened.server?.stop();
    }
  }
  return plan.shapes.map((shape, index) => rowOf(shape, all.map((opened) => resultOf(opened, index))));
}

function resultOf(opened: Opened, shapeIndex: number): StreamTargetResult {
  const { id, label } = opened.target;
  if (opened.error !== undefined) return { id, label, error: opened.error };
  const rounds = opened.rounds[shapeIndex]!;
  return {
    id,
    label,
    messagesPerSec: median(rounds.map((r) => r.messagesPerSec)),
    bytesPerSec: median(rounds.map((r) => r.bytesPerSec)),
    rounds,
  };
}

function rowOf(shape: StreamShape, results: StreamTargetResult[]): StreamRow {
  const conduit = results.find((r) => r.id === 'conduit-stream')?.messagesPerSec;
  const grpc = results.find((r) => r.id === 'grpc-stream')?.messagesPerSec;
  return { ...shape, results, conduitOverGrpc: conduit === undefined || grpc === undefined ? null : conduit / grpc };
}

export function printStreamTable(rows: readonly StreamRow[]): void {
  const first = rows[0];
  if (first === undefined) return;
  const header = ['server stream over tcp', ...first.results.flatMap((r) => [`${r.label} msgs/s`, `${r.label} MB/s`]), 'Conduit / gRPC'];
  const cells = rows.map((row) => [
    shapeText(row),
    ...row.results.flatMap((r) =>
      r.error !== undefined ? ['failed', 'n/a'] : [perSec(r.messagesPerSec!), (r.bytesPerSec! / MB).toFixed(1)],
    ),
    ratioText(row.conduitOverGrpc),
  ]);
  printTable(header, cells);
  for (const r of first.results) if (r.error !== undefined) console.log(`\n${r.label} streaming failed: ${r.error}`);
}
