import type { Socket } from 'node:net';
import { asBuffer, Code, RpcError, type Connection, type ConnectionHandlers } from '@conduit/runtime';
import { rpcErrorFromOs } from '../os-errors.js';
import { LENGTH_PREFIX_BYTES, LengthPrefixDecoder } from './length-prefix-decoder.js';

/**
 * How long a closing connection may take to flush what it still has queued (a GOAWAY, the last
 * errors) before it is destroyed: a peer that stopped reading must not keep it open.
 */
const CLOSE_FLUSH_MS = 2_000;

/**
 * A Connection over any byte stream socket (TCP now; pipes and FIFOs later): length-prefixed
 * messages in both directions. Writes are coalesced without delaying a lone message: replies to
 * the calls of one received chunk leave in one writev after it, and a burst of calls made in one
 * turn of the event loop leaves as its first message at once and the rest in one writev.
 */
export class StreamConnection implements Connection {
  readonly peer: string;
  readonly headroom = LENGTH_PREFIX_BYTES;
  readonly #socket: Socket;
  readonly #maxMessageSize: number;
  #open = true;
  /** Messages sent in the current turn of the event loop outside a read; 0 when none. */
  #burst = 0;
  /** True while the messages of one received chunk are handled. */
  #inChunk = false;
  #closeReason: RpcError | undefined;
  readonly #endBurst = (): void => {
    if (this.#burst > 1) this.#socket.uncork();
    this.#burst = 0;
  };

  constructor(socket: Socket, peer: string, maxMessageSize: number) {
    this.peer = peer;
    this.#socket = socket;
    this.#maxMessageSize = maxMessageSize;
  }

  /** Starts reading; messages that arrived before this wait in the socket. */
  start(handlers: ConnectionHandlers): void {
    const decoder = new LengthPrefixDecoder(
      this.#maxMessageSize,
      (message) => handlers.onMessage(message),
      (head, size) => handlers.onOversized(head, size),
    );
    this.#socket.on('data', (chunk: Buffer) => {
      if (!decoder.midMessage && isOneWholeMessage(chunk)) {
        // The common case of a lone call: nothing to coalesce, so no cork either.
        decoder.push(chunk);
        return;
      }
      // Replies a server sends while this chunk's calls are handled leave together, right after it.
      this.#socket.cork();
      this.#inChunk = true;
      try {
        decoder.push(chunk);
      } finally {
        this.#inChunk = false;
        this.#socket.uncork();
      }
    });
    this.#socket.on('error', (error) => {
      this.#closeReason ??= rpcErrorFromOs(error);
    });
    this.#socket.on('end', () => {
      if (decoder.midMessage) this.#closeReason ??= new RpcError(Code.Unavailable, `${this.peer} closed in the middle of a message`);
    });
    this.#socket.on('close', () => {
      this.#open = false;
      handlers.onClose(this.#closeReason ?? new RpcError(Code.Unavailable, `${this.peer} closed the connection`));
    });
  }

  send(message: Uint8Array): void {
    if (!this.#open || this.#socket.destroyed) throw new RpcError(Code.Unavailable, `the connection to ${this.peer} is closed`);
    const size = message.length - LENGTH_PREFIX_BYTES;
    if (size > this.#maxMessageSize) {
      throw new RpcError(Code.ResourceExhausted, `message of ${size} bytes exceeds the ${this.#maxMessageSize}-byte limit`);
    }
    // The runtime left `headroom` bytes in front of the frame: the length prefix goes there.
    asBuffer(message).writeUInt32BE(size, 0);
    if (this.#inChunk) {
      // The read handler corked the socket and flushes when the chunk is done.
    } else if (this.#burst === 0) {
      // The first message of a turn of the event loop leaves at once: a lone call waits for nothing.
      this.#burst = 1;
      process.nextTick(this.#endBurst);
    } else if (this.#burst++ === 1) {
      // The rest of the turn's messages leave in one writev when it ends.
      this.#socket.cork();
    }
    this.#socket.write(message);
  }

  close(reason?: RpcError): void {
    if (!this.#open) return;
    this.#open = false;
    this.#closeReason ??= reason;
    this.#socket.end();
    setTimeout(() => this.#socket.destroy(), CLOSE_FLUSH_MS).unref();
  }
}

/** True when the chunk is exactly one length-prefixed message. */
function isOneWholeMessage(chunk: Buffer): boolean {
  return chunk.length >= LENGTH_PREFIX_BYTES && chunk.readUInt32BE(0) === chunk.length - LENGTH_PREFIX_BYTES;
}
