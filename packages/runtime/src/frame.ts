import type { Code } from './code.js';
import type { Metadata } from './metadata.js';

/** The first byte of every frame. Values are fixed by docs/protocol.md. */
export const FrameType = {
  Hello: 0x01,
  Call: 0x02,
  Result: 0x03,
  Error: 0x04,
  Cancel: 0x05,
  StreamMessage: 0x06,
  StreamEnd: 0x07,
  Credit: 0x08,
  Ping: 0x09,
  Pong: 0x0a,
  GoAway: 0x0b,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Bits of the flags byte in CALL, RESULT and ERROR frames. */
export const FrameFlag = {
  /** CALL: the caller wants no reply (a one-way call). */
  NoReply: 0x01,
  /** CALL: a u32 timeout in milliseconds follows the flags. */
  HasTimeout: 0x02,
  /** CALL, RESULT, ERROR: a metadata block follows. */
  HasMetadata: 0x04,
} as const;

/** Magic bytes at the start of HELLO's body, so a stray client of another protocol is told apart at once. */
export const HELLO_MAGIC = 'CNDT';

export interface HelloFrame {
  readonly type: typeof FrameType.Hello;
  readonly version: number;
  readonly codec: string;
}
export interface CallFrame {
  readonly type: typeof FrameType.Call;
  readonly id: number;
  readonly method: string;
  readonly noReply: boolean;
  /** Milliseconds the caller will wait, counted from when it sent the frame. */
  readonly timeout: number | undefined;
  readonly metadata: Metadata | undefined;
  /** Codec-encoded positional argument array. */
  readonly payload: Uint8Array;
}
export interface ResultFrame {
  readonly type: typeof FrameType.Result;
  readonly id: number;
  readonly metadata: Metadata | undefined;
  /** Codec-encoded return value. */
  readonly payload: Uint8Array;
}
export interface ErrorFrame {
  readonly type: typeof FrameType.Error;
  readonly id: number;
  readonly metadata: Metadata | undefined;
  readonly code: Code;
  readonly message: string;
  /** Codec-encoded details; empty when there are none. */
  readonly details: Uint8Array;
}
/** CANCEL, STREAM_END, PING and PONG carry nothing but an id. */
export interface IdFrame {
  readonly type: typeof FrameType.Cancel | typeof FrameType.StreamEnd | typeof FrameType.Ping | typeof FrameType.Pong;
  readonly id: number;
}
/** One message of a call's stream, in either direction. */
export interface StreamMessageFrame {
  readonly type: typeof FrameType.StreamMessage;
  readonly id: number;
  /** Codec-encoded message. */
  readonly payload: Uint8Array;
}
/** The receiver of a stream lets the sender send `credit` more messages. */
export interface CreditFrame {
  readonly type: typeof FrameType.Credit;
  readonly id: number;
  readonly credit: number;
}
export interface GoAwayFrame {
  readonly type: typeof FrameType.GoAway;
  /** The highest call id the sender has taken and will still answer. */
  readonly lastId: number;
  readonly code: Code;
  readonly message: string;
}

export type Frame = HelloFrame | CallFrame | ResultFrame | ErrorFrame | IdFrame | StreamMessageFrame | CreditFrame | GoAwayFrame;
