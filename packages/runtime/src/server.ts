import { Code } from './code.js';
import type { Codec } from './codec.js';
import { chainInterceptors, type ServerInterceptor, type ServerNext } from './interceptor.js';
import { DEFAULT_GRACE_PERIOD_MS } from './limits.js';
import { msgpackCodec } from './msgpack-codec.js';
import { RpcError } from './rpc-error.js';
import { resolveTransport } from './scheme-registry.js';
import { ServerConnection, type ServedMethod, type ServerCore } from './server-connection.js';
import type { ServiceDefinition } from './service.js';
import type { Listener, Transport } from './transport.js';

export interface ServerOptions {
  /** Run around every handler, first one outermost. Default: none. */
  interceptors?: readonly ServerInterceptor[];
  /**
   * Milliseconds `close()` waits for in-flight calls before cancelling them. Default 5000
   * (`DEFAULT_GRACE_PERIOD_MS`): enough for ordinary calls without holding a deploy hostage.
   */
  gracePeriod?: number;
  /**
   * Send a plain Error's stack to the caller as `details.stack`. Default false: stacks tell an
   * attacker about the server, so they stay in the server's own logs unless you ask.
   */
  exposeErrorStack?: boolean;
  /**
   * Check every call's arguments and request-stream messages with the generated validators before
   * the handler runs. Default true: the server never trusts the wire. Turn it off only when
   * every client is trusted and the microseconds matter; handlers then get whatever arrives.
   */
  validate?: boolean;
  /** Codecs a client may choose in its HELLO. Default: msgpack only. */
  codecs?: readonly Codec[];
  /**
   * Hears problems no caller is told about: malformed frames, refused connections, failed one-way
   * calls. Default: one line on stderr, so they are never silent.
   */
  onError?: (problem: string, cause?: unknown) => void;
}

/** A transport the server listens on. */
export interface Listening {
  /** Where clients connect, with the real port when port 0 was asked for. */
  readonly url: string;
  /** Stops accepting on this transport; open connections stay. */
  close(): Promise<void>;
}

type Handler = (...args: unknown[]) => unknown;

/**
 * Serves services over any number of transports at once. Handlers run as calls arrive;
 * `close()` drains them gracefully.
 */
export class Server {
  readonly #methods = new Map<string, ServedMethod>();
  readonly #core: ServerCore;
  readonly #idempotentPaths = new Set<string>();
  readonly #gracePeriod: number;
  readonly #validate: boolean;
  readonly #listeners = new Set<Listener>();
  readonly #connections = new Set<ServerConnection>();
  #closing: Promise<void> | undefined;

  constructor(options: ServerOptions = {}) {
    this.#gracePeriod = options.gracePeriod ?? DEFAULT_GRACE_PERIOD_MS;
    this.#validate = options.validate ?? true;
    const report = options.onError ?? ((problem, cause) => console.warn(`[conduit] ${problem}${cause === undefined ? '' : `: ${String(cause)}`}`));
    const interceptors = options.interceptors ?? [];
    const invoke: ServerNext = async ({ method, args, context }) => {
      const served = this.#methods.get(method.path) as ServedMethod;
      // An interceptor may have replaced the arguments: put ctx at its place whatever their length.
      const call = Array.from({ length: method.params.length + 1 }, (_, i) => args[i]);
      call[method.params.length] = context;
      return served.invoke(call);
    };
    this.#core = {
      methods: this.#methods,
      codecs: new Map((options.codecs ?? [msgpackCodec]).map((codec) => [codec.name, codec])),
      dispatch: interceptors.length === 0 ? undefined : chainInterceptors(interceptors, invoke),
      exposeErrorStack: options.exposeErrorStack ?? false,
      idempotentPaths: this.#idempotentPaths,
      report,
    };
  }

  /** Serves `service` with `handlers`. A method missing from `handlers` is an error now, not at call time. */
  add<H>(service: ServiceDefinition<H>, handlers: H): this {
    for (const name of Object.keys(service.methods) as (keyof H & string)[]) {
      const descriptor = service.methods[name];
      const handler = (handlers as Record<string, unknown>)[name];
      if (typeof handler !== 'function') {
        throw new RpcError(Code.InvalidArgument, `${descriptor.path}: the handlers given to server.add have no function '${name}'`);
      }
      if (this.#methods.has(descriptor.path)) {
        throw new RpcError(Code.AlreadyExists, `${descriptor.path} is already served by this server`);
      }
      this.#methods.set(descriptor.path, {
        descriptor,
        validate: this.#validate ? descriptor.validate : undefined,
        validateMessage: this.#validate ? descriptor.validateMessage : undefined,
        invoke: (args) => (handler as Handler).apply(handlers, args),
      });
      if (descriptor.idempotent === true) this.#idempotentPaths.add(descriptor.path);
    }
    return this;
  }

  /** Starts accepting calls on a transport object or URL; resolves once it is bound. */
  async listen(target: Transport | string): Promise<Listening> {
    if (this.#closing !== undefined) throw new RpcError(Code.FailedPrecondition, 'the server is closed');
    const transport = resolveTransport(target);
    let local = transport.address;
    const listener = await transport.listen((connection) => {
      const served = new ServerConnection(this.#core, connection, local, transport.streams !== false, (gone) => this.#connections.delete(gone));
      this.#connections.add(served);
      if (this.#closing !== undefined) served.goAway('the server is shutting down');
      return served;
    });
    local = listener.url;
    this.#listeners.add(listener);
    return {
      url: listener.url,
      close: async () => {
        this.#listeners.delete(listener);
        await listener.close();
      },
    };
  }

  /**
   * Stops accepting, sends GOAWAY so clients send no new calls, lets in-flight calls finish for up
   * to `gracePeriod` ms, then cancels the rest (their callers get Unavailable) and closes.
   */
  close(options: { gracePeriod?: number } = {}): Promise<void> {
    this.#closing ??= this.#drain(options.gracePeriod ?? this.#gracePeriod);
    return this.#closing;
  }

  async #drain(gracePeriod: number): Promise<void> {
    await Promise.all([...this.#listeners].map((listener) => listener.close()));
    this.#listeners.clear();
    const connections = [...this.#connections];
    for (const connection of connections) connection.goAway('the server is shutting down');
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, gracePeriod)));
    await Promise.race([Promise.all(connections.map((connection) => connection.idle())), graceOver]);
    clearTimeout(timer);
    for (const connection of this.#connections) connection.shutdown('the server shut down before the call finished');
  }
}
