import { FrameFlag, FrameType } from '@conduit/runtime';

/**
 * What the udp transport reads of the frames it carries: only their first bytes (layouts in
 * docs/protocol.md), to know which messages are calls, replies and cancellations. The rest of a
 * frame is the runtime's.
 */
export interface FrameHead {
  readonly type: number;
  /** The call id (0 for frames about the whole connection). */
  readonly id: number;
  /** CALL: the caller wants no reply. */
  readonly noReply: boolean;
  /** CALL: milliseconds the caller gives the call, when it set a deadline. */
  readonly timeout: number | undefined;
}

/** A CALL's u32 timeout follows its head (type, id) and flags byte when HasTimeout is set. */
export const CALL_TIMEOUT_OFFSET = 6;

/** The head of the frame starting at `at`; undefined when there are not even the 5 bytes of a head. */
export function readFrameHead(bytes: Buffer, at: number): FrameHead | undefined {
  if (bytes.length < at + 5) return undefined;
  const type = bytes[at] as number;
  const id = bytes.readUInt32BE(at + 1);
  if (type !== FrameType.Call || bytes.length < at + CALL_TIMEOUT_OFFSET) return { type, id, noReply: false, timeout: undefined };
  const flags = bytes[at + 5] as number;
  const hasTimeout = (flags & FrameFlag.HasTimeout) !== 0 && bytes.length >= at + CALL_TIMEOUT_OFFSET + 4;
  return { type, id, noReply: (flags & FrameFlag.NoReply) !== 0, timeout: hasTimeout ? bytes.readUInt32BE(at + CALL_TIMEOUT_OFFSET) : undefined };
}

/** Whether a frame of this type answers a call: its reply. */
export function isReply(type: number): boolean {
  return type === FrameType.Result || type === FrameType.Error;
}
