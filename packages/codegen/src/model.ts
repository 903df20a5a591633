/**
 * The service model: plain data that the parser produces and the emitters consume. Nothing here
 * refers to ts-morph, so emitters stay pure functions of this model and can be tested with
 * hand-written literals.
 */

/** A type as it travels on the wire. New kinds (bigint, Date, unions, …) are added as new members. */
export type TypeRef =
  | { readonly kind: 'number' }
  | { readonly kind: 'string' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'null' }
  /** Only as a method result: `void` (one-way) or `Promise<void>`. */
  | { readonly kind: 'void' }
  | { readonly kind: 'array'; readonly element: TypeRef }
  | { readonly kind: 'object'; readonly properties: readonly Property[] }
  /** A named data type declared in the same file. */
  | { readonly kind: 'ref'; readonly name: string }
  /** `T | null` */
  | { readonly kind: 'nullable'; readonly inner: TypeRef };

export interface Property {
  readonly name: string;
  readonly type: TypeRef;
  readonly optional: boolean;
  readonly readonly: boolean;
  readonly doc?: string | undefined;
}

/** A data type as declared: an interface with properties, or a type alias. */
export type DataType =
  | { readonly kind: 'interface'; readonly name: string; readonly doc?: string | undefined; readonly properties: readonly Property[] }
  | { readonly kind: 'alias'; readonly name: string; readonly doc?: string | undefined; readonly type: TypeRef };

export interface Param {
  readonly name: string;
  readonly type: TypeRef;
  readonly optional: boolean;
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
  /** Data types in source order. */
  readonly dataTypes: readonly DataType[];
  /** Services in source order. */
  readonly services: readonly Service[];
}
