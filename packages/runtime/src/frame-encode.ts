import { Code } from './code.js';
import { asBuffer, type PayloadCodec } from './codec.js';
import { FrameFlag, FrameType, HELLO_MAGIC, type CallFrame, type Frame, type ResultFrame, type StreamMessageFrame } from './frame.js';
import { MAX_METADATA_ENTRIES, MAX_METADATA_FIELD_BYTES, MAX_METHOD_NAME_BYTES, MAX_TIMEOUT_MS } from './limits.js';
import type { Metadata } from './metadata.js';
import { RpcError } from './rpc-error.js';

/** type (u8) + id (u32): the head every frame starts with. */
const HEAD_BYTES = 5;
const EMPTY = new Uint8Array(0);

/** An empty details field: what ERROR carries when the error has no details. */
export const NO_DETAILS: Uint8Array = EMPTY;
/** The payload of a frame handed to `encodeFrameWithValue`, which encodes the payload itself. */
export const NO_PAYLOAD: Uint8Array = EMPTY;

/**
 * What a frame's header needs, worked out once: its size, and the byte lengths the header
 * writes (so strings are measured once, not twice).
 */
interface HeaderPlan {
  readonly size: number;
  readonly metadataBytes: number;
  readonly textBytes: number;
  /**
   * CALL: the method name's UTF-8 bytes, looked up once for both measuring and writing. Every
   * plan has the field (undefined but for CALL), so plans share one shape on the encode path.
   */
  readonly method: Uint8Array | undefined;
}

/**
 * Encodes one frame as the bytes of one transport message (layouts in docs/protocol.md), after
 * `headroom` bytes left free for the transport's own framing.
 */
export function encodeFrame(frame: Frame, headroom = 0): Uint8Array {
  const plan = planHeader(frame);
  const body = bodyOf(frame);
  const out = Buffer.allocUnsafe(headroom + plan.size + body.length);
  writeHeader(out, headroom, frame, plan);
  out.set(body, headroom + plan.size);
  return out;
}

/**
 * A CALL, RESULT or STREAM_MESSAGE frame whose payload is `value`: the codec writes it straight behind room left
 * for the header and the transport's headroom, so the message is one buffer and the payload is
 * never copied. The frame's own `payload` is ignored (pass `NO_PAYLOAD`). Codec failures are
 * thrown as they come, for the caller to word.
 */
export function encodeFrameWithValue(
  frame: CallFrame | ResultFrame | StreamMessageFrame,
  value: unknown,
  codec: PayloadCodec,
  headroom: number,
): Uint8Array {
  const plan = planHeader(frame);
  const message = codec.encode(value, headroom + plan.size);
  writeHeader(asBuffer(message), headroom, frame, plan);
  return message;
}

function bodyOf(frame: Frame): Uint8Array {
  switch (frame.type) {
    case FrameType.Call:
    case FrameType.Result:
    case FrameType.StreamMessage:
      return frame.payload;
    case FrameType.Error:
      return frame.details;
    default:
      return EMPTY;
  }
}

function planHeader(frame: Frame): HeaderPlan {
  switch (frame.type) {
    case FrameType.Hello:
      return { size: HEAD_BYTES + 4 + 1 + 1 + frame.codec.length, metadataBytes: 0, textBytes: frame.codec.length, method: undefined };
    case FrameType.Call: {
      const method = methodNameBytes(frame.method);
      const textBytes = method.length;
      if (textBytes > MAX_METHOD_NAME_BYTES) {
        throw new RpcError(Code.InvalidArgument, `method name is ${textBytes} bytes; the limit is ${MAX_METHOD_NAME_BYTES}`);
      }
      const metadataBytes = metadataSize(frame.metadata);
      const timeoutBytes = frame.timeout === undefined ? 0 : 4;
      return { size: HEAD_BYTES + 1 + timeoutBytes + 2 + textBytes + metadataBytes, metadataBytes, textBytes, method };
    }
    case FrameType.Result: {
      const metadataBytes = metadataSize(frame.metadata);
      return { size: HEAD_BYTES + 1 + metadataBytes, metadataBytes, textBytes: 0, method: undefined };
    }
    case FrameType.Error: {
      const metadataBytes = metadataSize(frame.metadata);
      const textBytes = Buffer.byteLength(frame.message);
      return { size: HEAD_BYTES + 1 + metadataBytes + 2 + 4 + textBytes, metadataBytes, textBytes, method: undefined };
    }
    case FrameType.GoAway: {
      const textBytes = Buffer.byteLength(frame.message);
      return { size: HEAD_BYTES + 2 + 4 + textBytes, metadataBytes: 0, textBytes, method: undefined };
    }
    case FrameType.Credit:
      return { size: HEAD_BYTES + 4, metadataBytes: 0, textBytes: 0, method: undefined };
    default:
      return { size: HEAD_BYTES, metadataBytes: 0, textBytes: 0, method: undefined };
  }
}

