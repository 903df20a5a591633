/**
 * Turns argument arrays, results and error details into bytes and back. Both ends agree on the
 * codec in the handshake, by name. A codec must be stateless across messages, so that a datagram
 * transport that loses or reorders messages can still decode every one it gets.
 */
export interface Codec {
  /** The name sent in the HELLO frame, e.g. `msgpack`. */
  readonly name: string;
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}
