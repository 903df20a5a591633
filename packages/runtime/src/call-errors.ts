import { Code } from './code.js';
import { RpcError } from './rpc-error.js';

/**
 * Errors the runtime itself makes. Each names the method and where the call went, so a message
 * in a log is enough to find the call: `Calculator.add: deadline exceeded after 50 ms (tcp://…)`.
 */
export function callError(code: Code, method: string, problem: string, where: string, cause?: unknown): RpcError {
  return new RpcError(code, `${method}: ${problem} (${where})`, cause === undefined ? {} : { cause });
}

/** An error from below (a transport, a codec) re-told for one call, keeping its code. */
export function callErrorFrom(reason: unknown, method: string, where: string, fallback: Code = Code.Internal): RpcError {
  const error = RpcError.from(reason, fallback);
  return callError(error.code, method, error.message, where, reason);
}
