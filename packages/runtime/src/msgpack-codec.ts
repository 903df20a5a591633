import { Packr, RESERVE_START_SPACE } from 'msgpackr';
import { withHeadroom, type Codec } from './codec.js';

/**
 * The default codec. Records (msgpackr's shared structures) are off: they assume the decoder saw
 * earlier messages, which a datagram transport cannot promise.
 */
const packr = new Packr({ useRecords: false });

/**
 * The most headroom msgpackr reserves itself (its flag carries the count in one byte). Every
 * buffer it returns stays untouched by later encodes, so a transport may still hold it.
 */
const MAX_RESERVED_HEADROOM = 0xff;

export const msgpackCodec: Codec = {
  name: 'msgpack',
  encode: (value, headroom = 0) =>
    headroom === 0
      ? packr.pack(value)
      : headroom <= MAX_RESERVED_HEADROOM
        ? packr.pack(value, RESERVE_START_SPACE | headroom)
        : withHeadroom(packr.pack(value), headroom),
  decode: (bytes) => packr.unpack(bytes),
};