/** Writes everything of the frame but its payload or details, starting at `at`. */
function writeHeader(out: Buffer, at: number, frame: Frame, plan: HeaderPlan): void {
  out[at] = frame.type;
  switch (frame.type) {
    case FrameType.Hello:
      at = out.writeUInt32BE(0, at + 1);
      at += out.write(HELLO_MAGIC, at, 'latin1');
      out[at++] = frame.version;
      out[at++] = plan.textBytes;
      out.write(frame.codec, at, 'latin1');
      return;
    case FrameType.Call: {
      at = out.writeUInt32BE(frame.id, at + 1);
      const hasTimeout = frame.timeout !== undefined;
      out[at++] =
        (frame.noReply ? FrameFlag.NoReply : 0) | (hasTimeout ? FrameFlag.HasTimeout : 0) | (plan.metadataBytes > 0 ? FrameFlag.HasMetadata : 0);
      if (hasTimeout) at = out.writeUInt32BE(clampTimeout(frame.timeout), at);
      at = out.writeUInt16BE(plan.textBytes, at);
      const name = plan.method as Uint8Array;
      // A byte loop: for a name of a few bytes it beats set(), which pays a call into C++ (24-31 ns against 52 ns).
      for (let i = 0; i < name.length; i++) out[at + i] = name[i] as number;
      writeMetadata(out, at + name.length, frame.metadata, plan.metadataBytes);
      return;
    }
    case FrameType.Result:
      at = out.writeUInt32BE(frame.id, at + 1);
      out[at++] = plan.metadataBytes > 0 ? FrameFlag.HasMetadata : 0;
      writeMetadata(out, at, frame.metadata, plan.metadataBytes);
      return;
    case FrameType.Error:
      at = out.writeUInt32BE(frame.id, at + 1);
      out[at++] = plan.metadataBytes > 0 ? FrameFlag.HasMetadata : 0;
      at = writeMetadata(out, at, frame.metadata, plan.metadataBytes);
      at = out.writeUInt16BE(frame.code, at);
      at = out.writeUInt32BE(plan.textBytes, at);
      out.write(frame.message, at, 'utf8');
      return;
    case FrameType.Credit:
      at = out.writeUInt32BE(frame.id, at + 1);
      out.writeUInt32BE(frame.credit, at);
      return;
    case FrameType.GoAway:
      at = out.writeUInt32BE(frame.lastId, at + 1);
      at = out.writeUInt16BE(frame.code, at);
      at = out.writeUInt32BE(plan.textBytes, at);
      out.write(frame.message, at, 'utf8');
      return;
    default:
      out.writeUInt32BE(frame.id, at + 1);
  }
}

/**
 * The UTF-8 bytes of method names, measured and encoded once: every call names its method, and a
 * program calls few of them, over and over. Bounded, for the program that makes names up.
 */
const methodNames = new Map<string, Uint8Array>();
const MAX_CACHED_METHOD_NAMES = 1024;

function methodNameBytes(method: string): Uint8Array {
  let bytes = methodNames.get(method);
  if (bytes === undefined) {
    bytes = Buffer.from(method, 'utf8');
    if (methodNames.size >= MAX_CACHED_METHOD_NAMES) methodNames.clear();
    methodNames.set(method, bytes);
  }
  return bytes;
}

function clampTimeout(timeout: number): number {
  return Math.min(MAX_TIMEOUT_MS, Math.max(0, Math.ceil(timeout)));
}

/** Bytes the metadata block takes, or 0 when there is nothing to send (the flag is then clear). */
function metadataSize(metadata: Metadata | undefined): number {
  if (metadata === undefined) return 0;
  let size = 2;
  let entries = 0;
  for (const key in metadata) {
    const value = metadata[key];
    if (typeof value !== 'string') {
      throw new RpcError(Code.InvalidArgument, `metadata '${key}' must be a string, got ${typeof value}`);
    }
    const keyBytes = Buffer.byteLength(key);
    const valueBytes = Buffer.byteLength(value);
    if (keyBytes > MAX_METADATA_FIELD_BYTES || valueBytes > MAX_METADATA_FIELD_BYTES) {
      throw new RpcError(Code.InvalidArgument, `metadata '${key.slice(0, 40)}' is larger than ${MAX_METADATA_FIELD_BYTES} bytes`);
    }
    size += 4 + keyBytes + valueBytes;
    entries++;
  }
  if (entries > MAX_METADATA_ENTRIES) {
    throw new RpcError(Code.InvalidArgument, `metadata has ${entries} entries; the limit is ${MAX_METADATA_ENTRIES}`);
  }
  return entries === 0 ? 0 : size;
}

function writeMetadata(out: Buffer, at: number, metadata: Metadata | undefined, size: number): number {
  if (size === 0 || metadata === undefined) return at;
  const countAt = at;
  at += 2;
  let entries = 0;
  for (const key in metadata) {
    const value = metadata[key] as string;
    const keyAt = at;
    at += 2;
    const keyBytes = out.write(key, at, 'utf8');
    out.writeUInt16BE(keyBytes, keyAt);
    at += keyBytes;
    const valueAt = at;
    at += 2;
    const valueBytes = out.write(value, at, 'utf8');
    out.writeUInt16BE(valueBytes, valueAt);
    at += valueBytes;
    entries++;
  }
  out.writeUInt16BE(entries, countAt);
  return at;
}
