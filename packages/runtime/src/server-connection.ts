import { callError } from './call-errors.js';
import { Code } from './code.js';
import { MalformedFrameError, methodOfCallHead, readFrame } from './frame-decode.js';
import { asBuffer, type Codec, type MethodCodec } from './codec.js';
import { encodeFrame, encodeFrameWithValue, NO_DETAILS, NO_PAYLOAD } from './frame-encode.js';
import { FrameFlag, FrameType, type CallFrame, type Frame, type ResultFrame, type StreamMessageFrame } from './frame.js';
import type { ServerNext } from './interceptor.js';
import { INITIAL_STREAM_WINDOW, PROTOCOL_VERSION, streamMessageCharge } from './limits.js';
import { sendStreamMessage } from './send-stream-message.js';
import { RpcError } from './rpc-error.js';
import { ServerCallContext } from './server-call-context.js';
import { respondsWithStream, type ArgumentValidator, type MessageValidator, type MethodDescriptor } from './service.js';
import { StreamInbox } from './stream-inbox.js';
import { isIterable, StreamSender } from './stream-sender.js';
import type { Connection, ConnectionHandlers } from './transport.js';

/** A registered method: its descriptor and the function that serves it. */
export interface ServedMethod {
  readonly descriptor: MethodDescriptor;
  /** The generated argument check, or undefined when the server runs with `validate: false`. */
  readonly validate: ArgumentValidator | undefined;
  /** The generated stream-message check, likewise. */
  readonly validateMessage: MessageValidator | undefined;
  /** Calls the handler with the padded arguments and `ctx` last. */
  readonly invoke: (args: unknown[]) => unknown;
}

/** What every connection of one server shares. */
export interface ServerCore {
  readonly methods: ReadonlyMap<string, ServedMethod>;
  readonly codecs: ReadonlyMap<string, Codec>;
  /** The interceptor chain, or undefined when there are no interceptors (the fast path). */
  readonly dispatch: ServerNext | undefined;
  readonly exposeErrorStack: boolean;
  /**
   * The paths of the methods declared `@idempotent`. When there are none, connections leave
   * `isIdempotent` out, and a transport need not look up each call's method to learn nothing.
   */
  readonly idempotentPaths: ReadonlySet<string>;
  /** Where problems nobody else hears about go: bad frames, failed one-way calls. */
  readonly report: (problem: string, cause?: unknown) => void;
}

/**
 * The server side of one connection: the handshake, then CALL frames in and RESULT or ERROR
 * frames out, with CANCEL, deadlines and GOAWAY. Many calls run at once, each under its id.
 */
export class ServerConnection implements ConnectionHandlers {
  readonly #core: ServerCore;
  readonly #connection: Connection;
  /** The listening URL, named in errors the runtime makes: the caller knows the server by it. */
  readonly #local: string;
  readonly #onClosed: (connection: ServerConnection) => void;
  #codec: Codec | undefined;
  readonly #calls = new Map<number, ServerCallContext>();
  #lastId = 0;
  #draining = false;
  #closed = false;
  #whenIdle: (() => void) | undefined;

  /** False on a transport that cannot carry streams: stream calls are refused with Unimplemented. */
  readonly #streams: boolean;

  constructor(core: ServerCore, connection: Connection, local: string, streams: boolean, onClosed: (connection: ServerConnection) => void) {
    this.#core = core;
    this.#streams = streams;
    this.#connection = connection;
    this.#local = local;
    this.#onClosed = onClosed;
    const { idempotentPaths } = core;
    if (idempotentPaths.size > 0) this.isIdempotent = (path) => idempotentPaths.has(path);
  }

