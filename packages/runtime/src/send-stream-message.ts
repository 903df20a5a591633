import type { PayloadCodec } from './codec.js';
import { encodeFrameWithValue, NO_PAYLOAD } from './frame-encode.js';
import { FrameType, type StreamMessageFrame } from './frame.js';
import { streamMessageCharge } from './limits.js';
import type { Connection } from './transport.js';

/** type (u8) + id (u32): all of a STREAM_MESSAGE before its payload. */
const STREAM_MESSAGE_HEADER_BYTES = 5;

/** Sends `value` as one STREAM_MESSAGE of call `id`; returns what it cost of the stream window. */
export function sendStreamMessage(connection: Connection, codec: PayloadCodec, id: number, value: unknown): number {
  const frame: StreamMessageFrame = { type: FrameType.StreamMessage, id, payload: NO_PAYLOAD };
  const message = encodeFrameWithValue(frame, value, codec, connection.headroom);
  connection.send(message);
  return streamMessageCharge(message.length - connection.headroom - STREAM_MESSAGE_HEADER_BYTES);
}
