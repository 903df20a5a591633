import { Code, codeName } from './code.js';
import type { Metadata } from './metadata.js';

export interface RpcErrorOptions {
  /** Structured, codec-encoded data for the caller (for example which field was wrong). */
  details?: unknown;
  /** What caused this error; kept locally, never sent over the wire. */
  cause?: unknown;
  /** Response metadata that arrived with the error, if any. */
  metadata?: Metadata;
}

/** The one error class of Conduit: every failure a caller sees is an RpcError with a code. */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  readonly code: Code;
  readonly details: unknown;
  readonly metadata: Metadata;

  constructor(code: Code, message: string, options: RpcErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
    this.metadata = options.metadata ?? {};
  }

  /** `[deadline_exceeded] Calculator.add: …`, so logs show the code without a lookup. */
  override toString(): string {
    return `RpcError: [${codeName(this.code)}] ${this.message}`;
  }

  /**
   * Whatever was thrown, as an RpcError: an RpcError stays itself, an AbortError becomes
   * Cancelled, anything else becomes `fallback` (Internal by default) with its message kept.
   */
  static from(reason: unknown, fallback: Code = Code.Internal): RpcError {
    if (reason instanceof RpcError) return reason;
    if (reason instanceof Error) {
      if (reason.name === 'AbortError') return new RpcError(Code.Cancelled, reason.message, { cause: reason });
      if (reason.name === 'TimeoutError') return new RpcError(Code.DeadlineExceeded, reason.message, { cause: reason });
      return new RpcError(fallback, reason.message, { cause: reason });
    }
    return new RpcError(fallback, String(reason), { cause: reason });
  }
}
