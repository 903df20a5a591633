import type { CallOptions } from './call-options.js';
import type { MethodDescriptor } from './service.js';

/** Where a channel is in its life; `closed` is final. */
export type ChannelState = 'ready' | 'draining' | 'closed';

/**
 * A client's connection to a server, as generated clients use it. Made by `connect()`; many
 * calls run on one channel at once, each with its own id.
 */
export interface Channel {
  /** The URL or description of what this channel is connected to, e.g. `tcp://127.0.0.1:41234`. */
  readonly target: string;
  readonly state: ChannelState;
  /** Sends one call and resolves with its result, or rejects with an RpcError. */
  unary<T>(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): Promise<T>;
  /** Sends a call that asks for no reply. Errors (a closed channel, say) are not reported. */
  oneway(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): void;
  /** Fails calls still in flight with Unavailable and closes the connection. */
  close(): Promise<void>;
}
