import type { RpcError } from './rpc-error.js';

/**
 * The transport seam. A transport moves whole messages and knows nothing of ids, deadlines or
 * codecs; everything above the message is the runtime's.
 */
export interface Connection {
  /** Who is on the other end, as a URL-like string, for error messages and `ctx.peer`. */
  readonly peer: string;
  /**
   * Bytes the transport needs in front of every message it sends (a stream transport's length
   * prefix). The runtime leaves this many bytes free at the start of each message it passes to
   * `send`, so the transport frames in place instead of copying: a network stack's headroom.
   */
  readonly headroom: number;
  /**
   * Queues one whole message: `headroom` bytes for the transport to fill, then the frame. Throws an RpcError (ResourceExhausted) when the frame is larger than
   * the transport's maximum, before anything is sent; throws Unavailable once the connection is closed.
   */
  send(message: Uint8Array): void;
  /** Closes the connection; `onClose` fires once, with `reason` if one is given. */
  close(reason?: RpcError): void;
  /**
   * Present on a connection to many peers at once (multicast): a call may be answered by each of
   * them, `onMessage` says which one sent a reply, and calls gather replies (see `gather`). The
   * one place the seam widens for one-to-many.
   */
  readonly oneToMany?: OneToMany;
}

/**
 * What a one-to-many connection tells the runtime. A plain call on it ends with its first reply,
 * a result or an error alike (as on every transport, the reply is the answer), and the other
 * peers are sent CANCEL; `gather` is how a caller sees every peer's answer.
 */
export interface OneToMany {
  /**
   * Milliseconds a call with no deadline waits for a first reply before failing with
   * Unavailable, and the window a gathering call collects for when it names none: nobody may be
   * listening, and a group cannot say so.
   */
  readonly replyTimeout: number;
}

/** What the runtime hears from a connection. */
export interface ConnectionHandlers {
  /**
   * One whole message. The bytes are the handler's to keep. `from` names the sender on a
   * one-to-many connection (a multicast member's address); otherwise it is left out and the sender
   * is the connection's `peer`.
   */
  onMessage(message: Uint8Array, from?: string): void;
  /**
   * An incoming message larger than the maximum was refused without buffering it. `head` holds
   * its first bytes (at most `OVERSIZED_HEAD_BYTES`) so the runtime can tell the call it belonged to.
   */
  onOversized(head: Uint8Array, size: number): void;
  /** The connection is gone: closed by either side or lost. Fires exactly once. */
  onClose(reason: RpcError | undefined): void;
  /**
   * Server side: whether the method at `path` (`Service.method`) was declared `@idempotent`, so
   * running it twice for one call is harmless. A datagram transport asks, to know which replies
   * it may drop first and have the caller call again. Clients leave it out.
   */
  isIdempotent?(path: string): boolean;
}

/**
 * How much of a refused oversized message a transport passes to `onOversized`: enough for a CALL
 * frame's head and method name, so the refusal can name the method.
 */
export const OVERSIZED_HEAD_BYTES = 512;

/** A bound server endpoint. */
export interface Listener {
  /** Where clients connect, with the real port when port 0 was asked for. */
  readonly url: string;
  /** Stops accepting new connections; open ones are the server's to end. */
  close(): Promise<void>;
}

/**
 * A way to reach a server, usable both by `server.listen(t)` and by `connect(t)`. Transport
 * factories (`tcp(…)`, `memory(…)`, …) return these.
 */
export interface Transport {
  /** Scheme-like name used in error messages: `tcp`, `memory`, … */
  readonly name: string;
  /** A human-readable address, such as `tcp://127.0.0.1:4000`, for error messages. */
  readonly address: string;
  /**
   * False when the transport cannot carry streams (one-to-many multicast, say): calls to
   * streaming methods then fail with Unimplemented naming the transport, on both ends.
   * Default true.
   */
  readonly streams?: boolean;
  connect(handlers: ConnectionHandlers): Promise<Connection>;
  /** `accept` is called once per new connection and returns that connection's handlers. */
  listen(accept: (connection: Connection) => ConnectionHandlers): Promise<Listener>;
}
