import { Code } from './code.js';
import { FrameFlag, FrameType, HELLO_MAGIC, type Frame } from './frame.js';
import { MAX_METADATA_ENTRIES, MAX_METADATA_FIELD_BYTES, MAX_METHOD_NAME_BYTES, MAX_TIMEOUT_MS } from './limits.js';
import type { Metadata } from './metadata.js';
import { RpcError } from './rpc-error.js';

/** type (u8) + id (u32): the head every frame starts with. */
const HEAD_BYTES = 5;
const EMPTY = new Uint8Array(0);

/** Encodes one frame as the bytes of one transport message; layouts are in docs/protocol.md. */
export function encodeFrame(frame: Frame): Uint8Array {
  switch (frame.type) {
    case FrameType.Hello: {
      const codec = Buffer.from(frame.codec, 'latin1');
      const out = Buffer.allocUnsafe(HEAD_BYTES + 4 + 1 + 1 + codec.length);
      out[0] = frame.type;
      out.writeUInt32BE(0, 1);
      out.write(HELLO_MAGIC, 5, 'latin1');
      out[9] = frame.version;
      out[10] = codec.length;
      codec.copy(out, 11);
      return out;
    }
    case FrameType.Call: {
      const methodBytes = Buffer.byteLength(frame.method);
      if (methodBytes > MAX_METHOD_NAME_BYTES) {
        throw new RpcError(Code.InvalidArgument, `method name is ${methodBytes} bytes; the limit is ${MAX_METHOD_NAME_BYTES}`);
      }
      const metadataBytes = metadataSize(frame.metadata);
      const hasTimeout = frame.timeout !== undefined;
      const flags =
        (frame.noReply ? FrameFlag.NoReply : 0) |
        (hasTimeout ? FrameFlag.HasTimeout : 0) |
        (metadataBytes > 0 ? FrameFlag.HasMetadata : 0);
      const out = Buffer.allocUnsafe(HEAD_BYTES + 1 + (hasTimeout ? 4 : 0) + 2 + methodBytes + metadataBytes + frame.payload.length);
      let at = writeHead(out, frame.type, frame.id);
      out[at++] = flags;
      if (hasTimeout) at = out.writeUInt32BE(clampTimeout(frame.timeout), at);
      at = out.writeUInt16BE(methodBytes, at);
      at += out.write(frame.method, at, 'utf8');
      at = writeMetadata(out, at, frame.metadata, metadataBytes);
      out.set(frame.payload, at);
      return out;
    }
    case FrameType.Result: {
      const metadataBytes = metadataSize(frame.metadata);
      const out = Buffer.allocUnsafe(HEAD_BYTES + 1 + metadataBytes + frame.payload.length);
      let at = writeHead(out, frame.type, frame.id);
      out[at++] = metadataBytes > 0 ? FrameFlag.HasMetadata : 0;
      at = writeMetadata(out, at, frame.metadata, metadataBytes);
      out.set(frame.payload, at);
      return out;
    }
    case FrameType.Error: {
      const metadataBytes = metadataSize(frame.metadata);
      const messageBytes = Buffer.byteLength(frame.message);
      const out = Buffer.allocUnsafe(HEAD_BYTES + 1 + metadataBytes + 2 + 4 + messageBytes + frame.details.length);
      let at = writeHead(out, frame.type, frame.id);
      out[at++] = metadataBytes > 0 ? FrameFlag.HasMetadata : 0;
      at = writeMetadata(out, at, frame.metadata, metadataBytes);
      at = out.writeUInt16BE(frame.code, at);
      at = out.writeUInt32BE(messageBytes, at);
      at += out.write(frame.message, at, 'utf8');
      out.set(frame.details, at);
      return out;
    }
    case FrameType.GoAway: {
      const messageBytes = Buffer.byteLength(frame.message);
      const out = Buffer.allocUnsafe(HEAD_BYTES + 2 + 4 + messageBytes);
      let at = writeHead(out, frame.type, frame.lastId);
      at = out.writeUInt16BE(frame.code, at);
      at = out.writeUInt32BE(messageBytes, at);
      out.write(frame.message, at, 'utf8');
      return out;
    }
    default: {
      const out = Buffer.allocUnsafe(HEAD_BYTES);
      writeHead(out, frame.type, frame.id);
      return out;
    }
  }
}

/** An empty details field: what ERROR carries when the error has no details. */
export const NO_DETAILS: Uint8Array = EMPTY;

function writeHead(out: Buffer, type: number, id: number): number {
  out[0] = type;
  return out.writeUInt32BE(id, 1);
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
