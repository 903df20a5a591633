import type { CallContext } from './call-context.js';
import type { MethodCodec } from './codec.js';
import type { Metadata } from './metadata.js';
import type { RpcError } from './rpc-error.js';
import type { MessageValidator } from './service.js';
import type { StreamInbox } from './stream-inbox.js';
import type { StreamSender } from './stream-sender.js';

const NO_METADATA: Readonly<Metadata> = Object.freeze({});

/**
 * The `ctx` of one call on the server. Its AbortController is made only when a handler reads
 * `signal`: most handlers never do, and every call would otherwise pay for one.
 */
export class ServerCallContext implements CallContext {
  readonly method: string;
  readonly metadata: Readonly<Metadata>;
  readonly responseMetadata: Metadata = {};
  readonly deadline: Date | undefined;
  readonly peer: string;
  /** Fires the deadline; cleared when the call ends. */
  timer: NodeJS.Timeout | undefined;
  /** client- and bidi-stream calls: the request stream the handler reads. */
  inbox: StreamInbox<unknown> | undefined;
  /** client- and bidi-stream calls: the generated check each request message passes first. */
  validateMessage: MessageValidator | undefined;
  /** server- and bidi-stream calls: what sends the handler's response stream. */
  sender: StreamSender | undefined;
  /** Under a schema-driven codec (protobuf): this method's payload codecs; undefined under msgpack. */
  payloads: MethodCodec | undefined;
  #controller: AbortController | undefined;
  #abortReason: RpcError | undefined;
  /** False once the call has been answered, cancelled, expired or dropped: nothing more is sent. */
  #live = true;

  constructor(method: string, metadata: Metadata | undefined, timeout: number | undefined, peer: string) {
    this.method = method;
    this.metadata = metadata ?? NO_METADATA;
    this.deadline = timeout === undefined ? undefined : new Date(Date.now() + timeout);
    this.peer = peer;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#abortReason !== undefined) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  get live(): boolean {
    return this.#live;
  }

  /** Ends the call; returns false if it had already ended, so exactly one outcome is sent. */
  finish(): boolean {
    if (!this.#live) return false;
    this.#live = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    // Request messages still arriving for an answered call are dropped.
    this.inbox?.end();
    return true;
  }

  /** Ends the call and tells the handler through `signal`; its result, if any, is dropped. */
  abort(reason: RpcError): boolean {
    if (!this.#live) return false;
    // The handler's request stream fails with the reason before finish() could end it quietly.
    this.inbox?.fail(reason);
    this.sender?.stop();
    this.finish();
    this.#abortReason = reason;
    this.#controller?.abort(reason);
    return true;
  }
}
