import type { CallOptions } from './call-options.js';

/** The earlier of `timeout` (from now) and `deadline`, or undefined when the caller set neither. */
export function deadlineFromOptions(options: CallOptions | undefined): Date | undefined {
  if (options === undefined) return undefined;
  const { timeout, deadline } = options;
  if (timeout === undefined) return deadline;
  const fromTimeout = Date.now() + timeout;
  return deadline === undefined || fromTimeout < deadline.getTime() ? new Date(fromTimeout) : deadline;
}
