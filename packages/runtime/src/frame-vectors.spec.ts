import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeFrame } from './frame-decode.js';
import { encodeFrame } from './frame-encode.js';
import { FrameType, type Frame } from './frame.js';

/** The test vectors of docs/protocol.md, read from the document itself so the two cannot drift. */
const protocol = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
const vectors = [...protocol.matchAll(/```vector\n([\s\S]*?)```/g)].map(([, block]) => {
  const field = (name: string): string => {
    const line = (block as string).split('\n').find((l) => l.startsWith(`${name}: `));
    if (line === undefined) throw new Error(`vector block without '${name}:'\n${block}`);
    return line.slice(name.length + 2);
  };
  return { name: field('name'), frame: JSON.parse(field('frame')) as Record<string, unknown>, bytes: fromHex(field('bytes')) };
});

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
}

const typeOfName: Record<string, number> = {
  HELLO: FrameType.Hello,
  CALL: FrameType.Call,
  RESULT: FrameType.Result,
  ERROR: FrameType.Error,
  CANCEL: FrameType.Cancel,
  STREAM_MESSAGE: FrameType.StreamMessage,
  STREAM_END: FrameType.StreamEnd,
  CREDIT: FrameType.Credit,
  PING: FrameType.Ping,
  PONG: FrameType.Pong,
  GOAWAY: FrameType.GoAway,
};

/** The JSON of a vector as the Frame the encoder takes: names to numbers, hex to bytes, absent to undefined. */
function frameOf(json: Record<string, unknown>): Frame {
  const frame: Record<string, unknown> = { ...json, type: typeOfName[json.type as string] };
  if (frame.type === FrameType.Call) frame.timeout ??= undefined;
  for (const binary of ['payload', 'details']) {
    if (typeof json[binary] === 'string') frame[binary] = fromHex(json[binary] as string);
  }
  if ([FrameType.Call, FrameType.Result, FrameType.Error].includes(frame.type as never)) frame.metadata ??= undefined;
  return frame as unknown as Frame;
}

describe('docs/protocol.md test vectors', () => {
  it('has a vector for every frame type of v1', () => {
    const types = new Set(vectors.map((v) => v.frame.type));
    expect([...types].sort()).toEqual(Object.keys(typeOfName).sort());
  });

  for (const vector of vectors) {
    it(`${vector.name}: decodes the bytes into the frame and encodes it back`, () => {
      const expected = frameOf(vector.frame);
      const decoded = decodeFrame(vector.bytes) as unknown as Record<string, unknown>;
      const normalized = Object.fromEntries(
        Object.entries(decoded).map(([key, value]) => [key, value instanceof Uint8Array ? Uint8Array.from(value) : value]),
      );
      if (normalized.metadata !== undefined) normalized.metadata = { ...(normalized.metadata as object) };
      expect(normalized).toEqual(expected);
      expect(Buffer.from(encodeFrame(expected)).toString('hex')).toBe(Buffer.from(vector.bytes).toString('hex'));
    });
  }
});
