/**
 * The service model: plain data that the parser produces and the emitters consume. Nothing here
 * refers to ts-morph, so emitters stay pure functions of this model and can be tested with
 * hand-written literals.
 *
 * Types appear twice, for two readers: `text` is the TypeScript the user wrote (the generated
 * signatures repeat it, so generics and mapped types read as written), and `type` is what the
 * checker resolved it to on the wire (validators and the protobuf schema are built from it).
 */
import type { WireType } from '@conduit/runtime';

/** A resolved wire type; see `WireType` in the runtime, which generated code hands to codecs. */
export type TypeRef = WireType;

/** A declaration copied into the generated file so that it stands alone: an interface, alias or enum. */
export interface Declaration {
  readonly name: string;
  /** Its source text, JSDoc included, exported. */
  readonly text: string;
}

/** A named wire shape: what a `ref` points at. Generic instances get names like `Page_User`. */
export interface Shape {
  readonly name: string;
  readonly type: TypeRef;
  /** The TypeScript text naming it (`Page<User>`), for messages. */
  readonly display: string;
}

export interface Param {
  readonly name: string;
  /** As written; for the stream parameter, the message type `T` of `AsyncIterable<T>`. */
  readonly text: string;
  readonly type: TypeRef;
  readonly optional: boolean;
  /** Protobuf field number from a `@field` tag on the method's `@param`, if any. */
  readonly field?: number | undefined;
}

/**
 * `unary` returns `Promise<T>`; `oneway` returns `void` and gets no reply; `server-stream` returns
 * `AsyncIterable<T>`; `client-stream` takes one `AsyncIterable<T>` parameter and returns
 * `Promise<R>`; `bidi-stream` does both. The same names as the runtime's `MethodKind`.
 */
export type MethodKind = 'unary' | 'oneway' | 'server-stream' | 'client-stream' | 'bidi-stream';

export interface Method {
  readonly name: string;
  readonly doc?: string | undefined;
  readonly kind: MethodKind;
  /** In declaration order. The stream parameter's `type` is its message type `T`, not the `AsyncIterable<T>`. */
  readonly params: readonly Param[];
  /** client-stream and bidi-stream: the index in `params` of the one `AsyncIterable<T>` parameter. */
  readonly streamParam?: number | undefined;
  /** `T` of `Promise<T>`, the message type `T` of `AsyncIterable<T>`, or `void`. */
  readonly returns: TypeRef;
  /** `returns` as written (`void` for one-way and `Promise<void>`). */
  readonly returnText: string;
  /** `@idempotent`: safe to run twice, so transports may retry it without a duplicate cache. */
  readonly idempotent: boolean;
}

export interface Service {
  readonly name: string;
  readonly doc?: string | undefined;
  readonly methods: readonly Method[];
}

/** Everything generated from one source file. */
export interface ServiceFile {
  /** The source path as the user gave it, with forward slashes; it appears in the header. */
  readonly source: string;
  /** The protobuf package: the source file's base name, made a valid identifier. */
  readonly protoPackage: string;
  /** Declarations the services use, in dependency-free source order (files in import order). */
  readonly declarations: readonly Declaration[];
  /** Named wire shapes, sorted by name. */
  readonly shapes: readonly Shape[];
  /** Services in source order. */
  readonly services: readonly Service[];
}
