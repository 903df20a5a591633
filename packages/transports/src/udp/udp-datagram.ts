import type { UdpDropReason } from './udp-stats.js';

/**
 * The layout of every datagram the udp transport sends. All integers are big-endian and unsigned.
 *
 *   offset size field
 *   0      1    0xC1: the high nibble 0xC marks Conduit-over-UDP, the low nibble is the version (1)
 *   1      1    kind (DatagramKind)
 *   2      8    incarnation: random, drawn once per client process
 *   10     4    connection id: the client's number for this connection within its incarnation
 *   14     …    the kind's body:
 *
 *   OPEN       c→s  (none): open this connection
 *   OPENED     s→c  idle timeout u32 (ms): the connection is open; the server forgets clients silent that long
 *   DATA       both seq u32 · ack u32 · message size u32 · fragment index u32 · fragment count u32 · the fragment's bytes
 *                   ack: every message of the other direction up to and including `ack` arrived whole (or
 *                   was skipped), as if each had a form-0 ACK entry; 0 before any did. Written at each send,
 *                   so a reply acknowledges its call and the next call the reply before it.
 *   SKIP       both seq u32: the sender gave message `seq` up (a call past its deadline); deliver what follows
 *   ACK        both count u16 · count × (seq u32 · form u8 · [form 1: base u32 · bitmap length u16 · bitmap])
 *                   form 0: message `seq` arrived whole (or was skipped); form 1: it is partial, every
 *                   fragment below `base` arrived, and bit i (most significant first) of the bitmap
 *                   says whether fragment base + i did. The receiver's current state, not a delta.
 *   PROBE      c→s  call seq u32 · call id u32: "I still wait for the reply to this call"
 *   PROBE_ACK  s→c  call seq u32 · call id u32 · flags u8: the answer to a PROBE. Bit 0, RERUN: the reply
 *                   was evicted and the method is idempotent, send the call again (sent unprompted too, at
 *                   the eviction)
 *   KEEPALIVE  c→s  (none): the client is alive though it has had nothing to send
 *   CLOSE      both reason u8 (CloseReason)
 *
 * Sequence numbers count the messages of one direction of one connection from 1 and travel as
 * their low 32 bits; each end widens them again near the numbers it expects (`unwrapSequence`).
 */
export const DatagramKind = {
  Open: 0x01,
  Opened: 0x02,
  Data: 0x03,
  Skip: 0x04,
  Ack: 0x05,
  Probe: 0x06,
  ProbeAck: 0x07,
  Keepalive: 0x08,
  Close: 0x09,
} as const;
export type DatagramKind = (typeof DatagramKind)[keyof typeof DatagramKind];

/** Why a connection is closed, in CLOSE. */
export const CloseReason = {
  /** The sender closed the connection. */
  Closed: 0,
  /** The server has no such connection: it restarted, or forgot an idle client. */
  UnknownConnection: 1,
  /** The server no longer accepts connections (its listener is closed). */
  NotAccepting: 2,
} as const;
export type CloseReason = (typeof CloseReason)[keyof typeof CloseReason];

const MAGIC_NIBBLE = 0xc0;
const UDP_PROTOCOL_VERSION = 1;
const FIRST_BYTE = MAGIC_NIBBLE | UDP_PROTOCOL_VERSION;

/** Magic, kind, incarnation and connection id. */
export const HEADER_BYTES = 14;
/** Where the 12 bytes naming a connection (incarnation and connection id) sit in every datagram. */
export const IDENTITY_OFFSET = 2;
export const IDENTITY_BYTES = 12;
/** The header plus DATA's seq, ack, message size, fragment index and count: what precedes a fragment's bytes. */
export const DATA_HEADER_BYTES = HEADER_BYTES + 20;
const ACK_COMPLETE_BYTES = 5;
const ACK_PARTIAL_HEAD_BYTES = 11;
const ACK_FORM_COMPLETE = 0;
const ACK_FORM_PARTIAL = 1;
const PROBE_FLAG_RERUN = 0x01;

export type AckEntry =
  | { readonly seq: number; readonly complete: true }
  | { readonly seq: number; readonly complete: false; readonly base: number; readonly bitmap: Uint8Array };

export type Datagram =
  | { readonly kind: typeof DatagramKind.Open }
  | { readonly kind: typeof DatagramKind.Opened; readonly idleTimeout: number }
  | DataDatagram
  | { readonly kind: typeof DatagramKind.Skip; readonly seq: number }
  | { readonly kind: typeof DatagramKind.Ack; readonly entries: readonly AckEntry[] }
  | { readonly kind: typeof DatagramKind.Probe; readonly seq: number; readonly callId: number }
  | { readonly kind: typeof DatagramKind.ProbeAck; readonly seq: number; readonly callId: number; readonly rerun: boolean }
  | { readonly kind: typeof DatagramKind.Keepalive }
  | { readonly kind: typeof DatagramKind.Close; readonly reason: number };

