import type { CallOptions } from './call-options.js';
import { callError } from './call-errors.js';
import type { Channel, ChannelState } from './channel.js';
import { ClientChannel, type KeepaliveOptions } from './client-channel.js';
import { Code } from './code.js';
import type { Codec } from './codec.js';
import { deadlineFromOptions, millisecondsUntil } from './deadline.js';
import type { GatherOptions, Reply } from './gather.js';
import type { ClientInterceptor } from './interceptor.js';
import { RpcError } from './rpc-error.js';
import type { MethodDescriptor } from './service.js';
import { streamOf } from './stream-of.js';
import type { Transport } from './transport.js';

/** How a channel spaces out its attempts to reconnect: exponential backoff with jitter, as gRPC does. */
export interface ReconnectOptions {
  /** Milliseconds after the first failed attempt. Default 100: a local server restarts fast. */
  initialBackoff?: number;
  /** The longest wait between attempts. Default 5000. */
  maxBackoff?: number;
  /** Growth per failed attempt. Default 1.6 (gRPC's). */
  multiplier?: number;
  /** Random spread, as a fraction of the wait, so many clients do not retry in step. Default 0.2. */
  jitter?: number;
}

export interface ReconnectingChannelOptions {
  codec: Codec;
  interceptors: readonly ClientInterceptor[];
  keepalive: KeepaliveOptions | undefined;
  reconnect: Required<ReconnectOptions> | undefined;
}

/**
 * The channel users hold. It keeps one connection (a ClientChannel) and makes a new one when that
 * is lost or the server sends GOAWAY, on demand and with backoff, so after a server restart the
 * same channel serves new calls. Calls made while there is no connection wait for the next attempt
 * and fail with Unavailable if it fails, unless they asked to `waitForReady`.
 */
export class ReconnectingChannel implements Channel {
  readonly target: string;
  readonly #transport: Transport;
  readonly #options: ReconnectingChannelOptions;
  #state: ChannelState = 'idle';
  /** The connection new calls go to, when ready. */
  #current: ClientChannel | undefined;
  /** Every connection still open, the draining ones included, so close() ends them all. */
  readonly #open = new Set<ClientChannel>();
  #attempt: Promise<ClientChannel> | undefined;
  #failures = 0;
  #retryAt = 0;
  #lastFailure: RpcError | undefined;
  readonly #listeners = new Set<(state: ChannelState) => void>();

  constructor(transport: Transport, options: ReconnectingChannelOptions) {
    this.target = transport.address;
    this.#transport = transport;
    this.#options = options;
  }

  get state(): ChannelState {
    return this.#state;
  }

