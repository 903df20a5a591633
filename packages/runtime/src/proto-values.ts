/**
 * JS values ↔ the plain objects protobufjs encodes and decodes, following the plan
 * `protoDescriptor` made of a schema. Every message's converter is compiled into closures once;
 * a call only runs them.
 *
 * Decoding reads protobufjs message instances directly: a field absent on the wire is not an own
 * property (its default sits on the prototype; proto3 `optional` fields and messages default to
 * null), and a field read from a missing message is simply undefined.
 */
import type { Conv, FieldPlan, MemberPlan, MessagePlan, MethodPlan, ProtoDescriptor } from './proto-descriptor.js';
import type { WireType } from './schema.js';

/** A value that does not fit its protobuf field; `path` says where, e.g. `points[2].x`. */
export class ProtoValueError extends TypeError {
  override readonly name = 'ProtoValueError';
  readonly problem: string;
  readonly segments: string[] = [];

  constructor(problem: string) {
    super(problem);
    this.problem = problem;
  }

  get path(): string {
    return this.segments.map((segment, i) => (i === 0 || segment.startsWith('[') ? segment : `.${segment}`)).join('');
  }

  /** Adds the enclosing field or index in front of the path. */
  within(segment: string): this {
    this.segments.unshift(segment);
    this.message = `${this.path}: ${this.problem}`;
    return this;
  }
}

type Plain = Record<string, unknown>;

/** Converts one value; message converters produce and take plain objects. */
export interface ValueConverter {
  encode(value: unknown): unknown;
  decode(raw: unknown): unknown;
}

/** A message's converter: JS value → plain object for `Type.encode`, decoded message → JS value. */
export interface MessageConverter {
  encode(value: unknown): Plain;
  decode(message: unknown): unknown;
}

interface FieldAccess {
  /** Sets the field of `target` for `value`, or leaves it out (absent, default, empty). */
  put(target: Plain, value: unknown): void;
  /** The JS value of the field of a decoded message; undefined when an optional field is absent. */
  get(source: Plain): unknown;
}

const EMPTY: Plain = Object.freeze({}) as Plain;
const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a Date';
  if (value instanceof Uint8Array) return 'a Uint8Array';
  if (value instanceof Map) return 'a Map';
  if (value instanceof Set) return 'a Set';
  const type = typeof value;
  return type === 'undefined' ? 'undefined' : type === 'object' ? 'an object' : type;
}

function mismatch(expected: string, value: unknown): ProtoValueError {
  return new ProtoValueError(`expected ${expected}, got ${describe(value)}`);
}

function within(error: unknown, segment: string): unknown {
  return error instanceof ProtoValueError ? error.within(segment) : error;
}

function indexSegment(index: number): string {
  return `[${index}]`;
}

/** A declared property: `x` (joined as `.x`), or `["with space"]` when it is no identifier; as the generated validators write it. */
function propertySegment(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : `[${JSON.stringify(name)}]`;
}

/** A Map entry, record key or index-signature property: `["a"]`, `[3]`. */
function keySegment(key: unknown): string {
  return typeof key === 'string' ? `[${JSON.stringify(key)}]` : `[${String(key)}]`;
}

