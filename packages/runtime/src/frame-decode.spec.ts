import { describe, expect, it } from 'vitest';
import { decodeFrame, MalformedFrameError } from './frame-decode.js';
import { encodeFrame } from './frame-encode.js';
import { FrameType } from './frame.js';

const call = encodeFrame({
  type: FrameType.Call,
  id: 7,
  method: 'Calculator.add',
  noReply: false,
  timeout: 100,
  metadata: { a: 'b' },
  payload: Uint8Array.of(0x92, 1, 2),
});

function malformed(bytes: Uint8Array): MalformedFrameError {
  try {
    decodeFrame(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedFrameError);
    return error as MalformedFrameError;
  }
  throw new Error('decodeFrame accepted a malformed frame');
}

describe('decodeFrame', () => {
  it('refuses a message shorter than the head, naming no call', () => {
    const error = malformed(Uint8Array.of(2, 0, 0));
    expect(error.message).toMatch(/shorter than its 5-byte head/);
    expect(error.callId).toBeUndefined();
  });

  it('refuses an unknown frame type and names the type', () => {
    expect(malformed(Uint8Array.of(0x7f, 0, 0, 0, 1)).message).toBe('unknown frame type 0x7f');
  });

  it('names the call of a truncated CALL, so the server can fail just that call', () => {
    for (const cut of [6, 9, 12, 20]) {
      const error = malformed(call.subarray(0, cut));
      expect(error.callId).toBe(7);
      expect(error.message).toMatch(/ends at byte/);
    }
  });

  it('refuses a HELLO with the wrong magic (another protocol knocking)', () => {
    const hello = Buffer.from(encodeFrame({ type: FrameType.Hello, version: 1, codec: 'msgpack' }));
    hello.write('HTTP', 5, 'latin1');
    expect(malformed(hello).message).toMatch(/magic/);
  });

  it('keeps a metadata key named __proto__ as a key, not a prototype', () => {
    const bytes = encodeFrame({ type: FrameType.Result, id: 1, metadata: JSON.parse('{"__proto__":"x"}'), payload: Uint8Array.of(0xc0) });
    const frame = decodeFrame(bytes);
    expect(frame.type === FrameType.Result && Object.keys(frame.metadata ?? {})).toEqual(['__proto__']);
  });

  it('treats an ERROR frame claiming code OK or an unknown code as Unknown', () => {
    for (const code of [0, 99]) {
      const bytes = encodeFrame({ type: FrameType.Error, id: 1, metadata: undefined, code, message: 'm', details: new Uint8Array() });
      const frame = decodeFrame(bytes);
      expect(frame.type === FrameType.Error && frame.code).toBe(2);
    }
  });
});

describe('encodeFrame', () => {
  it('rejects metadata values that are not strings', () => {
    const bad = { type: FrameType.Result, id: 1, metadata: { n: 5 as unknown as string }, payload: new Uint8Array() } as const;
    expect(() => encodeFrame(bad)).toThrow(/metadata 'n' must be a string/);
  });
});
