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
 * Bytes of stream messages either side may send on one call before the receiver grants more with
 * CREDIT: the window that bounds what a slow consumer makes the other side hold (plus at most one
 * message). 1 MiB keeps thousands of small messages or sixteen 64 KiB ones in flight, so a single
 * stream is not held to one round trip per handful of messages, while 100 slow streams still hold
 * at most 100 MiB.
 */
export const INITIAL_STREAM_WINDOW = 1024 * 1024;

/**
 * What one stream message costs of the window at least, whatever its size: a stream of tiny
 * messages is bounded in count too (1 MiB / 64 B = 16 384 messages), since each decoded message
 * costs memory beyond its bytes.
 */
export const MIN_STREAM_MESSAGE_CHARGE = 64;

/** The window a stream message of `payloadBytes` uses up; both ends count it the same way. */
export function streamMessageCharge(payloadBytes: number): number {
  return Math.max(payloadBytes, MIN_STREAM_MESSAGE_CHARGE);
}

/**
 * How long a gathering call collects replies on a one-to-one connection when neither a window nor
 * a deadline says: its one reply normally comes long before.
 */
export const DEFAULT_GATHER_WINDOW_MS = 1_000;
