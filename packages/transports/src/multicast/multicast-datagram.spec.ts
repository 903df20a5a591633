import { describe, expect, it } from 'vitest';
import { DatagramKind, HEADER_BYTES, newIncarnation, readDatagram, replyHeader, requestHeader } from './multicast-datagram.js';

describe('multicast datagrams', () => {
  const incarnation = Buffer.from('0102030405060708', 'hex');
  const frame = Buffer.from([0x02, 0, 0, 0, 7, 0xaa]);

  it('a request carries the header, the codec name and the frame, byte for byte', () => {
    const header = requestHeader(incarnation, 'msgpack');
    expect(header.toString('hex')).toBe('434d0101' + '0102030405060708' + '07' + Buffer.from('msgpack').toString('hex'));
    expect(readDatagram(Buffer.concat([header, frame]))).toEqual({ kind: DatagramKind.Request, incarnation: '0102030405060708', codec: 'msgpack', frame });
  });

  it('a reply echoes the caller’s incarnation before its frame', () => {
    const header = replyHeader(incarnation);
    expect(header).toHaveLength(HEADER_BYTES);
    expect(readDatagram(Buffer.concat([header, frame]))).toEqual({ kind: DatagramKind.Reply, incarnation: '0102030405060708', frame });
  });

  it.each([
    ['text from a shell', Buffer.from('hello\n'), 'foreign'],
    ['a short datagram that starts like ours', Buffer.from([0x43, 0x4d, 1]), 'truncated'],
    ['another version', Buffer.concat([Buffer.from([0x43, 0x4d, 2, 1]), incarnation]), 'foreign'],
    ['an unknown kind', Buffer.concat([Buffer.from([0x43, 0x4d, 1, 9]), incarnation]), 'unexpected-kind'],
    ['a request with no codec length', Buffer.concat([Buffer.from([0x43, 0x4d, 1, 1]), incarnation]), 'truncated'],
    ['a codec name longer than the datagram', Buffer.concat([Buffer.from([0x43, 0x4d, 1, 1]), incarnation, Buffer.from([50, 0x61])]), 'truncated'],
  ])('drops %s', (_name, bytes, reason) => {
    expect(readDatagram(bytes)).toBe(reason);
  });

  it('every connection gets an incarnation of its own', () => {
    expect(newIncarnation().equals(newIncarnation())).toBe(false);
  });
});
