import type { CallContext } from './call-context.js';
import type { GatherOptions } from './gather.js';
import type { Metadata } from './metadata.js';
import type { MethodDescriptor } from './service.js';

/** A call on its way out of a client, as interceptors see it. */
export interface ClientRequest {
  readonly method: MethodDescriptor;
  /** Arguments in declaration order; an interceptor may replace them. */
  args: readonly unknown[];
  /** Request metadata; an interceptor may add entries (an auth token, a trace id). */
  metadata: Metadata;
  readonly deadline: Date | undefined;
  /** The caller's `timeout` option when it set the deadline (so errors can quote it); otherwise undefined. */
  readonly timeout: number | undefined;
  readonly signal: AbortSignal | undefined;
  /** Where the call goes, e.g. `tcp://127.0.0.1:41234`. */
  readonly target: string;
  /** Receives response metadata; an interceptor may wrap it to observe what the server sent. */
  onResponseMetadata: ((metadata: Metadata) => void) | undefined;
  /** Set on a gathering call (see `gather`): the chain then resolves with a `Reply` per peer, not a value. */
  readonly gather: GatherOptions | undefined;
}
export type ClientNext = (request: ClientRequest) => Promise<unknown>;
/** Onion-style: wraps the rest of the chain. The first interceptor in the list is the outermost. */
export type ClientInterceptor = (next: ClientNext) => ClientNext;

/** A call on the server, after decoding and validation, before the handler. */
export interface ServerRequest {
  readonly method: MethodDescriptor;
  readonly args: readonly unknown[];
  readonly context: CallContext;
}
export type ServerNext = (request: ServerRequest) => Promise<unknown>;
/** Onion-style, like ClientInterceptor; throwing an RpcError rejects the call with its code. */
export type ServerInterceptor = (next: ServerNext) => ServerNext;

/** Folds interceptors around `last` once, when a client or server is made, not per call. */
export function chainInterceptors<N>(interceptors: readonly ((next: N) => N)[], last: N): N {
  return interceptors.reduceRight((next, interceptor) => interceptor(next), last);
}
