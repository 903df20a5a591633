import { Code } from './code.js';
import { DEFAULT_MAX_MESSAGE_SIZE } from './limits.js';
import { RpcError } from './rpc-error.js';
import { OVERSIZED_HEAD_BYTES, type Connection, type ConnectionHandlers, type Listener, type Transport } from './transport.js';

export interface MemoryTransportOptions {
  /** Name that pairs a server with its clients in this process. Default: a fresh unique name. */
  name?: string;
  /** Largest message in bytes. Default 4 MiB, as on every transport. */
  maxMessageSize?: number;
  /** False declares the transport unable to carry streams, to test what callers then see. Default true. */
  streams?: boolean;
}

type Accept = (connection: Connection) => ConnectionHandlers;
const servers = new Map<string, Accept>();
let unnamed = 0;

/**
 * An in-process transport for unit tests of the runtime. Messages are copied and delivered on a
 * later microtask, as a real transport would: no shared buffers, no re-entrant calls.
 */
export function memory(options: MemoryTransportOptions = {}): Transport {
  const name = options.name ?? `memory-${++unnamed}`;
  const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const address = `memory://${name}`;
  return {
    name: 'memory',
    address,
    streams: options.streams ?? true,
    async connect(handlers) {
      const accept = servers.get(name);
      if (accept === undefined) throw new RpcError(Code.Unavailable, `no memory server is listening at ${address}`);
      const client = new MemoryConnection(`${address}#server`, maxMessageSize);
      const server = new MemoryConnection(`${address}#client`, maxMessageSize);
      client.pair(server, handlers);
      server.pair(client, accept(server));
      return client;
    },
    async listen(accept): Promise<Listener> {
      if (servers.has(name)) throw new RpcError(Code.AlreadyExists, `${address} is already listening`);
      servers.set(name, accept);
      return {
        url: address,
        close: async () => {
          if (servers.get(name) === accept) servers.delete(name);
        },
      };
    },
  };
}

class MemoryConnection implements Connection {
  readonly peer: string;
  readonly headroom = 0;
  readonly #maxMessageSize: number;
  #other: MemoryConnection | undefined;
  #handlers: ConnectionHandlers | undefined;
  #open = true;

  constructor(peer: string, maxMessageSize: number) {
    this.peer = peer;
    this.#maxMessageSize = maxMessageSize;
  }

  pair(other: MemoryConnection, handlers: ConnectionHandlers): void {
    this.#other = other;
    this.#handlers = handlers;
  }

  send(message: Uint8Array): void {
    if (!this.#open) throw new RpcError(Code.Unavailable, `${this.peer} is closed`);
    if (message.length > this.#maxMessageSize) {
      throw new RpcError(Code.ResourceExhausted, `message of ${message.length} bytes exceeds the ${this.#maxMessageSize}-byte limit`);
    }
    const copy = message.slice();
    const other = this.#other as MemoryConnection;
    queueMicrotask(() => other.#receive(copy));
  }

  #receive(message: Uint8Array): void {
    if (!this.#open) return;
    if (message.length > this.#maxMessageSize) {
      this.#handlers?.onOversized(message.subarray(0, OVERSIZED_HEAD_BYTES), message.length);
      return;
    }
    this.#handlers?.onMessage(message);
  }

  close(reason?: RpcError): void {
    if (!this.#open) return;
    this.#open = false;
    queueMicrotask(() => {
      this.#handlers?.onClose(reason);
      this.#other?.close(reason);
    });
  }
}
