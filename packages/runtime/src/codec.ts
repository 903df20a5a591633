/**
 * Turns argument arrays, results and error details into bytes and back. Both ends agree on the
 * codec in the handshake, by name. A codec must be stateless across messages, so that a datagram
 * transport that loses or reorders messages can still decode every one it gets.
 */
export interface Codec {
  /** The name sent in the HELLO frame, e.g. `msgpack`. */
  readonly name: string;
  /**
   * Encodes `value` after `headroom` bytes of unspecified content, which the caller overwrites
   * with the frame header and the transport's framing: one buffer per message, no copies.
   */
  encode(value: unknown, headroom?: number): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

/** For codecs that cannot reserve room themselves: the encoding copied behind `headroom` bytes. */
export function withHeadroom(encoded: Uint8Array, headroom: number): Uint8Array {
  if (headroom === 0) return encoded;
  const out = Buffer.allocUnsafe(headroom + encoded.length);
  out.set(encoded, headroom);
  return out;
}

/** A Buffer view of the same bytes (no copy), for Buffer's integer and string methods. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