export interface DataDatagram {
  readonly kind: typeof DatagramKind.Data;
  /** The low 32 bits of the message's sequence number. */
  readonly seq: number;
  /** The low 32 bits of the cumulative ack: the other direction's messages up to this one arrived whole. */
  readonly ack: number;
  readonly size: number;
  readonly index: number;
  readonly count: number;
  /** A view into the received datagram: the fragment's bytes. */
  readonly payload: Buffer;
}

/**
 * Reads one datagram, or says why it is not one of ours. Never throws: anything can arrive on a
 * UDP port. The identity (bytes 2–13) is the caller's to check.
 */
export function readDatagram(bytes: Buffer): Datagram | UdpDropReason {
  if (bytes.length < 1) return 'truncated';
  const first = bytes[0] as number;
  if ((first & 0xf0) !== MAGIC_NIBBLE) return 'foreign';
  if (first !== FIRST_BYTE) return 'version';
  if (bytes.length < HEADER_BYTES) return 'truncated';
  const kind = bytes[1] as number;
  const body = bytes.length - HEADER_BYTES;
  switch (kind) {
    case DatagramKind.Open:
      return body === 0 ? { kind } : 'malformed';
    case DatagramKind.Keepalive:
      return body === 0 ? { kind } : 'malformed';
    case DatagramKind.Opened:
      return body === 4 ? { kind, idleTimeout: bytes.readUInt32BE(HEADER_BYTES) } : body < 4 ? 'truncated' : 'malformed';
    case DatagramKind.Data: {
      if (bytes.length < DATA_HEADER_BYTES) return 'truncated';
      const size = bytes.readUInt32BE(HEADER_BYTES + 8);
      const index = bytes.readUInt32BE(HEADER_BYTES + 12);
      const count = bytes.readUInt32BE(HEADER_BYTES + 16);
      const payload = bytes.subarray(DATA_HEADER_BYTES);
      if (count === 0 || index >= count || payload.length > size) return 'malformed';
      return { kind, seq: bytes.readUInt32BE(HEADER_BYTES), ack: bytes.readUInt32BE(HEADER_BYTES + 4), size, index, count, payload };
    }
    case DatagramKind.Skip:
      return body === 4 ? { kind, seq: bytes.readUInt32BE(HEADER_BYTES) } : body < 4 ? 'truncated' : 'malformed';
    case DatagramKind.Ack:
      return readAck(bytes);
    case DatagramKind.Probe:
      return body === 8 ? { kind, seq: bytes.readUInt32BE(HEADER_BYTES), callId: bytes.readUInt32BE(HEADER_BYTES + 4) } : body < 8 ? 'truncated' : 'malformed';
    case DatagramKind.ProbeAck:
      if (body !== 9) return body < 9 ? 'truncated' : 'malformed';
      return {
        kind,
        seq: bytes.readUInt32BE(HEADER_BYTES),
        callId: bytes.readUInt32BE(HEADER_BYTES + 4),
        rerun: ((bytes[HEADER_BYTES + 8] as number) & PROBE_FLAG_RERUN) !== 0,
      };
    case DatagramKind.Close:
      return body === 1 ? { kind, reason: bytes[HEADER_BYTES] as number } : body < 1 ? 'truncated' : 'malformed';
    default:
      return 'unknown-kind';
  }
}

function readAck(bytes: Buffer): Datagram | UdpDropReason {
  if (bytes.length < HEADER_BYTES + 2) return 'truncated';
  const count = bytes.readUInt16BE(HEADER_BYTES);
  const entries: AckEntry[] = [];
  let at = HEADER_BYTES + 2;
  for (let i = 0; i < count; i++) {
    if (at + ACK_COMPLETE_BYTES > bytes.length) return 'truncated';
    const seq = bytes.readUInt32BE(at);
    const form = bytes[at + 4];
    if (form === ACK_FORM_COMPLETE) {
      entries.push({ seq, complete: true });
      at += ACK_COMPLETE_BYTES;
      continue;
    }
    if (form !== ACK_FORM_PARTIAL) return 'malformed';
    if (at + ACK_PARTIAL_HEAD_BYTES > bytes.length) return 'truncated';
    const base = bytes.readUInt32BE(at + 5);
    const length = bytes.readUInt16BE(at + 9);
    const end = at + ACK_PARTIAL_HEAD_BYTES + length;
    if (end > bytes.length) return 'truncated';
    entries.push({ seq, complete: false, base, bitmap: bytes.subarray(at + ACK_PARTIAL_HEAD_BYTES, end) });
    at = end;
  }
  return at === bytes.length ? { kind: DatagramKind.Ack, entries } : 'malformed';
}

/** The header of a datagram of `kind` with `bodyBytes` of body still to write. */
function datagram(kind: DatagramKind, identity: Buffer, bodyBytes: number): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + bodyBytes);
  writeHeader(out, 0, kind, identity);
  return out;
}

function writeHeader(target: Buffer, at: number, kind: DatagramKind, identity: Buffer): void {
  target[at] = FIRST_BYTE;
  target[at + 1] = kind;
  identity.copy(target, at + IDENTITY_OFFSET, 0, IDENTITY_BYTES);
}

/**
 * Writes a DATA header into `target` at `at` (the headroom the runtime left, or a buffer of its
 * own). `ack` is the cumulative ack: the highest sequence number up to which the other direction's
 * messages all arrived.
 */