/** Sets a key that came off the wire; `__proto__` must not reach the prototype setter. */
function setKey(target: Plain, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

// ---------------------------------------------------------------------------------------------
// Scalars.

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
const TWO_32 = 4_294_967_296;

/** What protobufjs's int64 writers take: a number when exact, else the two 32-bit halves. */
function bigintToInt64(value: bigint): number | { low: number; high: number } {
  if (value >= SAFE_MIN && value <= SAFE_MAX) return Number(value);
  return { low: Number(BigInt.asIntN(32, value)), high: Number(BigInt.asIntN(32, value >> 32n)) };
}

/** protobufjs reads int64 as a Long (`low`/`high`, signed 32 bits each), or a number without long.js. */
function int64ToBigInt(raw: unknown): bigint {
  if (typeof raw === 'number') return BigInt(raw);
  if (typeof raw === 'string') return BigInt(raw);
  const { low, high } = raw as { low: number; high: number };
  const approx = high * TWO_32 + (low >>> 0);
  return Number.isSafeInteger(approx) ? BigInt(approx) : (BigInt(high) << 32n) | BigInt(low >>> 0);
}

function int64ToNumber(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string') return Number(raw);
  const { low, high } = raw as { low: number; high: number };
  return high * TWO_32 + (low >>> 0);
}

interface ScalarConverter extends ValueConverter {
  /** Whether the encoded value is proto3's default, which an implicit-presence field leaves out. */
  isDefault(encoded: unknown): boolean;
  /** The JS value of an absent implicit-presence field (fresh each time for objects). */
  zero(): unknown;
  /** decode is the identity, so a repeated field's array can be taken as it is. */
  readonly identity: boolean;
}

const identity = (raw: unknown): unknown => raw;

const SCALARS: Readonly<Record<Exclude<Conv['kind'], 'message' | 'array' | 'set' | 'entries'>, ScalarConverter>> = {
  double: {
    encode: (value) => {
      if (typeof value !== 'number') throw mismatch('number', value);
      return value;
    },
    decode: identity,
    isDefault: (encoded) => encoded === 0 && 1 / (encoded as number) > 0,
    zero: () => 0,
    identity: true,
  },
  string: {
    encode: (value) => {
      if (typeof value !== 'string') throw mismatch('string', value);
      return value;
    },
    decode: identity,
    isDefault: (encoded) => encoded === '',
    zero: () => '',
    identity: true,
  },
  bool: {
    encode: (value) => {
      if (typeof value !== 'boolean') throw mismatch('boolean', value);
      return value;
    },
    decode: identity,
    isDefault: (encoded) => encoded === false,
    zero: () => false,
    identity: true,
  },
  enum: {
    encode: (value) => {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw mismatch('an enum member (integer)', value);
      return value;
    },
    decode: identity,
    isDefault: (encoded) => encoded === 0,
    zero: () => 0,
    identity: true,
  },
  bigint: {
    encode: (value) => {
      if (typeof value !== 'bigint') throw mismatch('bigint', value);
      if (value < INT64_MIN || value > INT64_MAX) throw new ProtoValueError(`${value} does not fit in 64 bits (sint64)`);
      return bigintToInt64(value);
    },
    decode: int64ToBigInt,
    isDefault: (encoded) => encoded === 0,
    zero: () => 0n,
    identity: false,
  },
  date: {
    encode: (value) => {
      if (!(value instanceof Date)) throw mismatch('Date', value);
      const time = value.getTime();
      if (Number.isNaN(time)) throw new ProtoValueError('an invalid Date cannot be sent');
      return time;
    },
    decode: (raw) => new Date(int64ToNumber(raw)),
    isDefault: (encoded) => encoded === 0,
    zero: () => new Date(0),
    identity: false,
  },
  bytes: {
    encode: (value) => {
      if (!(value instanceof Uint8Array)) throw mismatch('Uint8Array', value);
      return value;
    },
    // A copy: protobufjs hands out views into the message buffer, which the transport may reuse.
    decode: (raw) => new Uint8Array(raw as ArrayLike<number>),
    isDefault: (encoded) => (encoded as Uint8Array).length === 0,
    zero: () => new Uint8Array(0),
    identity: false,
  },
  json: {
    encode: (value) => {
      if (value === undefined) return '';
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch (cause) {
        throw new ProtoValueError(`an unknown value travels as JSON, and this one cannot: ${cause instanceof Error ? cause.message : String(cause)}`);
      }
      return text ?? '';
    },
    decode: (raw) => (raw === '' ? undefined : JSON.parse(raw as string)),
    isDefault: (encoded) => encoded === '',
    zero: () => undefined,
    identity: false,
  },
};

// ---------------------------------------------------------------------------------------------
// Unions: which member a value belongs to.

type Category = 'number' | 'string' | 'boolean' | 'bigint' | 'date' | 'bytes' | 'array' | 'set' | 'map' | 'object';
const ALL_CATEGORIES: readonly Category[] = ['number', 'string', 'boolean', 'bigint', 'date', 'bytes', 'array', 'set', 'map', 'object'];

function categoryOf(value: unknown): Category | undefined {
  switch (typeof value) {
    case 'number':
    case 'string':
    case 'boolean':
    case 'bigint':
      return typeof value as Category;
    case 'object':
      if (value === null) return undefined;
      if (Array.isArray(value)) return 'array';
      if (value instanceof Date) return 'date';
      if (value instanceof Uint8Array) return 'bytes';
      if (value instanceof Map) return 'map';
      if (value instanceof Set) return 'set';
      return 'object';
    default:
      return undefined;
  }
}

type Shapes = ProtoDescriptor['shapes'];

function resolve(type: WireType, shapes: Shapes): WireType {
  let current = type;
  for (let hops = 0; current.kind === 'ref' && hops < 64; hops++) current = shapes[current.name] ?? { kind: 'unknown' };
  return current;
}

function categoriesOf(type: WireType, shapes: Shapes, into: Set<Category>, depth = 0): void {
  const t = resolve(type, shapes);
  switch (t.kind) {
    case 'number':
    case 'string':
    case 'boolean':
    case 'bigint':
      into.add(t.kind);
      return;
    case 'literal':
      into.add(typeof t.value as Category);
      return;
    case 'date':
    case 'bytes':
    case 'set':
    case 'map':
    case 'object':
    case 'array':
      into.add(t.kind);
      return;
    case 'tuple':
      into.add('array');
      return;
    case 'enum':
      for (const member of t.members) into.add(typeof member.value as Category);
      return;
    case 'union':
      if (depth < 16) for (const member of t.members) categoriesOf(member, shapes, into, depth + 1);
      return;
    case 'unknown':
      for (const category of ALL_CATEGORIES) into.add(category);
      return;
    default:
      return;
  }
}

/** A shallow check (two levels deep) that `value` looks like `type`: enough to tell union members apart. */
function fits(value: unknown, type: WireType, shapes: Shapes, depth: number): boolean {
  const t = resolve(type, shapes);
  switch (t.kind) {
    case 'number':
    case 'string':
    case 'boolean':
    case 'bigint':
      return typeof value === t.kind;
    case 'literal':
      return value === t.value;
    case 'null':
      return value === null;
    case 'undefined':
    case 'void':
      return value === undefined;
    case 'unknown':
      return true;
    case 'date':
      return value instanceof Date;
    case 'bytes':
      return value instanceof Uint8Array;
    case 'set':
      return value instanceof Set;
    case 'map':
      return value instanceof Map;
    case 'enum':
      return t.members.some((member) => member.value === value);
    case 'union':
      return t.members.some((member) => fits(value, member, shapes, depth));
    case 'array':
      return Array.isArray(value) && (depth <= 0 || value.length === 0 || fits(value[0], t.element, shapes, depth - 1));
    case 'tuple': {
      if (!Array.isArray(value) || value.length > t.elements.length) return false;
      return t.elements.every((element, i) =>
        i >= value.length ? element.optional : depth <= 0 || (element.optional && value[i] === undefined) || fits(value[i], element.type, shapes, depth - 1),
      );
    }
    case 'object': {
      if (categoryOf(value) !== 'object') return false;
      const object = value as Plain;
      return t.properties.every((property) => {
        if (!(property.name in object) || object[property.name] === undefined) return property.optional;
        const inner = resolve(property.type, shapes);
        if (inner.kind === 'literal') return object[property.name] === inner.value;
        return depth <= 0 || fits(object[property.name], property.type, shapes, depth - 1) || (property.optional && object[property.name] === undefined);
      });
    }
    default:
      return false;
  }
}

/** The index of the member `value` belongs to, or -1. */
function picker(members: readonly MemberPlan[], discriminant: string | undefined, shapes: Shapes): (value: unknown) => number {
  const nullIndex = members.findIndex((member) => member.kind === 'null');
  const undefinedIndex = members.findIndex((member) => member.kind === 'undefined');
  const byCategory = new Map<Category, number[]>();
  const tags = new Map<unknown, number>();
  members.forEach((member, index) => {
    if (member.kind !== 'value') return;
    const categories = new Set<Category>();
    for (const type of member.types) {
      categoriesOf(type, shapes, categories);
      const t = resolve(type, shapes);
      if (discriminant !== undefined && t.kind === 'object') {
        const tag = t.properties.find((property) => property.name === discriminant);
        const tagType = tag === undefined ? undefined : resolve(tag.type, shapes);
        if (tagType?.kind === 'literal' && !tags.has(tagType.value)) tags.set(tagType.value, index);
      }
    }
    for (const category of categories) {
      const list = byCategory.get(category) ?? [];
      list.push(index);
      byCategory.set(category, list);
    }
  });
  const fitters = members.map((member) => (value: unknown) => member.types.some((type) => fits(value, type, shapes, 2)));
  return (value) => {
    if (value === null) return nullIndex;
    if (value === undefined) return undefinedIndex;
    const category = categoryOf(value);
    if (category === undefined) return -1;
    if (tags.size > 0 && category === 'object') {
      const tagged = tags.get((value as Plain)[discriminant as string]);
      if (tagged !== undefined) return tagged;
    }
    const candidates = byCategory.get(category);
    if (candidates === undefined) return -1;
    if (candidates.length === 1) return candidates[0] as number;
    for (const index of candidates) if ((fitters[index] as (value: unknown) => boolean)(value)) return index;
    return candidates[0] as number;
  };
}

// ---------------------------------------------------------------------------------------------
// Compilation.

/** A converter whose closures are filled in after it is registered, so recursive messages can refer to it. */
class LateMessage implements MessageConverter {
  encode: (value: unknown) => Plain = () => {
    throw new Error('message converter used before it was compiled');
  };
  decode: (message: unknown) => unknown = () => {
    throw new Error('message converter used before it was compiled');
  };
}

/** The converters of one service's messages, compiled on first use and kept. */
export class ProtoValues {
  readonly #descriptor: ProtoDescriptor;
  readonly #messages = new Map<string, LateMessage>();

  constructor(descriptor: ProtoDescriptor) {
    this.#descriptor = descriptor;
  }

  /** The converter of the message named `ref` (absolute, e.g. `.shop.Order`). */
  message(ref: string): MessageConverter {
    let converter = this.#messages.get(ref);
    if (converter !== undefined) return converter;
    const plan = this.#descriptor.messages.get(ref);
    if (plan === undefined) throw new Error(`no message ${ref} in the descriptor`);
    converter = new LateMessage();
    this.#messages.set(ref, converter);
    this.#compile(plan, converter);
    return converter;
  }

  /** The CALL payload: the argument array ↔ the request message (the stream parameter left out). */
  args(method: MethodPlan, streamParam: number | undefined): MessageConverter {
    const params = method.params.filter((param) => param.index !== streamParam);
    const access = params.map((param) => this.#field(param));
    const count = method.params.length;
    /** By position: how to read each argument, undefined for the stream parameter's slot. */
    const slots = method.params.map((param) => (param.index === streamParam ? undefined : this.#field(param)));
    return {
      encode: (args) => {
        if (!Array.isArray(args)) throw mismatch('an argument array', args);
        if (args.length > count) throw new ProtoValueError(`expected at most ${count} arguments, got ${args.length}`);
        const target: Plain = {};
        let i = 0;
        try {
          for (; i < params.length; i++) (access[i] as FieldAccess).put(target, args[(params[i] as FieldPlan & { index: number }).index]);
        } catch (error) {
          throw within(error, (params[i] as FieldPlan).label);
        }
        return target;
      },
      decode: (message) => {
        const source = message as Plain;
        const args: unknown[] = [];
        for (let i = 0; i < count; i++) args.push(slots[i]?.get(source));
        // Skipped trailing arguments stay skipped, as they were sent.
        while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
        return args;
      },
    };
  }

  /** One request-stream message: the request message with only the stream parameter's field. */
  streamMessage(method: MethodPlan, streamParam: number): MessageConverter {
    const param = method.params.find((p) => p.index === streamParam);
    if (param === undefined) throw new Error(`${method.rpc} has no parameter ${streamParam}`);
    const access = this.#field(param);
    return {
      encode: (value) => {
        const target: Plain = {};
        access.put(target, value);
        return target;
      },
      decode: (message) => access.get(message as Plain),
    };
  }

  /** A RESULT payload or a response-stream message: the response message's `value`. */
  result(method: MethodPlan): MessageConverter {
    const field = method.result;
    if (field === undefined) return { encode: () => ({}), decode: () => undefined };
    const access = this.#field(field);
    return {
      encode: (value) => {
        const target: Plain = {};
        access.put(target, value);
        return target;
      },
      decode: (message) => access.get(message as Plain),
    };
  }

  #compile(plan: MessagePlan, into: LateMessage): void {
    switch (plan.kind) {
      case 'object':
        return this.#object(plan, into);
      case 'tuple':
        return this.#tuple(plan.items, into);
      case 'box':
      case 'entry': {
        const fields = plan.kind === 'box' ? [plan.field] : [plan.key, plan.value];
        const access = fields.map((field) => this.#field(field));
        if (plan.kind === 'box') {
          const [value] = access as [FieldAccess];
          into.encode = (v) => {
            const target: Plain = {};
            value.put(target, v);
            return target;
          };
          into.decode = (message) => value.get((message ?? EMPTY) as Plain);
        } else {
          const [key, value] = access as [FieldAccess, FieldAccess];
          into.encode = (v) => {
            const [k, val] = v as [unknown, unknown];
            const target: Plain = {};
            key.put(target, k);
            value.put(target, val);
            return target;
          };
          into.decode = (message) => [key.get((message ?? EMPTY) as Plain), value.get((message ?? EMPTY) as Plain)];
        }
        return;
      }
      case 'union':
        return this.#union(plan.members, plan.discriminant, into);
    }
  }

  #object(plan: Extract<MessagePlan, { kind: 'object' }>, into: LateMessage): void {
    const fields = plan.fields;
    const access = fields.map((field) => this.#field(field));
    const keys = fields.map((field) => field.key);
    const count = fields.length;
    const listed = new Set(keys);
    const rest = plan.rest === undefined ? undefined : this.#restAccess(plan.rest, listed);
    into.encode = (value) => {
      if (categoryOf(value) !== 'object') throw mismatch('object', value);
      const source = value as Plain;
      const target: Plain = {};
      let i = 0;
      try {
        for (; i < count; i++) (access[i] as FieldAccess).put(target, source[keys[i] as string]);
      } catch (error) {
        throw within(error, propertySegment(keys[i] as string));
      }
      rest?.put(target, source);
      return target;
    };
    into.decode = (message) => {
      const source = (message ?? EMPTY) as Plain;
      const out: Plain = {};
      for (let i = 0; i < count; i++) {
        const value = (access[i] as FieldAccess).get(source);
        if (value !== undefined) setKey(out, keys[i] as string, value);
      }
      rest?.get(source, out);
      return out;
    };
  }

  /** The index signature: properties not listed travel as entries of the `map<string, V>` rest field. */
  #restAccess(field: FieldPlan, listed: ReadonlySet<string>): { put(target: Plain, source: Plain): void; get(source: Plain, out: Plain): void } {
    const conv = field.conv;
    if (conv.kind !== 'entries') throw new Error('the rest field is not a map');
    const key = this.#field(conv.key);
    const value = this.#field(conv.value);
    const proto = field.proto;
    return {
      put: (target, source) => {
        const entries: Plain[] = [];
        for (const k of Object.keys(source)) {
          if (listed.has(k)) continue;
          const entry: Plain = {};
          try {
            key.put(entry, k);
            value.put(entry, source[k]);
          } catch (error) {
            throw within(error, keySegment(k));
          }
          entries.push(entry);
        }
        if (entries.length > 0) target[proto] = entries;
      },
      get: (source, out) => {
        const entries = source[proto] as Plain[] | undefined;
        if (entries == null) return;
        for (const entry of entries) {
          const k = key.get(entry) as string;
          if (!listed.has(k)) setKey(out, k, value.get(entry));
        }
      },
    };
  }

  #tuple(items: readonly FieldPlan[], into: LateMessage): void {
    const access = items.map((item) => this.#field(item));
    const count = items.length;
    into.encode = (value) => {
      if (!Array.isArray(value)) throw mismatch('an array (a tuple)', value);
      const target: Plain = {};
      let i = 0;
      try {
        for (; i < count; i++) (access[i] as FieldAccess).put(target, value[i]);
      } catch (error) {
        throw within(error, indexSegment(i));
      }
      return target;
    };
    into.decode = (message) => {
      const source = (message ?? EMPTY) as Plain;
      const out: unknown[] = new Array(count);
      for (let i = 0; i < count; i++) out[i] = (access[i] as FieldAccess).get(source);
      // Optional trailing elements that were left out stay left out.
      let length = count;
      while (length > 0 && out[length - 1] === undefined && (items[length - 1] as FieldPlan).presence === 'optional') length--;
      out.length = length;
      return out;
    };
  }

  #union(plans: readonly MemberPlan[], discriminant: string | undefined, into: LateMessage): void {
    const pick = picker(plans, discriminant, this.#descriptor.shapes);
    const members = plans.map((plan) => ({
      proto: plan.proto,
      kind: plan.kind,
      converter: plan.conv === undefined ? undefined : this.#conv(plan.conv),
    }));
    into.encode = (value) => {
      const index = pick(value);
      const member = members[index];
      if (member === undefined) throw new ProtoValueError(`${describe(value)} is none of the union's members`);
      const target: Plain = {};
      target[member.proto] = member.converter === undefined ? true : member.converter.encode(value);
      return target;
    };
    into.decode = (message) => {
      if (message == null) return undefined;
      const source = message as Plain;
      for (const member of members) {
        if (!hasOwn(source, member.proto) || source[member.proto] == null) continue;
        if (member.kind === 'null') return null;
        if (member.kind === 'undefined') return undefined;
        return (member.converter as ValueConverter).decode(source[member.proto]);
      }
      return undefined;
    };
  }

  /** How one field is written into, and read out of, its message. */
  #field(plan: FieldPlan): FieldAccess {
    const proto = plan.proto;
    const conv = this.#conv(plan.conv);
    switch (plan.presence) {
      case 'implicit': {
        const scalar = conv as ScalarConverter;
        return {
          put: (target, value) => {
            if (value === undefined) return;
            const encoded = scalar.encode(value);
            if (!scalar.isDefault(encoded)) target[proto] = encoded;
          },
          get: (source) => {
            const raw = source[proto];
            return raw == null ? scalar.zero() : scalar.decode(raw);
          },
        };
      }
      case 'message':
        return {
          put: (target, value) => {
            if (value !== undefined) target[proto] = conv.encode(value);
          },
          get: (source) => conv.decode(source[proto] ?? EMPTY),
        };
      case 'repeated':
        return {
          put: (target, value) => {
            if (value === undefined) return;
            const encoded = conv.encode(value) as unknown[];
            if (encoded.length > 0) target[proto] = encoded;
          },
          get: (source) => conv.decode(source[proto] ?? []),
        };
      case 'optional':
        return {
          put: (target, value) => {
            if (value !== undefined) target[proto] = conv.encode(value);
          },
          get: (source) => {
            const raw = source[proto];
            return raw == null ? undefined : conv.decode(raw);
          },
        };
      case 'nullable':
        return {
          put: (target, value) => {
            if (value != null) target[proto] = conv.encode(value);
          },
          get: (source) => {
            const raw = source[proto];
            return raw == null ? null : conv.decode(raw);
          },
        };
    }
  }

  #conv(conv: Conv): ValueConverter {
    switch (conv.kind) {
      case 'message':
        return this.message(conv.message);
      case 'array':
      case 'set':
        return this.#repeated(conv.kind, this.#conv(conv.element));
      case 'entries':
        return this.#entries(conv.container, this.#field(conv.key), this.#field(conv.value));
      default:
        return SCALARS[conv.kind];
    }
  }

  #repeated(container: 'array' | 'set', element: ValueConverter): ValueConverter {
    const plain = (element as Partial<ScalarConverter>).identity === true;
    const encodeElements = (values: unknown[] | Iterable<unknown>): unknown[] => {
      // Scalars that need no conversion are only checked, and the array itself goes to protobufjs.
      if (plain && Array.isArray(values)) {
        for (let i = 0; i < values.length; i++) {
          try {
            element.encode(values[i]);
          } catch (error) {
            throw within(error, indexSegment(i));
          }
        }
        return values;
      }
      const out: unknown[] = [];
      let i = 0;
      for (const value of values) {
        try {
          out.push(element.encode(value));
        } catch (error) {
          throw within(error, indexSegment(i));
        }
        i++;
      }
      return out;
    };
    const decodeElements = (raw: unknown[]): unknown[] => {
      if (plain) return raw;
      const out = new Array<unknown>(raw.length);
      for (let i = 0; i < raw.length; i++) out[i] = element.decode(raw[i]);
      return out;
    };
    if (container === 'set') {
      return {
        encode: (value) => {
          if (!(value instanceof Set)) throw mismatch('Set', value);
          return encodeElements(value);
        },
        decode: (raw) => new Set(decodeElements(raw as unknown[])),
      };
    }
    return {
      encode: (value) => {
        if (!Array.isArray(value)) throw mismatch('array', value);
        return encodeElements(value);
      },
      decode: (raw) => decodeElements(raw as unknown[]),
    };
  }

  #entries(container: 'map' | 'record', key: FieldAccess, value: FieldAccess): ValueConverter {
    const entry = (k: unknown, v: unknown): Plain => {
      const target: Plain = {};
      try {
        key.put(target, k);
        value.put(target, v);
      } catch (error) {
        throw within(error, keySegment(k));
      }
      return target;
    };
    if (container === 'map') {
      return {
        encode: (map) => {
          if (!(map instanceof Map)) throw mismatch('Map', map);
          const out: Plain[] = [];
          for (const [k, v] of map) out.push(entry(k, v));
          return out;
        },
        decode: (raw) => {
          const map = new Map<unknown, unknown>();
          for (const item of raw as Plain[]) map.set(key.get(item), value.get(item));
          return map;
        },
      };
    }
    return {
      encode: (record) => {
        if (categoryOf(record) !== 'object') throw mismatch('an object (a record)', record);
        const source = record as Plain;
        const out: Plain[] = [];
        for (const k of Object.keys(source)) out.push(entry(k, source[k]));
        return out;
      },
      decode: (raw) => {
        const record: Plain = {};
        for (const item of raw as Plain[]) setKey(record, key.get(item) as string, value.get(item));
        return record;
      },
    };
  }
}
