import type { Socket } from 'node:net';
import { Code, RpcError, type Connection, type ConnectionHandlers } from '@conduit/runtime';
import { rpcErrorFromOs } from '../os-errors.js';
import { RingMessageReader, RingMessageWriter } from './ring-messages.js';
import { shmPoller, type PolledConnection } from './shm-poller.js';
import type { SpscRing } from './spsc-ring.js';

/** The one byte a doorbell is: "look at your rings". */
const DOORBELL = Buffer.from([0x21]);

/**
 * How long a closing connection waits for messages still queued for ring space (a peer that
 * stopped reading must not keep it open), as a stream connection waits for its socket to flush.
 */
const CLOSE_FLUSH_MS = 2_000;

/**
 * How many largest messages' worth of bytes may wait for ring space. A peer that reads keeps the
 * queue short whatever the traffic; this bounds only what a stopped peer can make us hold.
 */
const QUEUED_MESSAGE_SIZES = 8;

/**
 * Most records one poll() delivers. A peer that writes as fast as this side reads would otherwise
 * keep the loop going forever and the event loop (timers, sockets, the handlers' own awaits) would
 * never run; the poller polls again on the next turn, as poll() then returns true.
 */
const MAX_RECORDS_PER_POLL = 1024;

export interface ShmConnectionOptions {
  readonly maxMessageSize: number;
  /** Microseconds of polling after the last message before this side sleeps on its doorbell. */
  readonly spinMicros: number;
}

/** The two rings of a connection, seen from one side. */
export interface ShmRings {
  /** This side writes, the peer reads. */
  readonly outbound: SpscRing;
  /** The peer writes, this side reads. */
  readonly inbound: SpscRing;
}

/**
 * A Connection over a shared segment: messages go through two single-producer single-consumer
 * rings, one per direction, and a Unix socket beside them carries doorbells and liveness. A
 * message costs no syscall while the other side is polling; a sleeping side is woken by one
 * doorbell byte, rung only when its ring says it sleeps. The socket closing (the kernel closes
 * it for a process that dies, even by SIGKILL) is how each side learns the other is gone.
 */
export class ShmConnection implements Connection, PolledConnection {
  readonly peer: string;
  /** Messages are copied into the ring, so the runtime need leave no room in front of them. */
  readonly headroom = 0;
  readonly #socket: Socket;
  readonly #outbound: SpscRing;
  readonly #inbound: SpscRing;
  readonly #writer: RingMessageWriter;
  #reader: RingMessageReader | undefined;
  readonly #options: ShmConnectionOptions;
  /** Bytes that may wait for ring space before send() refuses more: enough for bursts, not for a peer that is gone. */
  readonly #maxQueuedBytes: number;
  #open = true;
  #closeReason: RpcError | undefined;

  constructor(socket: Socket, rings: ShmRings, peer: string, options: ShmConnectionOptions) {
    this.#socket = socket;
    this.#outbound = rings.outbound;
    this.#inbound = rings.inbound;
    this.#writer = new RingMessageWriter(rings.outbound);
    this.peer = peer;
    this.#options = options;
    this.#maxQueuedBytes = QUEUED_MESSAGE_SIZES * options.maxMessageSize;
  }

