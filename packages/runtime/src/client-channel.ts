import type { CallOptions } from './call-options.js';
import { callError, callErrorFrom } from './call-errors.js';
import type { ChannelState } from './channel.js';
import { Code } from './code.js';
import { argsCodec, asBuffer, messageCodec, resultCodec, type Codec } from './codec.js';
import { deadlineFromOptions, millisecondsUntil } from './deadline.js';
import { MalformedFrameError, readFrame } from './frame-decode.js';
import { encodeFrame, encodeFrameWithValue, NO_PAYLOAD } from './frame-encode.js';
import { FrameType, type CallFrame, type ErrorFrame, type Frame, type ResultFrame, type StreamMessageFrame } from './frame.js';
import { chainInterceptors, type ClientInterceptor, type ClientNext, type ClientRequest } from './interceptor.js';
import type { GatherOptions, Reply } from './gather.js';
import { DEFAULT_GATHER_WINDOW_MS, INITIAL_STREAM_WINDOW, MAX_CALL_ID, PROTOCOL_VERSION, streamMessageCharge } from './limits.js';
import { sendStreamMessage } from './send-stream-message.js';
import { StreamInbox } from './stream-inbox.js';
import { streamOf } from './stream-of.js';
import { isIterable, StreamSender } from './stream-sender.js';
import type { Metadata } from './metadata.js';
import { RpcError } from './rpc-error.js';
import { respondsWithStream, type MethodDescriptor } from './service.js';
import type { Connection, ConnectionHandlers } from './transport.js';

/** A call that was sent and waits for its RESULT or ERROR frame. */
interface PendingCall {
  readonly method: MethodDescriptor;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: RpcError) => void;
  readonly onResponseMetadata: ((metadata: Metadata) => void) | undefined;
  readonly timer: NodeJS.Timeout | undefined;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: (() => void) | undefined;
  /** server- and bidi-stream calls: where the server's stream messages go. */
  readonly inbox?: StreamInbox<unknown> | undefined;
  /** client- and bidi-stream calls: what sends the request stream. */
  readonly sender?: StreamSender | undefined;
  /** Gathering calls: the replies so far. */
  readonly gathered?: GatheredReplies | undefined;
}

/** A gathering call's replies, one per peer, and how many end it. */
interface GatheredReplies {
  readonly replies: Reply<unknown>[];
  /** Who answered already: a peer answers a retransmitted call again. */
  readonly senders: Set<string>;
  readonly count: number;
}

export interface ClientChannelOptions {
  codec: Codec;
  interceptors: readonly ClientInterceptor[];
  /** Ping settings; undefined sends no pings. */
  keepalive: KeepaliveOptions | undefined;
  /** Hears the channel go to `draining` (GOAWAY) or `closed`. */
  onStateChange: (state: ChannelState) => void;
}

export interface KeepaliveOptions {
  /** Milliseconds between pings. */
  interval: number;
  /** Milliseconds to wait for the answer before the peer counts as dead. */
  timeout: number;
}

/**
 * One connection seen from the calling side: gives each call an id, sends it as a CALL frame, and
 * settles it when its RESULT or ERROR arrives, its deadline passes, its signal aborts, or the
 * connection goes away. The channel users hold (`ReconnectingChannel`) makes one per connection.
 */
export class ClientChannel implements ConnectionHandlers {
  readonly target: string;
  #state: ChannelState = 'ready';
  #connection: Connection | undefined;
  readonly #codec: Codec;
  readonly #pending = new Map<number, PendingCall>();
  #nextId = 1;
  /** Why the channel stopped taking calls (GOAWAY or connection loss), for the errors of later calls. */
  #endReason: string | undefined;
  readonly #send: ClientNext;
  readonly #keepalive: KeepaliveOptions | undefined;
  readonly #onStateChange: (state: ChannelState) => void;
  #pingTimer: NodeJS.Timeout | undefined;
  #pongTimer: NodeJS.Timeout | undefined;
  #pingId = 0;
  /** The connection is one-to-many (multicast): a plain call's first reply ends it for every peer. */
  #oneToMany = false;

