/**
 * What a method's values look like on the wire, as plain data. The codegen resolves the user's
 * TypeScript types into this (generics instantiated, mapped types expanded, imports followed) and
 * writes it into the generated file; schema-driven codecs (protobuf) read it at run time. The
 * msgpack codec needs none of it: its encoding describes itself.
 */
import type { MethodKind } from './service.js';

/** One wire type. Named shapes (interfaces, aliases, enums, instantiated generics) are `ref`s into `ServiceSchema.shapes`. */
export type WireType =
  | { readonly kind: 'number' }
  | { readonly kind: 'string' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'bigint' }
  | { readonly kind: 'null' }
  | { readonly kind: 'undefined' }
  /** A `Date`; invalid dates are not values of this type. */
  | { readonly kind: 'date' }
  /** A `Uint8Array` (a Node `Buffer` is one). */
  | { readonly kind: 'bytes' }
  /** `unknown` or `any` the user opted into with `@unchecked`: not validated, carried as the codec can. */
  | { readonly kind: 'unknown' }
  /** Only as a method result: `void` (one-way) or `Promise<void>`. */
  | { readonly kind: 'void' }
  | { readonly kind: 'literal'; readonly value: string | number | boolean }
  | { readonly kind: 'array'; readonly element: WireType }
  | { readonly kind: 'tuple'; readonly elements: readonly TupleElement[] }
  /**
   * An object shape. `rest` is the value type of a string index signature or `Record<string, T>`:
   * properties not listed must have that type. Without `rest`, unlisted properties are ignored.
   */
  | { readonly kind: 'object'; readonly properties: readonly WireProperty[]; readonly rest?: WireType | undefined }
  | { readonly kind: 'map'; readonly key: WireType; readonly value: WireType }
  | { readonly kind: 'set'; readonly element: WireType }
  /**
   * A union. `discriminant` names the property whose literal value picks the member, when every
   * object member has one (a discriminated union).
   */
  | { readonly kind: 'union'; readonly members: readonly WireType[]; readonly discriminant?: string | undefined }
  | { readonly kind: 'enum'; readonly members: readonly EnumMember[] }
  | { readonly kind: 'ref'; readonly name: string };

export interface TupleElement {
  readonly type: WireType;
  readonly optional: boolean;
}

export interface WireProperty {
  readonly name: string;
  readonly type: WireType;
  readonly optional: boolean;
  /** Protobuf field number from a `@field` JSDoc tag; otherwise derived from the name. */
  readonly field?: number | undefined;
}

export interface EnumMember {
  readonly name: string;
  readonly value: string | number;
}

export interface ParamSchema {
  readonly name: string;
  readonly type: WireType;
  readonly optional: boolean;
  readonly field?: number | undefined;
}

export interface MethodSchema {
  /** How the method is called; protobuf marks the streaming sides of its rpc. */
  readonly kind: MethodKind;
  /** Every parameter in declaration order; a stream parameter's type is its message type. */
  readonly params: readonly ParamSchema[];
  /** The result, or the message type of a response stream; `void` for one-way and `Promise<void>`. */
  readonly returns: WireType;
}

/** Everything a schema-driven codec needs for one service. Shared by all of its methods. */
export interface ServiceSchema {
  /** The protobuf package, e.g. `calculator` (from the source file's name). */
  readonly package: string;
  readonly service: string;
  /** Named shapes by name; generic instances are named like `Page_User`. */
  readonly shapes: Readonly<Record<string, WireType>>;
  readonly methods: Readonly<Record<string, MethodSchema>>;
}
