import { expect } from 'vitest';
import type { RpcError } from '@conduit/runtime';

/**
 * Awaits a promise that must reject with an RpcError and returns the error for assertions. Checks
 * the name rather than the class, so it serves the runtime's own specs (which import its source)
 * and the suites that import the built package alike.
 */
export async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  const outcome = await promise.then(
    (value) => new Error(`expected a rejection, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
  expect(outcome).toMatchObject({ name: 'RpcError' });
  return outcome as RpcError;
}

/** Runs `run`, which must throw an RpcError synchronously, and returns the error for assertions. */
export function thrown(run: () => unknown): RpcError {
  try {
    run();
  } catch (error) {
    expect(error).toMatchObject({ name: 'RpcError' });
    return error as RpcError;
  }
  throw new Error('expected a throw');
}
