import { randomBytes } from 'node:crypto';

/**
 * The multicast transport's datagram: a 12-byte header, then (requests only) the codec's name,
 * then one runtime frame. Layout in README.md in this folder. Every message is one datagram: a
 * group has no single receiver to acknowledge fragments, so nothing is split.
 *
 * ```
 * 0  u16 magic 0x434D ('CM')   2 u8 version   3 u8 kind (1 request, 2 reply)
 * 4  8 bytes: the calling connection's incarnation (random; a reply echoes it)
 * request: 12 u8 codec name length n, 13 n bytes codec name, then the frame
 * reply:   12 the frame
 * ```
 */
export const MULTICAST_MAGIC = 0x434d;
export const MULTICAST_VERSION = 1;
export const HEADER_BYTES = 12;
export const INCARNATION_BYTES = 8;

export const DatagramKind = {
  /** Client → group: a CALL or CANCEL frame. */
  Request: 1,
  /** Member → client, unicast: a RESULT or ERROR frame. */
  Reply: 2,
} as const;

/** Why a received datagram was dropped. None of them affects any call. */
export type MulticastDropReason =
  /** Too short for its header. */
  | 'truncated'
  /** Not Conduit multicast (no magic), or a version this end does not speak. */
  | 'foreign'
  /** A request arriving at a client, a reply at a member, or a kind nobody knows. */
  | 'unexpected-kind'
  /** Member: a frame no group member acts on (only CALL and CANCEL are), or a codec this request cannot carry. */
  | 'malformed'
  /** Client: a reply for another connection (another incarnation). */
  | 'not-ours'
  /** Member: a new call while every kept call is still running (MAX_KEPT_CALLS); its caller sends it again. */
  | 'busy';

export interface RequestDatagram {
  readonly kind: typeof DatagramKind.Request;
  /** The caller's incarnation, as 16 hex digits: with its address, the caller's identity. */
  readonly incarnation: string;
  readonly codec: string;
  readonly frame: Buffer;
}

export interface ReplyDatagram {
  readonly kind: typeof DatagramKind.Reply;
  readonly incarnation: string;
  readonly frame: Buffer;
}

/** A fresh incarnation for one client connection. */
export function newIncarnation(): Buffer {
  return randomBytes(INCARNATION_BYTES);
}

/** What goes in front of every request of one connection (the frame follows, sent as a second buffer). */
export function requestHeader(incarnation: Buffer, codec: string): Buffer {
  const name = Buffer.from(codec, 'latin1');
  const header = Buffer.allocUnsafe(HEADER_BYTES + 1 + name.length);
  writeHead(header, DatagramKind.Request, incarnation);
  header[HEADER_BYTES] = name.length;
  name.copy(header, HEADER_BYTES + 1);
  return header;
}

/** What goes in front of every reply to one connection. */
export function replyHeader(incarnation: Buffer): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  writeHead(header, DatagramKind.Reply, incarnation);
  return header;
}

function writeHead(header: Buffer, kind: number, incarnation: Buffer): void {
  header.writeUInt16BE(MULTICAST_MAGIC, 0);
  header[2] = MULTICAST_VERSION;
  header[3] = kind;
  incarnation.copy(header, 4, 0, INCARNATION_BYTES);
}

/** Reads a datagram, or says why it is dropped. The frame is a view of `bytes`. */
export function readDatagram(bytes: Buffer): RequestDatagram | ReplyDatagram | MulticastDropReason {
  if (bytes.length < HEADER_BYTES) return bytes.length >= 2 && bytes.readUInt16BE(0) !== MULTICAST_MAGIC ? 'foreign' : 'truncated';
  if (bytes.readUInt16BE(0) !== MULTICAST_MAGIC || bytes[2] !== MULTICAST_VERSION) return 'foreign';
  const incarnation = bytes.toString('hex', 4, HEADER_BYTES);
  const kind = bytes[3];
  if (kind === DatagramKind.Reply) return { kind, incarnation, frame: bytes.subarray(HEADER_BYTES) };
  if (kind !== DatagramKind.Request) return 'unexpected-kind';
  if (bytes.length < HEADER_BYTES + 1) return 'truncated';
  const codecEnd = HEADER_BYTES + 1 + (bytes[HEADER_BYTES] as number);
  if (bytes.length < codecEnd) return 'truncated';
  return { kind, incarnation, codec: bytes.toString('latin1', HEADER_BYTES + 1, codecEnd), frame: bytes.subarray(codecEnd) };
}
