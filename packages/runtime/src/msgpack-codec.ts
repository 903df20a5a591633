import { Packr } from 'msgpackr';
import type { Codec } from './codec.js';

/**
 * The default codec. Records (msgpackr's shared structures) are off: they assume the decoder saw
 * earlier messages, which a datagram transport cannot promise.
 */
const packr = new Packr({ useRecords: false });

export const msgpackCodec: Codec = {
  name: 'msgpack',
  encode: (value) => packr.pack(value),
  decode: (bytes) => packr.unpack(bytes),
};
