import type { ServiceSchema } from './schema.js';

/**
 * How a method is called. `oneway` is a `void` method: the call frame asks for no reply and
 * the caller learns nothing of the outcome. `server-stream` returns `AsyncIterable<T>`;
 * `client-stream` takes one `AsyncIterable<T>` parameter and returns `Promise<R>`;
 * `bidi-stream` does both.
 */
export type MethodKind = 'unary' | 'oneway' | 'server-stream' | 'client-stream' | 'bidi-stream';

/** The server answers with a stream of messages (server and bidirectional streams). */
export function respondsWithStream(kind: MethodKind): boolean {
  return kind === 'server-stream' || kind === 'bidi-stream';
}

/**
 * Checks decoded arguments before the handler runs. Returns undefined when they fit the declared
 * types, otherwise what is wrong and where, e.g. `points[2].x: expected number, got string`.
 * Generated code provides it; no reflection happens at call time.
 */
export type ArgumentValidator = (args: readonly unknown[]) => string | undefined;

/**
 * Checks one message of an incoming client stream, like ArgumentValidator does the arguments:
 * undefined when it fits, otherwise what is wrong, e.g. `[3].x: expected number, got string`.
 */
export type MessageValidator = (message: unknown) => string | undefined;

/** A method as the generated code describes it. */
export interface MethodSpec {
  readonly kind: MethodKind;
  /** Parameter names in order; arguments travel as a positional array of this length or less. */
  readonly params: readonly string[];
  readonly validate?: ArgumentValidator;
  /**
   * client-stream and bidi-stream: the index of the `AsyncIterable` parameter. Its values travel
   * as stream messages; its place in the argument array travels as undefined.
   */
  readonly streamParam?: number;
  /** client-stream and bidi-stream: checks each incoming stream message before the handler sees it. */
  readonly validateMessage?: MessageValidator;
  /**
   * From the `@idempotent` JSDoc tag: running the call twice does no more than running it once,
   * so a transport may retry it without a duplicate-request cache.
   */
  readonly idempotent?: boolean;
}

/** A method with its place: `path` (`Service.method`) is what travels on the wire. */
export interface MethodDescriptor extends MethodSpec {
  readonly service: string;
  readonly name: string;
  readonly path: string;
  /** The service's declared wire types, when the stubs were generated with them (protobuf needs them). */
  readonly schema: ServiceSchema | undefined;
}

/**
 * What `Server.add` takes and what a generated client calls through. `H` is the handler
 * interface; it exists only for type inference, never at run time.
 */
export interface ServiceDefinition<H = unknown> {
  readonly name: string;
  readonly methods: { readonly [K in keyof H]: MethodDescriptor };
  /** Type-only brand so `server.add(def, impl)` infers the handler type. */
  readonly __handlers?: H;
}

export interface ServiceSpec<H> {
  readonly name: string;
  readonly methods: { readonly [K in keyof H]: MethodSpec };
  /** Generated with `--codec protobuf` or `--proto`: the wire types a schema-driven codec needs. */
  readonly schema?: ServiceSchema;
}

/** Turns the generated spec into descriptors; called once per service at import time. */
export function defineService<H>(spec: ServiceSpec<H>): ServiceDefinition<H> {
  const methods = {} as { [K in keyof H]: MethodDescriptor };
  for (const name of Object.keys(spec.methods) as (keyof H & string)[]) {
    const method = spec.methods[name];
    methods[name] = Object.freeze({ ...method, service: spec.name, name, path: `${spec.name}.${name}`, schema: spec.schema });
  }
  return Object.freeze({ name: spec.name, methods: Object.freeze(methods) });
}
