import type { CallOptions } from './call-options.js';
import type { GatherOptions, Reply } from './gather.js';
import type { MethodDescriptor } from './service.js';

/**
 * Where a channel is in its life. `idle`: no connection (not made yet, lost, or the server went
 * away); the next call connects. `connecting`: a connection attempt is under way. `ready`:
 * connected. `draining`: (one connection) the server sent GOAWAY; calls in flight finish, new ones
 * go elsewhere. `closed`: final.
 */
export type ChannelState = 'idle' | 'connecting' | 'ready' | 'draining' | 'closed';

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
  /**
   * Starts a server-streaming call at once and returns its messages. Iterating ends when the
   * server finishes and throws an RpcError when the call fails; `break` cancels it on the server.
   */
  serverStream<T>(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): AsyncIterable<T>;
  /**
   * Starts a client-streaming call: `args[method.streamParam]` is an AsyncIterable whose values
   * are sent as they come (no faster than the server takes them); resolves with the server's answer.
   */
  clientStream<T>(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): Promise<T>;
  /** Both at once: sends `args[method.streamParam]` and returns the server's messages. */
  bidiStream<T>(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): AsyncIterable<T>;
  /**
   * Sends one request-response call and resolves with every reply that came, one per peer, as
   * `gathering` says (`gather()` offers this through a generated client). Rejects when the call
   * could not be made (a closed channel, arguments that do not encode), when the caller's signal
   * aborts, or when the channel closes before the call ends.
   */
  gather<T>(method: MethodDescriptor, args: readonly unknown[], gathering: GatherOptions, options?: CallOptions): Promise<Reply<T>[]>;
  /** Fails calls still in flight with Unavailable and closes the connection. */
  close(): Promise<void>;
  /** Calls `listener` on every change of `state`; returns a function that stops it. */
  onStateChange(listener: (state: ChannelState) => void): () => void;
}
