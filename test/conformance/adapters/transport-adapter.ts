import type { Transport } from '@conduit/runtime';

/**
 * What the conformance suite needs to know about one transport: how to start a Conformance
 * server on it, how a client reaches that server, and what the transport cannot do. One file per
 * transport in this folder; conformance.test.ts lists them.
 */
export interface TransportAdapter {
  /** The transport's name, as its factory's `Transport.name` says it (`tcp`, `memory`, …). */
  readonly name: string;
  /**
   * What this transport cannot do. For each, the suite skips the cases of that feature and checks
   * instead that a caller gets a clear Unimplemented. Default: it can do everything.
   */
  readonly unsupported?: { readonly streams?: boolean };
  /**
   * The largest message (one whole frame, as the transport seam counts it) the server was started
   * with. The suite sends a request of exactly this size (it must succeed) and one a byte larger
   * (it must fail with ResourceExhausted and leave the channel working).
   */
  readonly maxMessageSize: number;
  /** Starts a fresh Conformance server, with its own state, and resolves once it accepts calls. */
  start(options?: StartOptions): Promise<RunningServer>;
}

export interface StartOptions {
  /** Serve only calls with `authorization: Bearer good` (Unauthenticated otherwise). Default false. */
  auth?: boolean;
}

/** A Conformance server the suite started. */
export interface RunningServer {
  /** What `connect()` takes to reach it: a URL, or a transport object. */
  readonly target: string | Transport;
  /**
   * Peer death: ends the server at once, with no goodbye (no GOAWAY, no answers), as a crash or
   * SIGKILL would. Resolves once it is gone.
   */
  kill(): Promise<void>;
  /** Ends the server for good within a few seconds, gracefully if it can. Safe to call after `kill()` and twice. */
  stop(): Promise<void>;
}
