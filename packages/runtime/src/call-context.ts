import type { Metadata } from './metadata.js';

/** What a handler knows about the call it serves: its trailing `ctx` argument. */
export interface CallContext {
  /** `Service.method` */
  readonly method: string;
  /** Request metadata sent by the caller. */
  readonly metadata: Readonly<Metadata>;
  /**
   * Metadata to send back with the result or error. Set entries before returning or throwing;
   * the caller reads them through `onResponseMetadata` or `RpcError.metadata`.
   */
  readonly responseMetadata: Metadata;
  /** Aborts when the caller cancels, the deadline passes, or the server shuts down. */
  readonly signal: AbortSignal;
  /** When the caller stops waiting, or undefined when it set no deadline. */
  readonly deadline: Date | undefined;
  /** Who called, as a URL-like string such as `tcp://127.0.0.1:52114`. */
  readonly peer: string;
}