  onStateChange(listener: (state: ChannelState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The first connection, which `connect()` awaits so that a wrong address fails at once. */
  async start(): Promise<void> {
    await this.#connectNow();
  }

  unary<T>(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): Promise<T> {
    const current = this.#ready();
    if (current !== undefined) return current.unary<T>(method, args, options);
    return this.#whenReady(method, options).then(([channel, adjusted]) => channel.unary<T>(method, args, adjusted));
  }

  gather<T>(method: MethodDescriptor, args: readonly unknown[], gathering: GatherOptions, options?: CallOptions): Promise<Reply<T>[]> {
    const current = this.#ready();
    if (current !== undefined) return current.gather<T>(method, args, gathering, options);
    return this.#whenReady(method, options).then(([channel, adjusted]) => channel.gather<T>(method, args, gathering, adjusted));
  }

  oneway(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): void {
    const current = this.#ready();
    if (current !== undefined) return current.oneway(method, args, options);
    this.#whenReady(method, options).then(
      ([channel, adjusted]) => channel.oneway(method, args, adjusted),
      () => {},
    );
  }

  serverStream<T>(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): AsyncIterable<T> {
    if (this.#transport.streams === false) return streamOf(Promise.reject(this.#noStreams(method)));
    const current = this.#ready();
    if (current !== undefined) return current.serverStream<T>(method, args, options);
    return streamOf(this.#whenReady(method, options).then(([channel, adjusted]) => channel.serverStream<T>(method, args, adjusted)));
  }

  clientStream<T>(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): Promise<T> {
    if (this.#transport.streams === false) return Promise.reject(this.#noStreams(method));
    const current = this.#ready();
    if (current !== undefined) return current.clientStream<T>(method, args, options);
    return this.#whenReady(method, options).then(([channel, adjusted]) => channel.clientStream<T>(method, args, adjusted));
  }

  bidiStream<T>(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): AsyncIterable<T> {
    if (this.#transport.streams === false) return streamOf(Promise.reject(this.#noStreams(method)));
    const current = this.#ready();
    if (current !== undefined) return current.bidiStream<T>(method, args, options);
    return streamOf(this.#whenReady(method, options).then(([channel, adjusted]) => channel.bidiStream<T>(method, args, adjusted)));
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    this.#current = undefined;
    await Promise.all([...this.#open].map((channel) => channel.close()));
    this.#open.clear();
  }

  #ready(): ClientChannel | undefined {
    return this.#current?.state === 'ready' ? this.#current : undefined;
  }

  /**
   * Waits for a connection for one call. The call's deadline counts from when it was made, so the
   * options it continues with carry the same deadline as an instant.
   */
  async #whenReady(method: MethodDescriptor, options: CallOptions | undefined): Promise<[ClientChannel, CallOptions | undefined]> {
    const deadline = deadlineFromOptions(options);
    const adjusted = deadline === undefined || options?.timeout === undefined ? options : { ...options, timeout: undefined, deadline };
    for (;;) {
      if (this.#state === 'closed') throw this.#unavailable(method, 'the channel was closed');
      const current = this.#ready();
      if (current !== undefined) return [current, adjusted];
      if (options?.signal?.aborted) throw callError(Code.Cancelled, method.path, 'cancelled by the caller', this.target, options.signal.reason);
      const backingOff = this.#attempt === undefined && Date.now() < this.#retryAt;
      if (this.#options.reconnect === undefined || (backingOff && options?.waitForReady !== true)) {
        throw this.#unavailable(method, this.#lastFailure?.message ?? 'the channel is not connected');
      }
      this.#attempt ??= this.#connectAfterBackoff();
      try {
        const channel = await this.#bounded(this.#attempt, method, deadline, options?.signal);
        if (channel.state === 'ready') return [channel, adjusted];
      } catch (error) {
        if (error instanceof RpcError && (error.code === Code.DeadlineExceeded || error.code === Code.Cancelled)) throw error;
        if (options?.waitForReady !== true) throw this.#unavailable(method, RpcError.from(error).message);
      }
    }
  }

  async #connectAfterBackoff(): Promise<ClientChannel> {
    try {
      const wait = this.#retryAt - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (this.#state === 'closed') throw new RpcError(Code.Unavailable, 'the channel was closed');
      return await this.#connectNow();
    } finally {
      this.#attempt = undefined;
    }
  }

  async #connectNow(): Promise<ClientChannel> {
    this.#setState('connecting');
    const channel: ClientChannel = new ClientChannel(this.target, {
      codec: this.#options.codec,
      interceptors: this.#options.interceptors,
      keepalive: this.#options.keepalive,
      onStateChange: (state) => this.#connectionChanged(channel, state),
    });
    try {
      channel.attach(await this.#transport.connect(channel));
    } catch (reason) {
      const error = RpcError.from(reason, Code.Unavailable);
      this.#lastFailure = new RpcError(error.code, `could not connect to ${this.target}: ${error.message}`, { cause: reason });
      this.#failures++;
      this.#retryAt = Date.now() + this.#backoff();
      if (this.#state !== 'closed') this.#setState('idle');
      throw this.#lastFailure;
    }
    if (this.#state === 'closed') {
      await channel.close();
      throw new RpcError(Code.Unavailable, 'the channel was closed');
    }
    this.#failures = 0;
    this.#retryAt = 0;
    this.#current = channel;
    this.#open.add(channel);
    this.#setState('ready');
    return channel;
  }

  /** A connection drained (GOAWAY) or closed: new calls need another one. */
  #connectionChanged(channel: ClientChannel, state: ChannelState): void {
    if (state === 'closed') this.#open.delete(channel);
    if (channel !== this.#current) return;
    this.#current = undefined;
    if (this.#state !== 'closed') this.#setState('idle');
  }

  #backoff(): number {
    const reconnect = this.#options.reconnect;
    if (reconnect === undefined) return 0;
    const base = Math.min(reconnect.maxBackoff, reconnect.initialBackoff * reconnect.multiplier ** (this.#failures - 1));
    return base * (1 + reconnect.jitter * (Math.random() * 2 - 1));
  }

  #setState(state: ChannelState): void {
    if (this.#state === state) return;
    this.#state = state;
    for (const listener of this.#listeners) listener(state);
  }

  #noStreams(method: MethodDescriptor): RpcError {
    return callError(Code.Unimplemented, method.path, `the ${this.#transport.name} transport cannot carry streams`, this.target);
  }

  #unavailable(method: MethodDescriptor, problem: string): RpcError {
    return callError(Code.Unavailable, method.path, problem, this.target);
  }

  /** Races a connection attempt against the call's own deadline and signal. */
  #bounded<T>(attempt: Promise<T>, method: MethodDescriptor, deadline: Date | undefined, signal: AbortSignal | undefined): Promise<T> {
    if (deadline === undefined && signal === undefined) return attempt;
    return new Promise<T>((resolve, reject) => {
      const expire = () => reject(callError(Code.DeadlineExceeded, method.path, 'deadline exceeded while waiting for a connection', this.target));
      const timer = deadline === undefined ? undefined : setTimeout(expire, Math.max(0, millisecondsUntil(deadline)));
      const onAbort = () => reject(callError(Code.Cancelled, method.path, 'cancelled by the caller', this.target, signal?.reason));
      signal?.addEventListener('abort', onAbort, { once: true });
      attempt.then(resolve, reject).finally(() => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      });
    });
  }
}
