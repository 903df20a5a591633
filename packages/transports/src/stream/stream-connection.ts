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
 * messages in both directions, writes of one event-loop turn coalesced into one syscall.
 */
export class StreamConnection implements Connection {
  readonly peer: string;
  readonly #socket: Socket;
  readonly #maxMessageSize: number;
  #handlers: ConnectionHandlers | undefined;
  #open = true;
  #corked = false;
  #closeReason: RpcError | undefined;
  readonly #uncork = (): void => {
    this.#corked = false;
    this.#socket.uncork();
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
    this.#socket.on('data', (chunk: Buffer) => decoder.push(chunk));
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
    if (!this.#corked) {
      // Everything sent in this turn of the event loop leaves in one writev when it ends.
      this.#corked = true;
      this.#socket.cork();
      process.nextTick(this.#uncork);
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
