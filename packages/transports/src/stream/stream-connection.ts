import type { Socket } from 'node:net';
import { Code, RpcError, type Connection, type ConnectionHandlers } from '@conduit/runtime';
import { rpcErrorFromOs } from '../os-errors.js';
import { LENGTH_PREFIX_BYTES, LengthPrefixDecoder } from './length-prefix-decoder.js';

/** Below this size a message is copied behind its prefix (one buffer to write); above, it goes as is. */
const COPY_BELOW_BYTES = 16 * 1024;

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
  readonly #socket: Socket;
  readonly #maxMessageSize: number;
  #handlers: ConnectionHandlers | undefined;
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
    this.#handlers = handlers;
    const decoder = new LengthPrefixDecoder(
      this.#maxMessageSize,
      (message) => handlers.onMessage(message),
      (head, size) => handlers.onOversized(head, size),
    );
    this.#socket.on('data', (chunk: Buffer) => {
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
    if (message.length > this.#maxMessageSize) {
      throw new RpcError(Code.ResourceExhausted, `message of ${message.length} bytes exceeds the ${this.#maxMessageSize}-byte limit`);
    }
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
    if (message.length < COPY_BELOW_BYTES) {
      const framed = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES + message.length);
      framed.writeUInt32BE(message.length, 0);
      framed.set(message, LENGTH_PREFIX_BYTES);
      this.#socket.write(framed);
    } else {
      const prefix = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES);
      prefix.writeUInt32BE(message.length, 0);
      this.#socket.write(prefix);
      this.#socket.write(message);
    }
  }

  close(reason?: RpcError): void {
    if (!this.#open) return;
    this.#open = false;
    this.#closeReason ??= reason;
    this.#socket.end();
    setTimeout(() => this.#socket.destroy(), CLOSE_FLUSH_MS).unref();
  }
}
