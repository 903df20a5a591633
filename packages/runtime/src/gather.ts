import type { CallOptions } from './call-options.js';
import { callError } from './call-errors.js';
import type { Channel } from './channel.js';
import { Code } from './code.js';
import { RpcError } from './rpc-error.js';
import type { MethodDescriptor } from './service.js';
import { streamOf } from './stream-of.js';

/** How a gathering call collects replies. It ends at whichever comes first. */
export interface GatherOptions {
  /**
   * Stop as soon as this many peers have answered. Default: no limit on a one-to-many transport
   * (collect for the whole window); 1 on any other, whose one peer has one reply to give.
   */
  count?: number;
  /**
   * Milliseconds to collect replies for, from when the call is made; a deadline in the call
   * options shortens it. Default: the call's deadline, else the transport's reply timeout
   * (multicast: `replyTimeout`), else 1000 ms.
   */
  window?: number;
}

/** One peer's answer to a gathering call: who answered (a URL), and its value or its error. */
export type Reply<T> =
  | { readonly from: string; readonly ok: true; readonly value: T }
  | { readonly from: string; readonly ok: false; readonly error: RpcError };

/**
 * A generated client whose request-response methods gather: each resolves with every reply that
 * came within the window (one per peer, in order of arrival; empty when nobody answered) instead
 * of the first one.
 */
export type Gathered<C> = {
  [K in keyof C as C[K] extends (...args: infer A) => Promise<unknown> ? (IsClientStream<A> extends true ? never : K) : never]: C[K] extends (
    ...args: infer A
  ) => Promise<infer R>
    ? (...args: A) => Promise<Reply<R>[]>
    : never;
};

/** Whether a method's parameters include the stream a client-streaming call sends. */
type IsClientStream<A extends unknown[]> = [Extract<A[number], AsyncIterable<unknown>>] extends [never] ? false : true;

/**
 * A client of the generated class `Client` whose calls gather replies from every peer that
 * answers, for one-to-many transports (multicast):
 *
 * ```ts
 * const replies = await gather(CalculatorClient, channel, { window: 200 }).add(1, 2);
 * for (const reply of replies) console.log(reply.from, reply.ok ? reply.value : reply.error.message);
 * ```
 *
 * The plain client on the same channel takes the first reply. On a one-to-one transport a
 * gathering call has its one reply. Only request-response methods gather: one-way methods (call
 * them on the plain client; on multicast they reach every member anyway) and streams are not
 * offered.
 */
export function gather<C>(Client: new (channel: Channel) => C, channel: Channel, options: GatherOptions = {}): Gathered<C> {
  checkGatherOptions(options);
  return new Client(gatheringChannel(channel, options)) as unknown as Gathered<C>;
}

function checkGatherOptions({ count, window }: GatherOptions): void {
  if (count !== undefined && !(Number.isInteger(count) && count > 0)) {
    throw new RpcError(Code.InvalidArgument, `gather: count must be a positive integer, got ${count}`);
  }
  if (window !== undefined && !(Number.isFinite(window) && window >= 0)) {
    throw new RpcError(Code.InvalidArgument, `gather: window must be a number of milliseconds ≥ 0, got ${window}`);
  }
}

/** The channel a gathering client calls through: its unary calls become `channel.gather`. */
function gatheringChannel(channel: Channel, gathering: GatherOptions): Channel {
  const notUnary = (method: MethodDescriptor) =>
    callError(Code.Unimplemented, method.path, 'only request-response methods can gather replies', channel.target);
  return {
    get target() {
      return channel.target;
    },
    get state() {
      return channel.state;
    },
    unary: <T>(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions) =>
      channel.gather(method, args, gathering, options) as Promise<T>,
    oneway: (method, args, options) => channel.oneway(method, args, options),
    serverStream: (method) => streamOf(Promise.reject(notUnary(method))),
    clientStream: (method) => Promise.reject(notUnary(method)),
    bidiStream: (method) => streamOf(Promise.reject(notUnary(method))),
    gather: (method, args, options, callOptions) => channel.gather(method, args, options, callOptions),
    close: () => channel.close(),
    onStateChange: (listener) => channel.onStateChange(listener),
  };
}
