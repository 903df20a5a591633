import type { MethodDescriptor } from './service.js';

/** Turns one kind of payload into bytes and back. */
export interface PayloadCodec {
  /**
   * Encodes `value` after `headroom` bytes of unspecified content, which the caller overwrites
   * with the frame header and the transport's framing: one buffer per message, no copies.
   */
  encode(value: unknown, headroom?: number): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

/**
 * Turns argument arrays, results, stream messages and error details into bytes and back. Both
 * ends agree on the codec in the handshake, by name. A codec must be stateless across messages,
 * so that a datagram transport that loses or reorders messages can still decode every one it gets.
 *
 * A self-describing codec (msgpack) encodes every payload with `encode`. A codec that needs the
 * declared types (protobuf) also has `forMethod`, and `encode`/`decode` then serve only error
 * details.
 */
export interface Codec extends PayloadCodec {
  /** The name sent in the HELLO frame, e.g. `msgpack`. */
  readonly name: string;
  /** The payload codecs of one method; called per call, so it must be cheap (cache by method). */
  forMethod?(method: MethodDescriptor): MethodCodec;
}

/** How one method's payloads travel under a schema-driven codec. */
export interface MethodCodec {
  /** The CALL payload: the positional argument array (a stream parameter's place is undefined). */
  readonly args: PayloadCodec;
  /** A RESULT payload, and each message of a response stream. */
  readonly result: PayloadCodec;
  /** Each message of a request stream: one value of the stream parameter. */
  readonly message: PayloadCodec;
}

/** The codec for `method`'s arguments. Self-describing codecs are their own, with no lookup. */
export function argsCodec(codec: Codec, method: MethodDescriptor): PayloadCodec {
  return codec.forMethod === undefined ? codec : codec.forMethod(method).args;
}

/** The codec for `method`'s result or response-stream messages. */
export function resultCodec(codec: Codec, method: MethodDescriptor): PayloadCodec {
  return codec.forMethod === undefined ? codec : codec.forMethod(method).result;
}

/** The codec for `method`'s request-stream messages. */
export function messageCodec(codec: Codec, method: MethodDescriptor): PayloadCodec {
  return codec.forMethod === undefined ? codec : codec.forMethod(method).message;
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
