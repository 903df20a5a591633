/** What one stream, or several at once, delivered before its round ended. */
export interface StreamTally {
  messages: number;
  /** Payload bytes only, without either framework's framing. */
  bytes: number;
}

/** A connected client of one streaming bench target, as the stream measurement sees it. */
export interface StreamClient {
  /**
   * Opens one server stream of `size`-byte messages and reads it, checking the time after every
   * message, until `performance.now()` reaches `until`; then stops the stream (the server is told
   * to cancel) and resolves with what arrived. Rejects if the stream ends or fails first.
   */
  drain(size: number, until: number): Promise<StreamTally>;
  /** Throws unless a short stream delivers exactly the messages it should; run once before measuring. */
  verify(): Promise<void>;
  close(): Promise<void>;
}

/** The short stream `verify()` asks for, and the check of what came back; shared by every client. */
export const VERIFY_COUNT = 3;
export const VERIFY_SIZE = 5;

export function checkVerifyStream(framework: string, messages: readonly Uint8Array[]): void {
  if (messages.length !== VERIFY_COUNT) {
    throw new Error(`${framework}: a stream of ${VERIFY_COUNT} delivered ${messages.length} messages`);
  }
  for (const message of messages) {
    if (message.length !== VERIFY_SIZE || message.some((byte) => byte !== 1)) {
      throw new Error(`${framework}: expected ${VERIFY_SIZE} bytes of 0x01, got ${Buffer.from(message).toString('hex')}`);
    }
  }
}
