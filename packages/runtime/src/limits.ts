/**
 * Named limits of the wire protocol and runtime. Each bounds something a peer could otherwise
 * make unbounded; docs/protocol.md lists the same numbers.
 */

/** Largest message (one whole frame) a transport accepts by default: gRPC's default, 4 MiB. */
export const DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024;

/** Protocol version this runtime speaks, sent in the HELLO frame. */
export const PROTOCOL_VERSION = 1;

/** Method names (`Service.method`) travel with a u16 length. */
export const MAX_METHOD_NAME_BYTES = 0xffff;

/** Metadata keys and values each travel with a u16 length, and the entry count is a u16. */
export const MAX_METADATA_FIELD_BYTES = 0xffff;
export const MAX_METADATA_ENTRIES = 0xffff;

/** A deadline travels as whole milliseconds remaining in a u32 (about 49 days). */
export const MAX_TIMEOUT_MS = 0xffffffff;

/** Call ids are u32 and never 0; 0 names the connection itself in HELLO and GOAWAY. */
export const MAX_CALL_ID = 0xffffffff;

/**
 * How long `server.close()` lets in-flight calls finish before cancelling them. Long enough for
 * ordinary calls, short enough that a deploy is not held up by a stuck handler.
 */
export const DEFAULT_GRACE_PERIOD_MS = 5_000;

/**
 * Stream messages either side may send before the receiver grants more with CREDIT: the window
 * that bounds what a slow consumer makes the other side buffer (16 × the message size limit at
 * worst). Receivers grant credit back as their consumer takes messages, half a window at a time.
 */
export const INITIAL_STREAM_CREDIT = 16;
