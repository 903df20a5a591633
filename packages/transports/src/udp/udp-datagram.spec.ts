import { describe, expect, it } from 'vitest';
import {
  ackDatagrams,
  closeDatagram,
  CloseReason,
  DATA_HEADER_BYTES,
  DatagramKind,
  HEADER_BYTES,
  keepaliveDatagram,
  openDatagram,
  openedDatagram,
  probeAckDatagram,
  probeDatagram,
  readDatagram,
  skipDatagram,
  unwrapSequence,
  writeDataHeader,
  type AckEntry,
} from './udp-datagram.js';

const identity = Buffer.from('0102030405060708000000ff', 'hex');

describe('udp datagrams', () => {
  it('lays out the common header: magic and version, kind, incarnation, connection id', () => {
    expect(openDatagram(identity).toString('hex')).toBe('c1010102030405060708000000ff');
    expect(closeDatagram(identity, CloseReason.UnknownConnection).toString('hex')).toBe('c1090102030405060708000000ff01');
  });

  it('reads back every kind it writes', () => {
    expect(readDatagram(openDatagram(identity))).toEqual({ kind: DatagramKind.Open });
    expect(readDatagram(openedDatagram(identity, 60_000))).toEqual({ kind: DatagramKind.Opened, idleTimeout: 60_000 });
    expect(readDatagram(skipDatagram(identity, 7))).toEqual({ kind: DatagramKind.Skip, seq: 7 });
    expect(readDatagram(probeDatagram(identity, 9, 42))).toEqual({ kind: DatagramKind.Probe, seq: 9, callId: 42 });
    expect(readDatagram(probeAckDatagram(identity, 9, 42, true))).toEqual({ kind: DatagramKind.ProbeAck, seq: 9, callId: 42, rerun: true });
    expect(readDatagram(keepaliveDatagram(identity))).toEqual({ kind: DatagramKind.Keepalive });
    expect(readDatagram(closeDatagram(identity, CloseReason.Closed))).toEqual({ kind: DatagramKind.Close, reason: 0 });
  });

  it('writes a DATA header (seq, cumulative ack, size, index, count) in front of a fragment, and reads the fragment as a view', () => {
    const datagram = Buffer.concat([Buffer.alloc(DATA_HEADER_BYTES), Buffer.from('frag')]);
    expect(DATA_HEADER_BYTES).toBe(34);
    writeDataHeader(datagram, 0, identity, 2 ** 32 + 5, 2 ** 32 + 9, 1000, 3, 4);
    expect(datagram.subarray(HEADER_BYTES, DATA_HEADER_BYTES).toString('hex')).toBe('00000005' + '00000009' + '000003e8' + '00000003' + '00000004');
    const read = readDatagram(datagram);
    expect(read).toMatchObject({ kind: DatagramKind.Data, seq: 5, ack: 9, size: 1000, index: 3, count: 4 });
    expect(typeof read === 'object' && read.kind === DatagramKind.Data && read.payload.toString()).toBe('frag');
  });

  it('says why bytes are not a datagram of ours, without throwing', () => {
    const data = (size: number, index: number, count: number, payload = 'x') => {
      const datagram = Buffer.concat([Buffer.alloc(DATA_HEADER_BYTES), Buffer.from(payload)]);
      writeDataHeader(datagram, 0, identity, 1, 0, size, index, count);
      return datagram;
    };
    expect(readDatagram(Buffer.alloc(0))).toBe('truncated');
    expect(readDatagram(Buffer.from('GET / HTTP/1.1\r\n'))).toBe('foreign');
    expect(readDatagram(Buffer.from([0xc2, 1, ...identity]))).toBe('version');
    expect(readDatagram(Buffer.from([0xc1, 1, 2, 3]))).toBe('truncated');
    expect(readDatagram(Buffer.from([0xc1, 0x7f, ...identity]))).toBe('unknown-kind');
    expect(readDatagram(Buffer.concat([openDatagram(identity), Buffer.from([0])]))).toBe('malformed');
    expect(readDatagram(data(10, 4, 4))).toBe('malformed');
    expect(readDatagram(data(10, 0, 0))).toBe('malformed');
    expect(readDatagram(data(1, 0, 1, 'too long'))).toBe('malformed');
    expect(readDatagram(data(1, 0, 1).subarray(0, DATA_HEADER_BYTES - 1))).toBe('truncated');
    const ack = ackDatagrams(identity, [{ seq: 1, complete: false, base: 0, bitmap: new Uint8Array([0xff]) }], 1400)[0] as Buffer;
    expect(readDatagram(ack.subarray(0, ack.length - 1))).toBe('truncated');
    expect(readDatagram(Buffer.concat([ack, Buffer.from([0])]))).toBe('malformed');
  });

  it('packs ack entries into as few datagrams as fit the size limit', () => {
    const entries: AckEntry[] = [
      ...Array.from({ length: 100 }, (_, i): AckEntry => ({ seq: i + 1, complete: true })),
      { seq: 2 ** 32 + 1, complete: false, base: 12, bitmap: new Uint8Array(200).fill(0xa5) },
    ];
    const datagrams = ackDatagrams(identity, entries, 300);
    expect(datagrams.length).toBeGreaterThan(1);
    for (const datagram of datagrams) expect(datagram.length).toBeLessThanOrEqual(300);
    const read = datagrams.flatMap((datagram) => {
      const ack = readDatagram(datagram);
      return typeof ack === 'object' && ack.kind === DatagramKind.Ack ? ack.entries : [];
    });
    expect(read.map((entry) => entry.seq)).toEqual([...entries.slice(0, 100).map((entry) => entry.seq), 1]);
    expect(read.at(-1)).toEqual({ seq: 1, complete: false, base: 12, bitmap: Buffer.alloc(200, 0xa5) });
  });

  it('widens 32-bit sequence numbers to the one nearest what the receiver expects', () => {
    expect(unwrapSequence(5, 3)).toBe(5);
    expect(unwrapSequence(1, 2)).toBe(1);
    expect(unwrapSequence(2, 2 ** 32 - 1)).toBe(2 ** 32 + 2);
    expect(unwrapSequence(0xffffffff, 2 ** 32 + 2)).toBe(2 ** 32 - 1);
  });
});
