import type { Socket } from 'node:net';
import { asBuffer, Code, RpcError, type Connection, type ConnectionHandlers } from '@conduit/runtime';
import { rpcErrorFromOs } from '../os-errors.js';
import { LENGTH_PREFIX_BYTES, LengthPrefixDecoder } from './length-prefix-decoder.js';
import { WriteCoalescer } from './write-coalescer.js';

/**
 * How long a closing connection may take to flush what it still has queued (a GOAWAY, the last
 * errors) before it is destroyed: a peer that stopped reading must not keep it open.
 */
const CLOSE_FLUSH_MS = 2_000;

/**
 * A Connection over any byte stream socket (TCP now; pipes and FIFOs later): length-prefixed
 * messages in both directions, written through a WriteCoalescer so that replies to the calls of
 * one received chunk, and bursts of calls or stream messages, leave in few writes.
 */
export class StreamConnection implements Connection {
  readonly peer: string;
  readonly headroom = LENGTH_PREFIX_BYTES;
  readonly #socket: Socket;
  readonly #maxMessageSize: number;
  readonly #writer: WriteCoalescer;
  #open = true;
  #closeReason: RpcError | undefined;

  constructor(socket: Socket, peer: string, maxMessageSize: number) {
    this.peer = peer;
    this.#socket = socket;
    this.#maxMessageSize = maxMessageSize;
    this.#writer = new WriteCoalescer(socket);
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
        // The common case of a lone call: nothing to coalesce, its reply may leave at once.
        decoder.push(chunk);
        return;
      }
      // Replies a server sends while this chunk's calls are handled leave together, right after it.
      this.#writer.batch(() => decoder.push(chunk));
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
    this.#writer.write(message);
  }

  close(reason?: RpcError): void {
    if (!this.#open) return;
    this.#open = false;
    this.#closeReason ??= reason;
    this.#writer.flush();
    this.#socket.end();
    setTimeout(() => this.#socket.destroy(), CLOSE_FLUSH_MS).unref();
  }
}

/** True when the chunk is exactly one length-prefixed message. */
function isOneWholeMessage(chunk: Buffer): boolean {
  return chunk.length >= LENGTH_PREFIX_BYTES && chunk.readUInt32BE(0) === chunk.length - LENGTH_PREFIX_BYTES;
}
