/**
 * Order statistics for latency samples. Percentiles use the nearest-rank definition, so a
 * reported p99 is always a latency that was actually observed, never an interpolation.
 */

/** The nearest-rank `p`-th percentile (0 < p ≤ 100) of samples already sorted ascending. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no samples');
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile out of range: ${p}`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** The median; the mean of the two middle values when the count is even. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface LatencySummary {
  p50: number;
  p99: number;
  min: number;
  max: number;
}

/** Sorts `samples` in place and summarizes them. */
export function summarizeLatencies(samples: Float64Array): LatencySummary {
  samples.sort();
  return {
    p50: percentileSorted(samples, 50),
    p99: percentileSorted(samples, 99),
    min: samples[0]!,
    max: samples[samples.length - 1]!,
  };
}