  onMessage(message: Uint8Array): void {
    if (this.#closed) return;
    const frame = readFrame(message);
    if (frame instanceof MalformedFrameError) {
      this.#onMalformed(frame);
      return;
    }
    if (this.#codec === undefined) {
      this.#handshake(frame);
      return;
    }
    switch (frame.type) {
      case FrameType.Call:
        this.#onCall(frame, this.#codec);
        return;
      case FrameType.Cancel: {
        const context = this.#calls.get(frame.id);
        context?.abort(new RpcError(Code.Cancelled, `${context.method}: cancelled by the caller`));
        this.#forget(frame.id);
        return;
      }
      case FrameType.Ping:
        this.#send({ type: FrameType.Pong, id: frame.id });
        return;
      case FrameType.StreamMessage:
        this.#receiveStreamMessage(frame, this.#codec);
        return;
      case FrameType.StreamEnd:
        this.#calls.get(frame.id)?.inbox?.end();
        return;
      case FrameType.Credit:
        this.#calls.get(frame.id)?.sender?.addCredit(frame.credit);
        return;
      case FrameType.GoAway:
        this.close();
        return;
      default:
        this.#core.report(`ignored a frame of type 0x${frame.type.toString(16)} from ${this.#connection.peer}: not one a client sends`);
    }
  }

  /** Present only when some method of the server is declared `@idempotent` (as of this connection's start). */
  readonly isIdempotent?: (path: string) => boolean;

  onOversized(head: Uint8Array, size: number): void {
    const bytes = asBuffer(head);
    const type = bytes[0];
    const id = bytes.length >= 5 ? bytes.readUInt32BE(1) : 0;
    const problem = `of ${size} bytes exceeds the server's message size limit`;
    const call = type === FrameType.StreamMessage ? this.#calls.get(id) : undefined;
    if (type === FrameType.Call && bytes.length >= 6 && ((bytes[5] as number) & FrameFlag.NoReply) === 0) {
      this.#sendError(id, callError(Code.ResourceExhausted, methodOfCallHead(bytes) ?? `call ${id}`, `request ${problem}`, this.#local));
    } else if (call !== undefined) {
      this.#failCall(id, callError(Code.ResourceExhausted, call.method, `stream message ${problem}`, this.#local));
    } else {
      this.#core.report(`refused a message ${problem} from ${this.#connection.peer}`);
    }
  }

  onClose(): void {
    this.#closed = true;
    for (const context of this.#calls.values()) {
      context.abort(new RpcError(Code.Cancelled, `${context.method}: the caller's connection closed`));
    }
    this.#calls.clear();
    this.#whenIdle?.();
    this.#onClosed(this);
  }

  /** Tells the client to send no new calls; calls already taken go on. */
  goAway(message: string): void {
    if (this.#draining) return;
    this.#draining = true;
    this.#send({ type: FrameType.GoAway, lastId: this.#lastId, code: Code.Unavailable, message });
  }

  /** Resolves when no call is in flight any more (or the connection closed). */
  idle(): Promise<void> {
    if (this.#calls.size === 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => (this.#whenIdle = resolve));
  }

  /** Cancels every call still running, tells each caller why, then closes the connection. */
  shutdown(reason: string): void {
    for (const [id, context] of this.#calls) {
      const error = new RpcError(Code.Unavailable, `${context.method}: ${reason} (${this.#local})`);
      if (context.abort(error)) this.#sendError(id, error);
    }
    this.#calls.clear();
    this.close();
  }

  close(): void {
    if (this.#closed) return;
    // Bytes may still arrive after our FIN; there is nobody left to answer them.
    this.#closed = true;
    this.#connection.close();
  }

  #handshake(frame: Frame): void {
    const peer = this.#connection.peer;
    if (frame.type !== FrameType.Hello) {
      this.#core.report(`closed the connection from ${peer}: its first frame (type 0x${frame.type.toString(16)}) is not HELLO`);
      this.#connection.close(new RpcError(Code.Unavailable, 'protocol error: the first frame was not HELLO'));
      return;
    }
    const codec = this.#core.codecs.get(frame.codec);
    if (frame.version !== PROTOCOL_VERSION) {
      this.#refuse(`protocol version ${frame.version} is not supported; this server speaks version ${PROTOCOL_VERSION}`);
    } else if (codec === undefined) {
      this.#refuse(`codec '${frame.codec}' is not supported; this server speaks ${[...this.#core.codecs.keys()].join(', ')}`);
    } else {
      this.#codec = codec;
      this.#send({ type: FrameType.Hello, version: PROTOCOL_VERSION, codec: codec.name });
    }
  }

  /** A HELLO this server cannot serve: say why in a GOAWAY, then close. */
  #refuse(problem: string): void {
    this.#send({ type: FrameType.GoAway, lastId: 0, code: Code.Unimplemented, message: problem });
    this.#core.report(`refused the connection from ${this.#connection.peer}: ${problem}`);
    this.#connection.close(new RpcError(Code.Unimplemented, problem));
  }

  #onCall(frame: CallFrame, codec: Codec): void {
    const { id, noReply } = frame;
    const fail = (code: Code, problem: string): void => {
      const error = callError(code, frame.method, problem, this.#local);
      if (noReply) this.#core.report(`one-way call ${error.message}`);
      else this.#sendError(id, error);
    };
    if (this.#draining) return fail(Code.Unavailable, 'the server is shutting down');
    if (this.#calls.has(id)) return this.#core.report(`dropped call ${id} from ${this.#connection.peer}: that id is already in flight`);
    this.#lastId = id;
    const served = this.#core.methods.get(frame.method);
    if (served === undefined) return fail(Code.Unimplemented, 'no such method on this server');
    const { descriptor } = served;
    const streamsOut = respondsWithStream(descriptor.kind);
    if (!this.#streams && (streamsOut || descriptor.streamParam !== undefined)) {
      return fail(Code.Unimplemented, 'this transport cannot carry streams');
    }
    let payloads: MethodCodec | undefined;
    let args: unknown;
    try {
      payloads = codec.forMethod?.(descriptor);
    } catch (cause) {
      return fail(cause instanceof RpcError ? cause.code : Code.Internal, `cannot use ${codec.name} for this method: ${cause instanceof Error ? cause.message : String(cause)}`);
    }
    try {
      args = (payloads?.args ?? codec).decode(frame.payload);
    } catch (cause) {
      return fail(Code.InvalidArgument, `could not decode the arguments with ${codec.name}: ${String(cause)}`);
    }
    if (!Array.isArray(args)) return fail(Code.InvalidArgument, 'the arguments are not an array');
    if (args.length > descriptor.params.length) {
      return fail(Code.InvalidArgument, `expected at most ${descriptor.params.length} arguments, got ${args.length}`);
    }
    const invalid = served.validate?.(args);
    if (invalid !== undefined) return fail(Code.InvalidArgument, invalid);

    const context = new ServerCallContext(frame.method, frame.metadata, frame.timeout, this.#connection.peer);
    context.payloads = payloads;
    while (args.length < descriptor.params.length) args.push(undefined);
    if (descriptor.streamParam !== undefined) {
      const inbox = new StreamInbox<unknown>(
        INITIAL_STREAM_WINDOW,
        (credit) => this.#send({ type: FrameType.Credit, id, credit }),
        () => {},
      );
      context.inbox = inbox;
      context.validateMessage = served.validateMessage;
      args[descriptor.streamParam] = inbox;
    }
    let outcome: unknown;
    try {
      const dispatch = this.#core.dispatch;
      if (dispatch === undefined) {
        // The decoded array is ours: ctx goes on its end instead of into a copy.
        args.push(context);
        outcome = served.invoke(args);
      } else {
        outcome = dispatch({ method: descriptor, args, context });
      }
    } catch (reason) {
      this.#finish(id, context, noReply, undefined, reason);
      return;
    }
    if (!isThenable(outcome) && !streamsOut && context.inbox === undefined) {
      // Only a call that is still running can be cancelled or expire; a synchronous one never
      // enters the table, and pays for neither the entry nor the timer.
      this.#finish(id, context, noReply, outcome, undefined);
      return;
    }
    this.#calls.set(id, context);
    if (frame.timeout !== undefined) {
      context.timer = setTimeout(() => {
        context.abort(callError(Code.DeadlineExceeded, frame.method, `deadline of ${frame.timeout} ms exceeded`, this.#local));
        this.#forget(id);
      }, frame.timeout);
    }
    Promise.resolve(outcome).then(
      (value) => (streamsOut ? this.#sendResponseStream(id, context, value) : this.#finish(id, context, noReply, value, undefined)),
      (reason: unknown) => this.#finish(id, context, noReply, undefined, reason ?? new Error('handler rejected with no reason')),
    );
  }

  /** Sends what a streaming handler returned as STREAM_MESSAGEs, as fast as the caller's credit allows, then RESULT. */
  #sendResponseStream(id: number, context: ServerCallContext, stream: unknown): void {
    if (!context.live) return;
    if (!isIterable(stream)) {
      this.#finish(id, context, false, undefined, new RpcError(Code.Internal, `${context.method}: the handler did not return an AsyncIterable`));
      return;
    }
    const sender = new StreamSender(INITIAL_STREAM_WINDOW);
    context.sender = sender;
    const codec = context.payloads?.result ?? (this.#codec as Codec);
    sender
      .pump(stream, (value) => sendStreamMessage(this.#connection, codec, id, value))
      .then(
        (finished) => {
          if (finished) this.#finish(id, context, false, undefined, undefined);
        },
        (reason: unknown) => this.#finish(id, context, false, undefined, reason ?? new Error('the response stream failed with no reason')),
      );
  }

  #receiveStreamMessage(frame: StreamMessageFrame, codec: Codec): void {
    const context = this.#calls.get(frame.id);
    const inbox = context?.inbox;
    if (context === undefined || inbox === undefined) return; // ended meanwhile: a late message is dropped
    let message: unknown;
    try {
      message = (context.payloads?.message ?? codec).decode(frame.payload);
    } catch (cause) {
      this.#failCall(frame.id, callError(Code.InvalidArgument, context.method, `could not decode a stream message: ${String(cause)}`, this.#local));
      return;
    }
    const invalid = context.validateMessage?.(message);
    if (invalid !== undefined) {
      this.#failCall(frame.id, callError(Code.InvalidArgument, context.method, `stream message: ${invalid}`, this.#local));
      return;
    }
    if (!inbox.push(message, streamMessageCharge(frame.payload.length))) {
      this.#failCall(frame.id, callError(Code.ResourceExhausted, context.method, 'the caller sent more stream messages than its credit allowed', this.#local));
    }
  }

  /** Ends a running call from the server's side: the handler's signal aborts, the caller gets `error`. */
  #failCall(id: number, error: RpcError): void {
    const context = this.#calls.get(id);
    if (context === undefined || !context.abort(error)) return;
    this.#forget(id);
    this.#sendError(id, error);
  }

  /** Sends the one outcome of a call, unless it was cancelled or expired meanwhile (then it is dropped). */
  #finish(id: number, context: ServerCallContext, noReply: boolean, value: unknown, failure: unknown): void {
    if (!context.finish()) return;
    this.#forget(id);
    if (noReply) {
      if (failure !== undefined) this.#core.report(`one-way call ${context.method} from ${context.peer} failed`, failure);
      return;
    }
    if (failure !== undefined) {
      this.#sendError(id, this.#toWireError(failure), context.responseMetadata);
      return;
    }
    let message: Uint8Array;
    try {
      const result: ResultFrame = { type: FrameType.Result, id, metadata: context.responseMetadata, payload: NO_PAYLOAD };
      message = encodeFrameWithValue(result, value, context.payloads?.result ?? (this.#codec as Codec), this.#connection.headroom);
    } catch (cause) {
      const problem = cause instanceof RpcError ? cause.message : `could not encode the result: ${String(cause)}`;
      this.#sendError(id, callError(Code.Internal, context.method, problem, this.#local, cause));
      return;
    }
    try {
      this.#connection.send(message);
    } catch (reason) {
      const error = RpcError.from(reason);
      this.#sendError(id, callError(error.code, context.method, `could not send the result: ${error.message}`, this.#local, reason));
    }
  }

  /** A handler's RpcError travels as it is; anything else is Internal with its message kept. */
  #toWireError(failure: unknown): RpcError {
    const error = RpcError.from(failure);
    if (this.#core.exposeErrorStack && failure instanceof Error && !(failure instanceof RpcError) && error.details === undefined) {
      return new RpcError(error.code, error.message, { details: { stack: failure.stack }, metadata: error.metadata });
    }
    return error;
  }

  #sendError(id: number, error: RpcError, metadata = error.metadata): void {
    let details = NO_DETAILS;
    if (error.details !== undefined && this.#codec !== undefined) {
      try {
        details = this.#codec.encode(error.details);
      } catch (cause) {
        this.#core.report(`dropped the details of an error for call ${id}: they could not be encoded`, cause);
      }
    }
    this.#send({ type: FrameType.Error, id, metadata, code: error.code, message: error.message, details });
  }

  /** Bytes that are not a frame: fail the call they name if any, otherwise report and go on. */
  #onMalformed(error: MalformedFrameError): void {
    if (this.#codec === undefined) {
      this.#core.report(`closed the connection from ${this.#connection.peer}: it does not speak the Conduit protocol (${error.message})`);
      this.#connection.close(new RpcError(Code.Unavailable, `protocol error: ${error.message}`));
      return;
    }
    if (error.callId !== undefined && error.frameType === FrameType.Call) {
      this.#sendError(error.callId, new RpcError(Code.InvalidArgument, `malformed call frame: ${error.message} (${this.#local})`));
      return;
    }
    this.#core.report(`dropped a malformed frame from ${this.#connection.peer}: ${error.message}`);
  }

  #forget(id: number): void {
    this.#calls.delete(id);
    if (this.#calls.size === 0) this.#whenIdle?.();
  }

  /** Sends a frame built whole (not a result); a failure is reported, since nobody waits for it. */
  #send(frame: Frame): void {
    if (this.#closed) return;
    try {
      this.#connection.send(encodeFrame(frame, this.#connection.headroom));
    } catch (reason) {
      // A connection that is going away says so through onClose; that is not a problem to report.
      if (reason instanceof RpcError && reason.code === Code.Unavailable) return;
      this.#core.report(`could not send to ${this.#connection.peer}`, reason);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