  /** Starts delivering messages. */
  start(handlers: ConnectionHandlers): void {
    this.#reader = new RingMessageReader(this.#inbound, {
      maxMessageSize: this.#options.maxMessageSize,
      onMessage: (message) => handlers.onMessage(message),
      onOversized: (head, size) => handlers.onOversized(head, size),
      onCorrupt: (problem) => {
        this.#closeReason ??= new RpcError(Code.Unavailable, `${this.peer} wrote a corrupt ring record: ${problem}`);
        this.#socket.destroy();
      },
    });
    const socket = this.#socket;
    // Every byte is a doorbell; how many arrived does not matter, only that the rings have news.
    socket.on('data', () => shmPoller.activity());
    socket.on('error', (error) => {
      this.#closeReason ??= rpcErrorFromOs(error);
    });
    socket.on('close', () => this.#onSocketClosed(handlers));
    shmPoller.add(this, this.#options.spinMicros);
    socket.resume();
  }

  send(message: Uint8Array): void {
    if (!this.#open) throw new RpcError(Code.Unavailable, `the connection to ${this.peer} is closed`);
    if (message.length > this.#options.maxMessageSize) {
      throw new RpcError(Code.ResourceExhausted, `message of ${message.length} bytes exceeds the ${this.#options.maxMessageSize}-byte limit`);
    }
    const queued = this.#writer.queuedBytes;
    if (queued > 0 && queued + message.length > this.#maxQueuedBytes) {
      // The peer stopped reading (a stopped or overloaded process): refuse this message rather
      // than hold an ever longer queue; what is already queued still goes when it reads again.
      throw new RpcError(
        Code.ResourceExhausted,
        `${this.peer} is not reading: its ring is full and ${queued} bytes already wait for space (limit ${this.#maxQueuedBytes})`,
      );
    }
    this.#writer.write(message);
    if (this.#outbound.shouldRingConsumer()) this.#ring();
    // A reply (or the next stream credit) is likely soon: poll for it instead of sleeping.
    shmPoller.activity();
  }

  poll(): boolean {
    // The reader goes when the socket closes; so does this connection from the poller.
    if (this.#reader === undefined) return false;
    let moved = this.#reader.poll(MAX_RECORDS_PER_POLL) > 0;
    // The peer may be waiting for the space those messages took.
    if (moved && this.#inbound.shouldRingProducer()) this.#ring();
    const queued = this.#writer.queuedBytes;
    if (queued > 0) {
      this.#writer.flush();
      if (this.#writer.queuedBytes < queued) {
        moved = true;
        if (this.#outbound.shouldRingConsumer()) this.#ring();
      }
      // Closing waited for these: with the last of them in the ring, the socket may go. This runs
      // once: a closed connection queues nothing more, so the queue empties only once.
      if (!this.#open && this.#writer.queuedBytes === 0) this.#socket.end();
    }
    return moved;
  }

  // sleep() and wake() need no closed check: the poller calls them only for its members, and a
  // connection leaves it in the same turn its socket closes (#onSocketClosed).
  sleep(): boolean {
    if (!this.#inbound.announceSleep()) return false;
    return this.#writer.queuedBytes === 0 || this.#outbound.announceWaitingForSpace();
  }

  wake(): void {
    this.#inbound.wake();
    this.#outbound.stopWaitingForSpace();
  }

  close(reason?: RpcError): void {
    if (!this.#open) return;
    this.#open = false;
    this.#closeReason ??= reason;
    if (this.#writer.queuedBytes === 0) {
      this.#socket.end();
      return;
    }
    // Messages still wait for ring space: poll() ends the socket once they are in the ring, and
    // the peer gets a bounded time to make room (destroying an ended or closed socket is harmless).
    setTimeout(() => this.#socket.destroy(), CLOSE_FLUSH_MS).unref();
  }

  #ring(): void {
    if (!this.#socket.destroyed) this.#socket.write(DOORBELL);
  }

  /** Runs once: a socket emits 'close' once. */
  #onSocketClosed(handlers: ConnectionHandlers): void {
    // What the peer committed before it went is still in the ring: deliver it first, all of it,
    // as there is no next turn of the poller (poll() stops at MAX_RECORDS_PER_POLL). The peer is
    // gone, so the loop ends: nothing new arrives, and the ring bounds what our writer can add.
    while (this.poll());
    this.#open = false;
    shmPoller.remove(this);
    // Dropping the reader lets the segment's memory be unmapped once nothing else refers to it.
    this.#reader = undefined;
    handlers.onClose(this.#closeReason ?? new RpcError(Code.Unavailable, `${this.peer} closed the connection`));
  }
}