  constructor(target: string, options: ClientChannelOptions) {
    this.target = target;
    this.#codec = options.codec;
    this.#keepalive = options.keepalive;
    this.#onStateChange = options.onStateChange;
    const transmit: ClientNext = (request) => this.#transmit(request);
    this.#send = options.interceptors.length === 0 ? transmit : chainInterceptors(options.interceptors, transmit);
  }

  get state(): ChannelState {
    return this.#state;
  }

  /** Called once the transport has connected; the HELLO goes out first. */
  attach(connection: Connection): void {
    this.#connection = connection;
    this.#oneToMany = connection.oneToMany !== undefined;
    connection.send(encodeFrame({ type: FrameType.Hello, version: PROTOCOL_VERSION, codec: this.#codec.name }, connection.headroom));
    const keepalive = this.#keepalive;
    if (keepalive !== undefined) {
      // Timers are unref'd: pings must not keep a process alive that has nothing else to do.
      this.#pingTimer = setInterval(() => this.#ping(keepalive.timeout), keepalive.interval).unref();
    }
  }

  /**
   * A peer that stopped (a frozen process, a pulled cable) closes no socket: only an unanswered
   * ping tells. Its calls fail at once; the socket is left to close on its own.
   */
  #ping(timeout: number): void {
    if (this.#pongTimer !== undefined) return;
    this.#sendControl({ type: FrameType.Ping, id: ++this.#pingId });
    this.#pongTimer = setTimeout(() => {
      const problem = `the server did not answer a keepalive ping within ${timeout} ms`;
      this.#end(problem);
      this.#connection?.close(new RpcError(Code.Unavailable, problem));
    }, timeout).unref();
  }

  unary<T>(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): Promise<T> {
    return this.#send(this.#request(method, args, options)) as Promise<T>;
  }

  gather<T>(method: MethodDescriptor, args: readonly unknown[], gathering: GatherOptions, options?: CallOptions): Promise<Reply<T>[]> {
    if (method.kind !== 'unary') {
      return Promise.reject(this.#error(Code.Unimplemented, method, 'only request-response methods can gather replies'));
    }
    return this.#send(this.#request(method, args, options, gathering)) as Promise<Reply<T>[]>;
  }

  oneway(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): void {
    // A one-way call has nobody to tell about a failure; the caller chose not to know.
    this.#send(this.#request(method, args, options)).catch(() => {});
  }

  serverStream<T>(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): AsyncIterable<T> {
    return streamOf<T>(this.#send(this.#request(method, args, options)));
  }

  clientStream<T>(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): Promise<T> {
    return this.#send(this.#request(method, args, options)) as Promise<T>;
  }

  bidiStream<T>(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): AsyncIterable<T> {
    return streamOf<T>(this.#send(this.#request(method, args, options)));
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#end('the channel was closed');
    this.#connection?.close();
  }

  #request(method: MethodDescriptor, args: readonly unknown[], options: CallOptions | undefined, gather?: GatherOptions): ClientRequest {
    const deadline = deadlineFromOptions(options);
    return {
      method,
      args,
      metadata: options?.metadata ?? {},
      deadline,
      timeout: deadline !== undefined && deadline !== options?.deadline ? options?.timeout : undefined,
      signal: options?.signal,
      target: this.target,
      onResponseMetadata: options?.onResponseMetadata,
      gather,
    };
  }

  /**
   * The end of the interceptor chain: one CALL frame on the wire. Resolves with the result, or,
   * for a call with a response stream, at once with the stream's inbox.
   */
  #transmit(request: ClientRequest): Promise<unknown> {
    const { method, signal, deadline } = request;
    const connection = this.#connection;
    if (this.#state !== 'ready' || connection === undefined) {
      return Promise.reject(this.#error(Code.Unavailable, method, this.#endReason ?? 'the channel is not connected'));
    }
    if (signal?.aborted) return Promise.reject(this.#cancelled(method, signal));
    let timeout: number | undefined;
    if (deadline !== undefined) {
      timeout = millisecondsUntil(deadline);
      if (timeout <= 0) return Promise.reject(this.#error(Code.DeadlineExceeded, method, 'deadline passed before the call was sent'));
    }
    const noReply = method.kind === 'oneway';
    const { streamParam } = method;
    const { gather } = request;
    const { oneToMany } = connection;
    let window: number | undefined;
    if (gather !== undefined) {
      window = Math.min(gather.window ?? timeout ?? oneToMany?.replyTimeout ?? DEFAULT_GATHER_WINDOW_MS, timeout ?? Infinity);
      // Peers learn the window as the call's deadline, so none works on past it for nobody.
      timeout = Math.max(1, Math.ceil(window));
    }
    const id = noReply ? this.#oneWayId() : this.#allocateId();
    try {
      const call: CallFrame = { type: FrameType.Call, id, method: method.path, noReply, timeout, metadata: request.metadata, payload: NO_PAYLOAD };
      connection.send(this.#encode(call, method, streamParam === undefined ? request.args : withoutStream(request.args, streamParam), connection.headroom));
    } catch (reason) {
      return Promise.reject(callErrorFrom(reason, method.path, this.target, Code.InvalidArgument));
    }
    if (noReply) return Promise.resolve(undefined);
    let timer: NodeJS.Timeout | undefined;
    if (window !== undefined) timer = setTimeout(() => this.#endGather(id), window);
    else if (timeout !== undefined) timer = setTimeout(() => this.#expire(id, request), timeout);
    else if (oneToMany !== undefined) timer = setTimeout(() => this.#unanswered(id, request, oneToMany.replyTimeout), oneToMany.replyTimeout);
    const onAbort = signal === undefined ? undefined : () => this.#abort(id, signal);
    signal?.addEventListener('abort', onAbort as () => void, { once: true });
    const sender = streamParam === undefined ? undefined : new StreamSender(INITIAL_STREAM_WINDOW);
    const { onResponseMetadata } = request;
    let answer: Promise<unknown>;
    if (respondsWithStream(method.kind)) {
      const inbox = new StreamInbox<unknown>(
        INITIAL_STREAM_WINDOW,
        (credit) => this.#sendControl({ type: FrameType.Credit, id, credit }),
        () => this.#forsake(id),
      );
      // The stream's end is the call's RESULT; its failure, the call's ERROR.
      const end = () => inbox.end();
      const fail = (error: RpcError) => inbox.fail(error);
      this.#pending.set(id, { method, resolve: end, reject: fail, onResponseMetadata, timer, signal, onAbort, inbox, sender, gathered: undefined });
      answer = Promise.resolve(inbox);
    } else {
      // One peer has one reply to give: a one-to-one connection ends the call with it.
      const gathered = gather === undefined ? undefined : { replies: [], senders: new Set<string>(), count: gather.count ?? (oneToMany === undefined ? 1 : Infinity) };
      // Every pending call is built with the same fields in the same order: one hidden class,
      // so the lookups on the reply path stay monomorphic (a spread here cost several µs a call).
      answer = new Promise((resolve, reject) =>
        this.#pending.set(id, { method, resolve, reject, onResponseMetadata, timer, signal, onAbort, inbox: undefined, sender, gathered }),
      );
    }
    if (sender !== undefined) this.#sendRequestStream(id, method, sender, request.args[streamParam as number]);
    return answer;
  }

  /** Pumps the caller's AsyncIterable into STREAM_MESSAGE frames, then STREAM_END. */
  #sendRequestStream(id: number, method: MethodDescriptor, sender: StreamSender, source: unknown): void {
    if (!isIterable(source)) {
      this.#fail(id, this.#error(Code.InvalidArgument, method, 'the stream argument is not an AsyncIterable'));
      return;
    }
    const codec = messageCodec(this.#codec, method);
    sender
      .pump(source, (value) => {
        try {
          return sendStreamMessage(this.#connection as Connection, codec, id, value);
        } catch (cause) {
          // A message the codec refuses is the caller's mistake, like arguments that do not encode.
          if (cause instanceof RpcError) throw cause;
          throw new RpcError(Code.InvalidArgument, `could not encode a stream message with ${this.#codec.name}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
        }
      })
      .then(
        (finished) => {
          if (finished && this.#pending.has(id)) this.#sendControl({ type: FrameType.StreamEnd, id });
        },
        (reason: unknown) => {
          const code = reason instanceof RpcError ? reason.code : Code.Cancelled;
          const problem = `the request stream failed: ${reason instanceof Error ? reason.message : String(reason)}`;
          this.#fail(id, this.#error(code, method, problem, reason));
        },
      );
  }

  /** Fails a call from this side: the server is told to stop, the caller gets `error`. */
  #fail(id: number, error: RpcError): void {
    const call = this.#take(id);
    if (call === undefined) return;
    this.#sendControl({ type: FrameType.Cancel, id });
    call.reject(error);
  }

  /** The caller stopped reading a response stream (`break`): cancel the call, nobody waits for its end. */
  #forsake(id: number): void {
    if (this.#take(id) !== undefined) this.#sendControl({ type: FrameType.Cancel, id });
  }

  #encode(call: CallFrame, method: MethodDescriptor, args: readonly unknown[], headroom: number): Uint8Array {
    try {
      return encodeFrameWithValue(call, args, argsCodec(this.#codec, method), headroom);
    } catch (cause) {
      if (cause instanceof RpcError) throw cause;
      throw new RpcError(Code.InvalidArgument, `could not encode the arguments with ${this.#codec.name}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
  }

  /** Ids are u32, never 0, and never one still waiting for its reply (after a wrap-around). */
  #allocateId(): number {
    let id = this.#nextId;
    while (this.#pending.has(id)) id = id >= MAX_CALL_ID ? 1 : id + 1;
    this.#nextId = id >= MAX_CALL_ID ? 1 : id + 1;
    return id;
  }

  /** One-way calls get an id too (it names them in a server's logs) but are never pending. */
  #oneWayId(): number {
    const id = this.#nextId;
    this.#nextId = id >= MAX_CALL_ID ? 1 : id + 1;
    return id;
  }

  onMessage(message: Uint8Array, from?: string): void {
    const frame = readFrame(message);
    if (frame instanceof MalformedFrameError) {
      this.#onMalformed(frame, from);
      return;
    }
    switch (frame.type) {
      case FrameType.Result:
        this.#settle(frame, from);
        return;
      case FrameType.Error:
        this.#settle(frame, from);
        return;
      case FrameType.StreamMessage:
        this.#receiveStreamMessage(frame);
        return;
      case FrameType.Credit:
        this.#pending.get(frame.id)?.sender?.addCredit(frame.credit);
        return;
      case FrameType.GoAway:
        // Calls already taken by the server still get their replies; new ones must not be sent.
        this.#endReason = `the server is going away: ${frame.message}`;
        if (this.#state === 'ready') {
          this.#state = 'draining';
          this.#onStateChange('draining');
        }
        return;
      case FrameType.Ping:
        this.#sendControl({ type: FrameType.Pong, id: frame.id });
        return;
      case FrameType.Pong:
        if (frame.id === this.#pingId) {
          clearTimeout(this.#pongTimer);
          this.#pongTimer = undefined;
        }
        return;
      case FrameType.Hello:
        if (frame.version !== PROTOCOL_VERSION || frame.codec !== this.#codec.name) {
          this.#breakDown(`the server answered with protocol v${frame.version} and codec '${frame.codec}'`);
        }
        return;
      default:
        return;
    }
  }

  onOversized(head: Uint8Array, size: number): void {
    if (head.length < 5) return;
    const id = asBuffer(head).readUInt32BE(1);
    const call = this.#pending.get(id);
    if (call !== undefined) this.#fail(id, this.#error(Code.ResourceExhausted, call.method, `the reply of ${size} bytes exceeds the message size limit`));
  }

  onClose(reason: RpcError | undefined): void {
    this.#end(this.#endReason ?? `connection lost${reason === undefined ? '' : `: ${reason.message}`}`);
  }

  #settle(frame: ResultFrame | ErrorFrame, from: string | undefined): void {
    const call = this.#pending.get(frame.id);
    if (call === undefined) return; // expired or cancelled: a late reply is dropped
    if (call.gathered !== undefined) {
      this.#gatherReply(frame, call, call.gathered, from);
      return;
    }
    this.#release(frame.id, call);
    // On a one-to-many connection the first reply wins; the other peers need not go on.
    if (this.#oneToMany) this.#sendControl({ type: FrameType.Cancel, id: frame.id });
    if (frame.metadata !== undefined) call.onResponseMetadata?.(frame.metadata);
    if (frame.type === FrameType.Error) {
      call.reject(this.#remoteError(frame));
      return;
    }
    let value: unknown;
    try {
      value = resultCodec(this.#codec, call.method).decode(frame.payload);
    } catch (cause) {
      call.reject(this.#undecodable(call.method, cause));
      return;
    }
    call.resolve(value);
  }

  /** One peer's reply to a gathering call. */
  #gatherReply(frame: ResultFrame | ErrorFrame, call: PendingCall, gathered: GatheredReplies, from: string | undefined): void {
    if (frame.metadata !== undefined) call.onResponseMetadata?.(frame.metadata);
    const sender = this.#sender(from);
    let reply: Reply<unknown>;
    if (frame.type === FrameType.Error) {
      reply = { from: sender, ok: false, error: this.#remoteError(frame) };
    } else {
      try {
        reply = { from: sender, ok: true, value: resultCodec(this.#codec, call.method).decode(frame.payload) };
      } catch (cause) {
        reply = { from: sender, ok: false, error: this.#undecodable(call.method, cause) };
      }
    }
    this.#keepReply(frame.id, gathered, reply);
  }

  /** Keeps one reply per peer (a peer answers a retransmitted call again) and ends the call at its count. */
  #keepReply(id: number, gathered: GatheredReplies, reply: Reply<unknown>): void {
    if (!gathered.senders.has(reply.from)) {
      gathered.senders.add(reply.from);
      gathered.replies.push(reply);
    }
    if (gathered.replies.length >= gathered.count) this.#endGather(id);
  }

  /** Who sent a message: the one-to-many connection says; otherwise it is the one peer. */
  #sender(from: string | undefined): string {
    return from ?? this.#connection?.peer ?? this.target;
  }

  /** A gathering call's window closed or its count was reached: it resolves with what came, the rest are told to stop. */
  #endGather(id: number): void {
    const call = this.#take(id);
    if (call === undefined) return;
    this.#sendControl({ type: FrameType.Cancel, id });
    call.resolve(call.gathered?.replies);
  }

  #undecodable(method: MethodDescriptor, cause: unknown): RpcError {
    return this.#error(Code.Internal, method, `could not decode the result: ${String(cause)}`, cause);
  }

  /** The error a handler threw (or the server made), as the server sent it. */
  #remoteError(frame: ErrorFrame): RpcError {
    let details: unknown;
    try {
      details = frame.details.length === 0 ? undefined : this.#codec.decode(frame.details);
    } catch {
      details = undefined; // the code and message still say what happened
    }
    return new RpcError(frame.code, frame.message, { details, ...(frame.metadata && { metadata: frame.metadata }) });
  }

  #receiveStreamMessage(frame: StreamMessageFrame): void {
    const call = this.#pending.get(frame.id);
    if (call?.inbox === undefined) return; // cancelled meanwhile: a late message is dropped
    let message: unknown;
    try {
      message = resultCodec(this.#codec, call.method).decode(frame.payload);
    } catch (cause) {
      this.#fail(frame.id, this.#error(Code.Internal, call.method, `could not decode a stream message: ${String(cause)}`, cause));
      return;
    }
    if (!call.inbox.push(message, streamMessageCharge(frame.payload.length))) {
      this.#fail(frame.id, this.#error(Code.Internal, call.method, 'the server sent more stream messages than its credit allowed'));
    }
  }

  /**
   * A reply we cannot read still names its call when its head was readable; fail just that call,
   * or, when it gathers, just that peer's reply.
   */
  #onMalformed(error: MalformedFrameError, from: string | undefined): void {
    if (error.callId === undefined) return;
    const pending = this.#pending.get(error.callId);
    if (pending === undefined) return;
    const problem = this.#error(Code.Internal, pending.method, `malformed reply: ${error.message}`, error);
    const gathered = pending.gathered;
    if (gathered === undefined) {
      this.#release(error.callId, pending);
      pending.reject(problem);
      return;
    }
    this.#keepReply(error.callId, gathered, { from: this.#sender(from), ok: false, error: problem });
  }

  #expire(id: number, request: ClientRequest): void {
    const problem =
      request.timeout === undefined ? `deadline ${request.deadline?.toISOString()} exceeded` : `deadline exceeded after ${request.timeout} ms`;
    this.#fail(id, this.#error(Code.DeadlineExceeded, request.method, problem));
  }

  /** A call with no deadline on a one-to-many connection, that nobody answered. */
  #unanswered(id: number, request: ClientRequest, replyTimeout: number): void {
    this.#fail(id, this.#error(Code.Unavailable, request.method, `nobody answered within ${replyTimeout} ms`));
  }

  #abort(id: number, signal: AbortSignal): void {
    const call = this.#pending.get(id);
    if (call !== undefined) this.#fail(id, this.#cancelled(call.method, signal));
  }

  /** PONG and CANCEL: best effort, since a connection that is gone makes the server cancel everything anyway. */
  #sendControl(frame: Frame): void {
    const connection = this.#connection;
    try {
      connection?.send(encodeFrame(frame, connection.headroom));
    } catch {
      // Nothing to tell: the channel learns of the loss through onClose.
    }
  }

  /** Removes a pending call and its timer and listener; returns it, or undefined if already settled. */
  #take(id: number): PendingCall | undefined {
    const call = this.#pending.get(id);
    if (call !== undefined) this.#release(id, call);
    return call;
  }

  /** Removes call `id`, already looked up, with its timer and listener. */
  #release(id: number, call: PendingCall): void {
    this.#pending.delete(id);
    if (call.timer !== undefined) clearTimeout(call.timer);
    if (call.onAbort !== undefined) call.signal?.removeEventListener('abort', call.onAbort);
    call.sender?.stop();
  }

  /** The channel cannot go on (the server speaks another protocol): fail everything and close. */
  #breakDown(problem: string): void {
    this.#end(problem);
    this.#connection?.close(new RpcError(Code.Unavailable, problem));
  }

  #end(reason: string): void {
    clearInterval(this.#pingTimer);
    clearTimeout(this.#pongTimer);
    this.#endReason ??= reason;
    if (this.#state !== 'closed') {
      this.#state = 'closed';
      this.#onStateChange('closed');
    }
    for (const id of [...this.#pending.keys()]) {
      const call = this.#take(id);
      call?.reject(this.#error(Code.Unavailable, call.method, this.#endReason));
    }
  }

  #cancelled(method: MethodDescriptor, signal: AbortSignal): RpcError {
    return this.#error(Code.Cancelled, method, 'cancelled by the caller', signal.reason);
  }

  #error(code: Code, method: MethodDescriptor, problem: string, cause?: unknown): RpcError {
    return callError(code, method.path, problem, this.target, cause);
  }
}

/** The arguments as they travel: the stream parameter's place holds undefined. */
function withoutStream(args: readonly unknown[], streamParam: number): unknown[] {
  const wire = [...args];
  wire[streamParam] = undefined;
  return wire;
}
