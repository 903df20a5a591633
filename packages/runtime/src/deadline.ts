import type { CallOptions } from './call-options.js';

/**
 * Wall-clock milliseconds with a fraction. Deadlines are whole-millisecond Dates; measuring
 * against a finer clock makes a 50 ms timeout read back as 50 ms, not 49, when the clock ticks
 * between making the deadline and sending the call.
 */
function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/** The earlier of `timeout` (from now) and `deadline`, or undefined when the caller set neither. */
export function deadlineFromOptions(options: CallOptions | undefined): Date | undefined {
  if (options === undefined) return undefined;
  const { timeout, deadline } = options;
  if (timeout === undefined) return deadline;
  const fromTimeout = Math.round(preciseNow() + timeout);
  return deadline === undefined || fromTimeout < deadline.getTime() ? new Date(fromTimeout) : deadline;
}

/** Whole milliseconds left until `deadline`; 0 or less once it has passed. */
export function millisecondsUntil(deadline: Date): number {
  return Math.round(deadline.getTime() - preciseNow());
}