export function writeDataHeader(target: Buffer, at: number, identity: Buffer, seq: number, ack: number, size: number, index: number, count: number): void {
  writeHeader(target, at, DatagramKind.Data, identity);
  target.writeUInt32BE(seq >>> 0, at + HEADER_BYTES);
  target.writeUInt32BE(ack >>> 0, at + HEADER_BYTES + 4);
  target.writeUInt32BE(size, at + HEADER_BYTES + 8);
  target.writeUInt32BE(index, at + HEADER_BYTES + 12);
  target.writeUInt32BE(count, at + HEADER_BYTES + 16);
}

export function openDatagram(identity: Buffer): Buffer {
  return datagram(DatagramKind.Open, identity, 0);
}

export function openedDatagram(identity: Buffer, idleTimeout: number): Buffer {
  const out = datagram(DatagramKind.Opened, identity, 4);
  out.writeUInt32BE(idleTimeout, HEADER_BYTES);
  return out;
}

export function skipDatagram(identity: Buffer, seq: number): Buffer {
  const out = datagram(DatagramKind.Skip, identity, 4);
  out.writeUInt32BE(seq >>> 0, HEADER_BYTES);
  return out;
}

export function probeDatagram(identity: Buffer, seq: number, callId: number): Buffer {
  const out = datagram(DatagramKind.Probe, identity, 8);
  out.writeUInt32BE(seq >>> 0, HEADER_BYTES);
  out.writeUInt32BE(callId, HEADER_BYTES + 4);
  return out;
}

export function probeAckDatagram(identity: Buffer, seq: number, callId: number, rerun: boolean): Buffer {
  const out = datagram(DatagramKind.ProbeAck, identity, 9);
  out.writeUInt32BE(seq >>> 0, HEADER_BYTES);
  out.writeUInt32BE(callId, HEADER_BYTES + 4);
  out[HEADER_BYTES + 8] = rerun ? PROBE_FLAG_RERUN : 0;
  return out;
}

export function keepaliveDatagram(identity: Buffer): Buffer {
  return datagram(DatagramKind.Keepalive, identity, 0);
}

export function closeDatagram(identity: Buffer, reason: CloseReason): Buffer {
  const out = datagram(DatagramKind.Close, identity, 1);
  out[HEADER_BYTES] = reason;
  return out;
}

/** The most bitmap bytes one ACK entry may carry in a datagram of `maxDatagramSize`. */
export function maxAckBitmapBytes(maxDatagramSize: number): number {
  return Math.min(0xffff, maxDatagramSize - HEADER_BYTES - 2 - ACK_PARTIAL_HEAD_BYTES);
}

/** Packs `entries` into as few ACK datagrams of at most `maxDatagramSize` bytes as they need. */
export function ackDatagrams(identity: Buffer, entries: readonly AckEntry[], maxDatagramSize: number): Buffer[] {
  const out: Buffer[] = [];
  let batch: AckEntry[] = [];
  let bytes = HEADER_BYTES + 2;
  const flush = () => {
    if (batch.length === 0) return;
    out.push(encodeAck(identity, batch, bytes));
    batch = [];
    bytes = HEADER_BYTES + 2;
  };
  for (const entry of entries) {
    const size = entry.complete ? ACK_COMPLETE_BYTES : ACK_PARTIAL_HEAD_BYTES + entry.bitmap.length;
    if (bytes + size > maxDatagramSize || batch.length === 0xffff) flush();
    batch.push(entry);
    bytes += size;
  }
  flush();
  return out;
}

function encodeAck(identity: Buffer, entries: readonly AckEntry[], size: number): Buffer {
  const out = datagram(DatagramKind.Ack, identity, size - HEADER_BYTES);
  out.writeUInt16BE(entries.length, HEADER_BYTES);
  let at = HEADER_BYTES + 2;
  for (const entry of entries) {
    out.writeUInt32BE(entry.seq >>> 0, at);
    if (entry.complete) {
      out[at + 4] = ACK_FORM_COMPLETE;
      at += ACK_COMPLETE_BYTES;
      continue;
    }
    out[at + 4] = ACK_FORM_PARTIAL;
    out.writeUInt32BE(entry.base, at + 5);
    out.writeUInt16BE(entry.bitmap.length, at + 9);
    out.set(entry.bitmap, at + ACK_PARTIAL_HEAD_BYTES);
    at += ACK_PARTIAL_HEAD_BYTES + entry.bitmap.length;
  }
  return out;
}

/**
 * The full sequence number whose low 32 bits are `wire`, taken as the one nearest `reference`:
 * numbers wrap on the wire after 2³² messages, but never drift 2³¹ from what an end expects.
 */
export function unwrapSequence(wire: number, reference: number): number {
  return reference + ((wire - reference) | 0);
}

/** Whether datagram `bytes` names the connection of `identity` (incarnation and connection id). */
export function namesConnection(bytes: Buffer, identity: Buffer): boolean {
  return bytes.compare(identity, 0, IDENTITY_BYTES, IDENTITY_OFFSET, IDENTITY_OFFSET + IDENTITY_BYTES) === 0;
}
