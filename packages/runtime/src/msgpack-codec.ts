import { addExtension, Packr, RESERVE_START_SPACE } from 'msgpackr';
import { withHeadroom, type Codec } from './codec.js';

/**
 * The default codec. Records (msgpackr's shared structures) are off: they assume the decoder saw
 * earlier messages, which a datagram transport cannot promise. docs/protocol.md ("msgpack value
 * mapping") gives the encoding of every value; each option keeps some kind of value exact:
 *
 * - `mapsAsObjects`: a msgpack map is a plain object (a `Map` travels as MAP_EXTENSION instead).
 * - `int64AsType: 'bigint'`: int 64 / uint 64 are bigints (numbers never use them), so `5n` stays
 *   `5n`; `'auto'` would turn it into `5`.
 * - `moreTypes`: a Set is msgpackr's ext 0x73, a Uint8Array (and any other typed array) its ext
 *   0x74, which always decodes as a new array of the same class. A Buffer stays a standard bin.
 * - `useBigIntExtension` (implied by `moreTypes`): a bigint beyond 64 bits is msgpackr's ext 0x42.
 * - `copyBuffers`: a bin decodes as a copy, not as a view that keeps the whole message alive
 *   (except in payloads of 64 KiB and more: see `viewingPackr`).
 *
 * Neither `encodeUndefinedAsNil` nor `skipValues: [undefined]` is set: both lose `{ a: undefined }`.
 */
const options = {
  useRecords: false,
  mapsAsObjects: true,
  int64AsType: 'bigint',
  moreTypes: true,
  useBigIntExtension: true,
} as const;
const packr = new Packr({ ...options, copyBuffers: true });
/**
 * Decodes large payloads with bins as views into the message instead of copies. The message is
 * the receiver's to keep (every transport hands over a buffer of its own), and from this size on a
 * view costs at most the frame around it, while a copy of a megabyte bin costs as much as the
 * transport's own copies: a 1 MiB echo would pay one more copy each way.
 */
const viewingPackr = new Packr({ ...options, copyBuffers: false });
const VIEW_BINS_FROM_BYTES = 64 * 1024;

/**
 * The most headroom msgpackr reserves itself (its flag carries the count in one byte). Every
 * buffer it returns stays untouched by later encodes, so a transport may still hold it.
 */
const MAX_RESERVED_HEADROOM = 0xff;

/**
 * Extension type of a `Map` ('M'): fixext 1 `d4 4d 00`, then one array of its keys and values
 * alternating, the way msgpackr writes a Set. No option of msgpackr's keeps a Map apart from a
 * plain object, so this one is ours; msgpackr's own types are 0, 0x42, 0x62, 0x65, 0x69, 0x70,
 * 0x72-0x74, 0x78 and -1. Like every msgpackr extension, its decoder is process-wide.
 */
const MAP_EXTENSION = 0x4d;

/**
 * What msgpackr cannot write exactly, with no option to change it: a Map (it writes one as a plain
 * map before it looks at extensions) and -0 (it writes the integer 0). `prepare` swaps each for a
 * Tagged, which the extension below writes through the in-place hook of msgpackr's own built-in
 * extensions; msgpack-codec.spec.ts pins the bytes.
 */
class Tagged {
  constructor(readonly items: unknown[]) {}
}
/** msgpackr writes -0 as the integer 0; this is written as float 64 `cb 80 00 00 00 00 00 00 00`. */
const NEGATIVE_ZERO = new Tagged([]);

/** The hook msgpackr passes its own extensions' `pack`, to write in place (its typings omit it). */
type AllocateForWrite = (size: number) => { target: Uint8Array; targetView: DataView; position: number };

addExtension({
  Class: Tagged,
  type: MAP_EXTENSION,
  pack(tagged: Tagged, allocateForWrite: AllocateForWrite, pack: (value: unknown) => void): undefined {
    if (tagged === NEGATIVE_ZERO) {
      const { target, targetView, position } = allocateForWrite(9);
      target[position] = 0xcb;
      targetView.setFloat64(position + 1, -0);
      return;
    }
    const { target, position } = allocateForWrite(3);
    target[position] = 0xd4;
    target[position + 1] = MAP_EXTENSION;
    target[position + 2] = 0;
    pack(tagged.items);
  },
  read(items: unknown): Map<unknown, unknown> {
    if (!Array.isArray(items) || items.length % 2 !== 0) {
      throw new Error('msgpack Map extension: expected an array of keys and values alternating');
    }
    const map = new Map<unknown, unknown>();
    for (let i = 0; i < items.length; i += 2) map.set(items[i], items[i + 1]);
    return map;
  },
} as unknown as Parameters<typeof addExtension>[0]);

