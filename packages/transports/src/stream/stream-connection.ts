import type { Socket } from 'node:net';
import { asBuffer, Code, RpcError, type Connection, type ConnectionHandlers } from '@conduit/runtime';
import { rpcErrorFromOs } from '../os-errors.js';
import { LENGTH_PREFIX_BYTES, LengthPrefixDecoder, startsText } from './length-prefix-decoder.js';
import { WriteCoalescer } from './write-coalescer.js';

/**
 * How long a closing connection may take to flush what it still has queued (a GOAWAY, the last
 * errors) before it is destroyed: a peer that stopped reading must not keep it open.
 */
const CLOSE_FLUSH_MS = 2_000;

/**
 * The two directions of a byte stream: one socket for both (TCP), or one each (a child's stdin and
 * stdout, a pair of FIFOs).
 */
export type StreamIo = Socket | { readonly input: Socket; readonly output: Socket };

export interface StreamConnectionOptions {
  /**
   * For peers that may write stray text into the stream (a child process's stdout): text where a
   * length prefix belongs closes the connection with an error that quotes it, followed by this
   * hint, instead of being skipped as an oversized message.
   */
  readonly textHint?: string;
}

/**
 * What a stream connection closes with when the peer simply closed its end and nothing else went
 * wrong: a class of its own, so a wrapper that knows more (the pipe transport knows how its child
 * exited) can tell it apart without reading the message.
 */
export class PeerClosedError extends RpcError {}

/** How much of stray text an error quotes. */
const QUOTED_TEXT_CHARS = 80;

/**
 * A Connection over a byte stream (a TCP socket, a pipe pair, FIFOs): length-prefixed messages in
 * both directions, written through a WriteCoalescer so that replies to the calls of one received
 * chunk, and bursts of calls or stream messages, leave in few writes.
 */
export class StreamConnection implements Connection {
  readonly peer: string;
  readonly headroom = LENGTH_PREFIX_BYTES;
  readonly #input: Socket;
  readonly #output: Socket;
  readonly #maxMessageSize: number;
  readonly #writer: WriteCoalescer;
  readonly #textHint: string | undefined;
  #open = true;
  #closed = false;
  #closeReason: RpcError | undefined;

  constructor(io: StreamIo, peer: string, maxMessageSize: number, options: StreamConnectionOptions = {}) {
    this.peer = peer;
    this.#input = 'input' in io ? io.input : io;
    this.#output = 'output' in io ? io.output : io;
    this.#maxMessageSize = maxMessageSize;
    this.#writer = new WriteCoalescer(this.#output);
    this.#textHint = options.textHint;
  }

  /** Starts reading; messages that arrived before this wait in the socket. */
  start(handlers: ConnectionHandlers): void {
    const onText =
      this.#textHint === undefined
        ? undefined
        : (text: Buffer) => {
            // Frames may follow the text in the same read: quote only up to the first byte text cannot hold.
            let end = 0;
            while (end < text.length && end < QUOTED_TEXT_CHARS * 4 && (startsText(text[end] as number) || (text[end] as number) >= 0x80)) end++;
            const quoted = JSON.stringify(text.toString('utf8', 0, end).slice(0, QUOTED_TEXT_CHARS));
            this.#closeReason ??= new RpcError(Code.Unavailable, `${this.peer} wrote text that is not a Conduit frame: ${quoted} (${this.#textHint})`);
            this.#destroy();
          };
    const decoder = new LengthPrefixDecoder(
      this.#maxMessageSize,
      (message) => handlers.onMessage(message),
      (head, size) => handlers.onOversized(head, size),
      onText,
    );
    this.#input.on('data', (chunk: Buffer) => {
      if (!decoder.midMessage && isOneWholeMessage(chunk)) {
        // The common case of a lone call: nothing to coalesce, its reply may leave at once.
        decoder.push(chunk);
        return;
      }
      // Replies a server sends while this chunk's calls are handled leave together, right after it.
      this.#writer.batch(() => decoder.push(chunk));
    });
    const onError = (error: Error) => {
      this.#closeReason ??= rpcErrorFromOs(error);
      // With two sockets, a write error (EPIPE: the reader is gone) must end the reading side too.
      if (this.#input !== this.#output) this.#destroy();
    };
    this.#input.on('error', onError);
    if (this.#output !== this.#input) this.#output.on('error', onError);
    this.#input.on('end', () => {
      if (decoder.midMessage) this.#closeReason ??= new RpcError(Code.Unavailable, `${this.peer} closed in the middle of a message`);
      if (this.#input !== this.#output) this.#destroy();
    });
    this.#input.on('close', () => {
      if (this.#closed) return;
      this.#closed = true;
      this.#open = false;
      if (this.#input !== this.#output) this.#output.destroy();
      handlers.onClose(this.#closeReason ?? new PeerClosedError(Code.Unavailable, `${this.peer} closed the connection`));
    });
  }

  send(message: Uint8Array): void {
    if (!this.#open || this.#output.destroyed) throw new RpcError(Code.Unavailable, `the connection to ${this.peer} is closed`);
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
    if (this.#output.destroyed) {
      // Nothing left to flush into (a child that exited took its stdin with it).
      this.#destroy();
      return;
    }
    this.#output.end();
    const destroy = setTimeout(() => this.#destroy(), CLOSE_FLUSH_MS).unref();
    // A pipe pair's reading side learns nothing from our end(): once our writes are flushed, it goes too.
    if (this.#input !== this.#output) this.#output.once('finish', () => (clearTimeout(destroy), this.#destroy()));
  }

  #destroy(): void {
    this.#open = false;
    this.#output.destroy();
    this.#input.destroy();
  }
}

/** True when the chunk is exactly one length-prefixed message. */
function isOneWholeMessage(chunk: Buffer): boolean {
  return chunk.length >= LENGTH_PREFIX_BYTES && chunk.readUInt32BE(0) === chunk.length - LENGTH_PREFIX_BYTES;
}
