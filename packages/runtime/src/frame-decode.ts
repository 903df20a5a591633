import { Code, codeFromWire } from './code.js';
import { asBuffer } from './codec.js';
import { FrameFlag, FrameType, HELLO_MAGIC, type Frame } from './frame.js';
import type { Metadata } from './metadata.js';

/**
 * A message that is not a well-formed frame. `callId` is set when the head was readable, so
 * the receiver can fail that one call and keep the connection.
 */
export class MalformedFrameError extends Error {
  override readonly name = 'MalformedFrameError';
  constructor(
    message: string,
    readonly callId: number | undefined,
    readonly frameType: number | undefined,
  ) {
    super(message);
  }
}

/** Reads one frame, or says why the message is not one: for receivers, who must not throw. */
export function readFrame(message: Uint8Array): Frame | MalformedFrameError {
  try {
    return decodeFrame(message);
  } catch (error) {
    return error as MalformedFrameError;
  }
}

/** Reads one frame from one transport message. Throws MalformedFrameError, never anything else. */
export function decodeFrame(message: Uint8Array): Frame {
  const bytes = asBuffer(message);
  if (bytes.length < 5) throw new MalformedFrameError(`frame of ${bytes.length} bytes is shorter than its 5-byte head`, undefined, bytes[0]);
  const type = bytes[0] as number;
  const id = bytes.readUInt32BE(1);
  const reader = new Reader(bytes, 5, type, id);
  switch (type) {
    case FrameType.Hello: {
      const magic = reader.latin1(4);
      if (magic !== HELLO_MAGIC) reader.fail(`HELLO magic is ${JSON.stringify(magic)}, expected "${HELLO_MAGIC}"`);
      const version = reader.u8();
      const codec = reader.latin1(reader.u8());
      reader.end();
      return { type, version, codec };
    }
    case FrameType.Call: {
      if (id === 0) reader.fail('CALL with id 0');
      const flags = reader.u8();
      const timeout = flags & FrameFlag.HasTimeout ? reader.u32() : undefined;
      const method = reader.utf8(reader.u16());
      const metadata = flags & FrameFlag.HasMetadata ? reader.metadata() : undefined;
      return { type, id, method, noReply: (flags & FrameFlag.NoReply) !== 0, timeout, metadata, payload: reader.rest() };
    }
    case FrameType.Result: {
      const flags = reader.u8();
      const metadata = flags & FrameFlag.HasMetadata ? reader.metadata() : undefined;
      return { type, id, metadata, payload: reader.rest() };
    }
    case FrameType.Error: {
      const flags = reader.u8();
      const metadata = flags & FrameFlag.HasMetadata ? reader.metadata() : undefined;
      const code = codeFromWire(reader.u16());
      const text = reader.utf8(reader.u32());
      return { type, id, metadata, code: code === Code.Ok ? Code.Unknown : code, message: text, details: reader.rest() };
    }
    case FrameType.GoAway: {
      const code = codeFromWire(reader.u16());
      const text = reader.utf8(reader.u32());
      reader.end();
      return { type, lastId: id, code, message: text };
    }
    case FrameType.StreamMessage:
      return { type, id, payload: reader.rest() };
    case FrameType.Credit: {
      const credit = reader.u32();
      reader.end();
      return { type, id, credit };
    }
    case FrameType.Cancel:
    case FrameType.StreamEnd:
    case FrameType.Ping:
    case FrameType.Pong:
      return { type, id };
    default:
      throw new MalformedFrameError(`unknown frame type 0x${type.toString(16).padStart(2, '0')}`, id === 0 ? undefined : id, type);
  }
}

/** A cursor that turns every overrun into a MalformedFrameError naming the frame. */
class Reader {
  constructor(
    private readonly bytes: Buffer,
    private at: number,
    private readonly type: number,
    private readonly id: number,
  ) {}

  fail(problem: string): never {
    const callId = this.type === FrameType.Call && this.id !== 0 ? this.id : undefined;
    throw new MalformedFrameError(problem, callId, this.type);
  }

  private take(count: number): number {
    const start = this.at;
    if (start + count > this.bytes.length) {
      this.fail(`frame type 0x${this.type.toString(16).padStart(2, '0')} ends at byte ${this.bytes.length}, needed ${start + count}`);
    }
    this.at += count;
    return start;
  }

  u8(): number {
    return this.bytes[this.take(1)] as number;
  }
  u16(): number {
    return this.bytes.readUInt16BE(this.take(2));
  }
  u32(): number {
    return this.bytes.readUInt32BE(this.take(4));
  }
  utf8(length: number): string {
    const start = this.take(length);
    return this.bytes.toString('utf8', start, start + length);
  }
  latin1(length: number): string {
    const start = this.take(length);
    return this.bytes.toString('latin1', start, start + length);
  }
  metadata(): Metadata {
    // No prototype: a key named __proto__ from the wire must stay a key.
    const metadata: Metadata = Object.create(null) as Metadata;
    for (let count = this.u16(); count > 0; count--) {
      const key = this.utf8(this.u16());
      metadata[key] = this.utf8(this.u16());
    }
    return metadata;
  }
  rest(): Uint8Array {
    const start = this.at;
    this.at = this.bytes.length;
    return this.bytes.subarray(start);
  }
  end(): void {
    if (this.at !== this.bytes.length) this.fail(`${this.bytes.length - this.at} unexpected bytes after the frame`);
  }
}

/**
 * The method a CALL frame names, read from its first bytes only (the head of a refused oversized
 * message); undefined when the head is not a CALL or is cut before the name ends.
 */
export function methodOfCallHead(head: Uint8Array): string | undefined {
  const bytes = asBuffer(head);
  if (bytes.length < 8 || bytes[0] !== FrameType.Call) return undefined;
  const at = 6 + ((bytes[5] as number) & FrameFlag.HasTimeout ? 4 : 0);
  if (bytes.length < at + 2) return undefined;
  const length = bytes.readUInt16BE(at);
  return bytes.length < at + 2 + length ? undefined : bytes.toString('utf8', at + 2, at + 2 + length);
}
