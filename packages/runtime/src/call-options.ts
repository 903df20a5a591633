import type { Metadata } from './metadata.js';

/** Per-call options, the optional last argument of every generated client method. */
export interface CallOptions {
  /** Milliseconds the call may take, counted from now. Default: no limit. */
  timeout?: number;
  /** An absolute point in time the call must finish by; the earlier of this and `timeout` wins. */
  deadline?: Date;
  /** Aborting it rejects the call with Cancelled at once and tells the server. */
  signal?: AbortSignal;
  /**
   * When the channel has no connection: false (the default) fails the call with Unavailable as
   * soon as a connection attempt fails; true waits and retries until connected, or until the
   * deadline or signal ends the call.
   */
  waitForReady?: boolean;
  /** Request metadata; the handler sees it as `ctx.metadata`. */
  metadata?: Metadata;
  /**
   * Receives the response metadata the handler set on `ctx.responseMetadata`, before the call's
   * promise settles (on success and on error alike; an RpcError also carries it as `metadata`).
   */
  onResponseMetadata?: (metadata: Metadata) => void;
}