/**
 * `value` with every Map and -0 in it replaced by a Tagged, or `value` itself (no copy, nothing
 * allocated) when it holds none, as ordinary payloads do; containers are copied only on the way
 * to a replacement. It walks what msgpackr walks into: arrays, plain objects (own enumerable
 * keys), Maps and Sets. Other objects (Date, Uint8Array, class instances) are msgpackr's.
 */
function prepare(value: unknown): unknown {
  if (typeof value === 'object') return value === null ? value : prepareObject(value);
  // Of all values only 0 and -0 are `=== 0`, and only -0 has a negative reciprocal.
  return value === 0 && 1 / value < 0 ? NEGATIVE_ZERO : value;
}

/** `prepare(item)`, with the call left out for what it returns as is: the hot path of the walk. */
function prepareItem(item: unknown): unknown {
  return typeof item === 'object' || item === 0 ? prepare(item) : item;
}

function prepareObject(value: object): unknown {
  const constructor = value.constructor;
  if (constructor === Array) return prepareArray(value as unknown[]);
  if (constructor === Object) return preparePlainObject(value as Record<string, unknown>);
  if (value instanceof Map) {
    const items: unknown[] = [];
    for (const [key, item] of value) items.push(prepareItem(key), prepareItem(item));
    return new Tagged(items);
  }
  if (value instanceof Set) {
    // moreTypes writes the Set; a Set holds no -0 (it stores 0) but may hold Maps.
    let changed = false;
    const items: unknown[] = [];
    for (const item of value) {
      const prepared = prepareItem(item);
      changed ||= prepared !== item;
      items.push(prepared);
    }
    return changed ? new Set(items) : value;
  }
  if (Array.isArray(value)) return prepareArray(value);
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype ? preparePlainObject(value as Record<string, unknown>) : value;
}

function prepareArray(array: unknown[]): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    const prepared = prepareItem(item);
    if (copy !== undefined) copy[i] = prepared;
    else if (prepared !== item) {
      copy = array.slice(0, i);
      copy.length = array.length;
      copy[i] = prepared;
    }
  }
  return copy ?? array;
}

const hasOwn = Object.prototype.hasOwnProperty;

function preparePlainObject(object: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in object) {
    const item = object[key];
    const prepared = prepareItem(item);
    if (copy === undefined) {
      if (prepared === item) continue;
      copy = {};
      for (const before in object) {
        if (before === key) break;
        if (hasOwn.call(object, before)) setProperty(copy, before, object[before]);
      }
    }
    // As msgpackr does, leave out inherited keys (checked only here, off the hot path).
    if (hasOwn.call(object, key)) setProperty(copy, key, prepared);
  }
  return copy ?? object;
}

/** `object[key] = value`, except that an own `__proto__` key stays a key, not a prototype. */
function setProperty(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

/**
 * Payloads up to this size are decoded from one scratch buffer instead of where they arrived.
 * msgpackr makes a DataView for every buffer it decodes and stores it on that buffer as a new
 * property: on the fresh subarray each frame's payload is, that costs more than decoding a small
 * payload (550 ns against 200 ns for `[1, 2]`). Copying a small payload into a buffer that keeps
 * its DataView is far cheaper; large payloads are decoded in place, where a copy would cost more.
 */
const SCRATCH_BYTES = 4096;
const scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
const scratchRange = { start: 0, end: 0 };

export const msgpackCodec: Codec = {
  name: 'msgpack',
  encode: (value, headroom = 0) => {
    const prepared = prepare(value);
    return headroom === 0
      ? packr.pack(prepared)
      : headroom <= MAX_RESERVED_HEADROOM
        ? packr.pack(prepared, RESERVE_START_SPACE | headroom)
        : withHeadroom(packr.pack(prepared), headroom);
  },
  // A bin decodes as a Buffer, the kind msgpackr slices from: the scratch Buffer, or the Buffer
  // every transport hands payloads over as.
  decode: (bytes) => {
    if (bytes.length >= VIEW_BINS_FROM_BYTES) return viewingPackr.unpack(bytes);
    if (bytes.length > SCRATCH_BYTES) return packr.unpack(bytes);
    scratch.set(bytes, 0);
    scratchRange.end = bytes.length;
    return packr.unpack(scratch, scratchRange);
  },
};
