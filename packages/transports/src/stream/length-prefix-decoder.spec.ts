import { describe, expect, it } from 'vitest';
import { OVERSIZED_HEAD_BYTES } from '@conduit/runtime';
import { LengthPrefixDecoder } from './length-prefix-decoder.js';

function framed(...messages: Buffer[]): Buffer {
  return Buffer.concat(
    messages.flatMap((message) => {
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(message.length);
      return [prefix, message];
    }),
  );
}

function collect(max: number) {
  const messages: string[] = [];
  const oversized: { head: string; size: number }[] = [];
  const decoder = new LengthPrefixDecoder(
    max,
    (message) => messages.push(message.toString()),
    (head, size) => oversized.push({ head: head.toString(), size }),
  );
  return { decoder, messages, oversized };
}

describe('LengthPrefixDecoder', () => {
  const stream = framed(Buffer.from('first'), Buffer.from(''), Buffer.from('a somewhat longer third message'));

  it('cuts a stream into its messages, however the chunks fall', () => {
    for (let size = 1; size <= stream.length; size++) {
      const { decoder, messages } = collect(1024);
      for (let at = 0; at < stream.length; at += size) decoder.push(stream.subarray(at, at + size));
      expect(messages, `chunks of ${size}`).toEqual(['first', '', 'a somewhat longer third message']);
      expect(decoder.midMessage).toBe(false);
    }
  });

  it('knows when a message is cut off in the middle', () => {
    const { decoder } = collect(1024);
    decoder.push(stream.subarray(0, 7));
    expect(decoder.midMessage).toBe(true);
  });

  it('skips a message over the limit without buffering it, keeping its head and the stream in step', () => {
    const big = Buffer.alloc(100_000, 'x');
    big.write('HEAD-of-the-big-message');
    const input = framed(Buffer.from('before'), big, Buffer.from('after'));
    for (const size of [1, 3, 1000, input.length]) {
      const { decoder, messages, oversized } = collect(1000);
      for (let at = 0; at < input.length; at += size) decoder.push(input.subarray(at, at + size));
      expect(messages).toEqual(['before', 'after']);
      expect(oversized).toEqual([{ head: big.subarray(0, OVERSIZED_HEAD_BYTES).toString(), size: 100_000 }]);
      expect(oversized[0]?.head.startsWith('HEAD-of-the-big-message')).toBe(true);
    }
  });

  it('refuses a 4 GiB length without allocating it', () => {
    const { decoder, oversized } = collect(1000);
    decoder.push(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    expect(oversized).toHaveLength(0);
    expect(decoder.midMessage).toBe(true);
    decoder.push(Buffer.alloc(OVERSIZED_HEAD_BYTES));
    expect(oversized[0]?.size).toBe(0xffffffff);
  });

  it('with a text handler, reports text where a prefix belongs and stops, whole or byte by byte', () => {
    const input = Buffer.concat([framed(Buffer.from('before')), Buffer.from('hello from console.log\n'), framed(Buffer.from('after'))]);
    for (const size of [1, 2, input.length]) {
      const messages: string[] = [];
      const texts: string[] = [];
      const decoder = new LengthPrefixDecoder(1000, (m) => messages.push(m.toString()), () => {}, (text) => texts.push(text.toString()));
      for (let at = 0; at < input.length; at += size) decoder.push(input.subarray(at, at + size));
      expect(messages).toEqual(['before']);
      expect(texts).toHaveLength(1);
      expect(texts[0]?.startsWith('hell')).toBe(true);
    }
  });

  it('with a text handler, still skips an oversized binary message (its prefix starts with 0x00)', () => {
    const texts: string[] = [];
    const oversized: number[] = [];
    const decoder = new LengthPrefixDecoder(1000, () => {}, (_, size) => oversized.push(size), (text) => texts.push(text.toString()));
    decoder.push(framed(Buffer.alloc(2000)));
    expect(texts).toEqual([]);
    expect(oversized).toEqual([2000]);
  });
});
