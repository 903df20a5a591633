/**
 * The protobuf form of a service schema: a protobufjs JSON descriptor (what `protobuf.Root.fromJSON`
 * loads, and what the codegen prints as a `.proto` file), plus the plan the value converters in
 * `proto-values.ts` follow to turn JS values into the plain objects protobufjs encodes.
 *
 * The mapping rules are written down in docs/protocol.md ("protobuf codec"); the comments here
 * say how, that page says what.
 */
import type { IEnum, IField, INamespace, IOneOf, IService, IType } from 'protobufjs';
import type { ServiceSchema, WireType } from './schema.js';

/** The schema cannot be expressed in protobuf as it stands, e.g. two fields share a number. */
export class ProtoSchemaError extends Error {
  override readonly name = 'ProtoSchemaError';
}

/** The field number of the `map<string, V>` field that carries an index signature's extra properties. */
export const REST_FIELD_NUMBER = 262_143;
/** The largest field number protobuf allows. */
export const MAX_FIELD_NUMBER = 536_870_911;
/** Numbers protobuf reserves for its implementations. */
const RESERVED_FIRST = 19_000;
const RESERVED_LAST = 19_999;
/** Derived numbers fall in 1..262142 minus the reserved range: 261 142 numbers, all with tags of at most 3 bytes. */
const DERIVED_COUNT = 261_142;

/** FNV-1a, 32 bits, over the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The field number of a field without `@field`: FNV-1a of its name, mapped into 1..262142 so
 * that it skips 19000–19999. 262143 stays free for the rest map.
 */
export function derivedFieldNumber(name: string): number {
  const n = (fnv1a32(name) % DERIVED_COUNT) + 1;
  return n >= RESERVED_FIRST ? n + 1000 : n;
}

// ---------------------------------------------------------------------------------------------
// The plan: how each message's fields hold JS values. proto-values.ts compiles it into closures.

/** How one value becomes what protobufjs encodes (and back). */
export type Conv =
  /** A scalar: double, string, bool; bigint and date as sint64; bytes; `json` is unknown as JSON text; `enum` a numeric enum. */
  | { readonly kind: 'double' | 'string' | 'bool' | 'bigint' | 'date' | 'bytes' | 'json' | 'enum' }
  | { readonly kind: 'message'; readonly message: string }
  /** A repeated field; a Set decodes as a Set. */
  | { readonly kind: 'array' | 'set'; readonly element: Conv }
  /** Repeated key/value entries: a JS Map or a plain object (a Record or an index signature). */
  | { readonly kind: 'entries'; readonly container: 'map' | 'record'; readonly key: FieldPlan; readonly value: FieldPlan };

/**
 * What the absence of a field means. `implicit`: proto3 default (0, "", false…); `message`: the
 * empty message; `repeated`: the empty container; `optional`: undefined (the key is left out);
 * `nullable`: null.
 */
export type Presence = 'implicit' | 'message' | 'repeated' | 'optional' | 'nullable';

export interface FieldPlan {
  /** The proto field name: the key in the objects protobufjs encodes and decodes. */
  readonly proto: string;
  readonly number: number;
  readonly conv: Conv;
  readonly presence: Presence;
  /** The TypeScript name, or a position, for error messages. */
  readonly label: string;
}

export interface PropertyPlan extends FieldPlan {
  /** The JS property name. */
  readonly key: string;
}

export interface ParamPlan extends FieldPlan {
  /** The position in the argument array. */
  readonly index: number;
}

export interface MemberPlan {
  readonly proto: string;
  readonly number: number;
  /** `null` and `undefined` members are bool fields set to true. */
  readonly kind: 'value' | 'null' | 'undefined';
  /** For `value` members: how the value is held. */
  readonly conv: Conv | undefined;
  /** The TypeScript member types this field carries, for picking the member of a value. */
  readonly types: readonly WireType[];
}

export type MessagePlan =
  | { readonly kind: 'object'; readonly fields: readonly PropertyPlan[]; readonly rest: FieldPlan | undefined }
  | { readonly kind: 'tuple'; readonly items: readonly FieldPlan[] }
  /** A message of one field, `value = 1`: a value that needs presence or nesting a plain field lacks. */
  | { readonly kind: 'box'; readonly field: FieldPlan }
  /** A `oneof` of one field per member. */
  | { readonly kind: 'union'; readonly members: readonly MemberPlan[]; readonly discriminant: string | undefined }
  /** A key/value entry (of a map whose keys are not strings). */
  | { readonly kind: 'entry'; readonly key: FieldPlan; readonly value: FieldPlan };

export interface MethodPlan {
  /** The rpc name (the method name, first letter upper-cased). */
  readonly rpc: string;
  /** Absolute names of the request and response messages, e.g. `.calculator.CalculatorAddRequest`. */
  readonly request: string;
  readonly response: string;
  /** One field per parameter, stream parameter included. */
  readonly params: readonly ParamPlan[];
  /** The response's `value` field; undefined for `void`. */
  readonly result: FieldPlan | undefined;
}

export interface ProtoDescriptor {
  /** protobufjs JSON (`INamespace`): load with `protobuf.Root.fromJSON`. */
  readonly json: INamespace;
  readonly package: string;
  /** The service's absolute name, e.g. `.calculator.Calculator`. */
  readonly service: string;
  /** Keyed by the schema's method names. */
  readonly methods: Readonly<Record<string, MethodPlan>>;
  /** Keyed by absolute message name. Map entries of `map<string, V>` fields have no plan of their own. */
  readonly messages: ReadonlyMap<string, MessagePlan>;
  /** The schema's shapes, for resolving the types members carry. */
  readonly shapes: ServiceSchema['shapes'];
}

/** An rpc as protobufjs JSON has it. */
export interface RpcJson {
  readonly requestType: string;
  readonly responseType: string;
  readonly requestStream?: true;
  readonly responseStream?: true;
}

/**
 * The protobuf form of `schema`. Throws a ProtoSchemaError when the schema cannot be expressed,
 * most often because two fields of one message have the same number.
 */
export function protoDescriptor(schema: ServiceSchema): ProtoDescriptor {
  return new Builder(schema).build();
}

// ---------------------------------------------------------------------------------------------
// Names.

/** A proto identifier: characters other than letters, digits and `_` become `_`; a leading digit gets a `_`. */
export function protoIdent(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9_]/g, '_');
  return clean === '' || /^[0-9]/.test(clean) ? `_${clean}` : clean;
}

/** `HttpStatus` → `http_status`: `_` before an upper-case letter that follows a lower-case letter or digit, then lower-cased. */
export function snakeCase(name: string): string {
  return protoIdent(name)
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** protoc's rule for the nested entry type of a map field: `by_id` → `ById` + `Entry`. */
export function mapEntryName(field: string): string {
  let out = '';
  let capNext = true;
  for (const char of field) {
    if (char === '_') {
      capNext = true;
    } else if (capNext) {
      out += char >= 'a' && char <= 'z' ? char.toUpperCase() : char;
      capNext = false;
    } else {
      out += char;
    }
  }
  return `${out}Entry`;
}

/** protoc (proto3) rejects two fields of a message whose names are equal lower-cased without underscores. */
function jsonKey(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

const PROTO_PACKAGE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff;
}

function checkFieldNumber(number: number, where: string): void {
  if (!Number.isInteger(number) || number < 1 || number > MAX_FIELD_NUMBER || (number >= RESERVED_FIRST && number <= RESERVED_LAST)) {
    throw new ProtoSchemaError(
      `${where}: @field ${number} is not a usable protobuf field number (1 to ${MAX_FIELD_NUMBER}, not ${RESERVED_FIRST}–${RESERVED_LAST})`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// The builder.

type ScalarClass = 'string' | 'number' | 'boolean';

/** A type at a field, after refs to transparent shapes are followed and unions flattened. */
interface Norm {
  /** Members other than null and undefined. Refs to message and enum shapes stay refs. */
  readonly members: readonly WireType[];
  readonly hasNull: boolean;
  readonly hasUndefined: boolean;
  /** Every member is a string, number or boolean (or a literal of one): the field is that scalar. */
  readonly scalar: ScalarClass | undefined;
  readonly discriminant: string | undefined;
  /** Inline shapes followed to get here: building the field must not meet them again. */
  readonly expanded: readonly string[];
}

type ShapeInfo =
  /** Expanded where it is used: aliases of scalars, arrays, maps, `T | null`, literal unions, string enums. */
  | { readonly kind: 'inline' }
  /** A top-level message; `union` for a oneof wrapper (flattened when it is a member of another union). */
  | { readonly kind: 'message'; readonly name: string; readonly union: boolean }
  | { readonly kind: 'enum'; readonly name: string };

/** Where a value sits in its field: its proto type and how it converts. */
type Slot =
  | { readonly k: 'scalar'; readonly type: string; readonly conv: Conv }
  | { readonly k: 'message'; readonly type: string; readonly conv: Conv }
  | { readonly k: 'repeated'; readonly element: Slot; readonly conv: Conv }
  /** `map<string, V>`: repeated entries of a nested `map_entry` type named after the field. */
  | { readonly k: 'map'; readonly value: Slot; readonly conv: Conv }
  /** Repeated entry messages of a map with other keys. */
  | { readonly k: 'entries'; readonly type: string; readonly conv: Conv };

interface FieldSpec {
  readonly slot: Slot;
  readonly presence: Presence;
}

interface FieldInput {
  /** Error label and the name hashed for the number. */
  readonly label: string;
  /** The wanted proto name (made unique in the message). */
  readonly base: string;
  readonly number: number;
  readonly explicit: boolean;
  readonly spec: FieldSpec;
}

const SCALAR_TYPES: Readonly<Record<string, string>> = {
  double: 'double',
  string: 'string',
  bool: 'bool',
  bigint: 'sint64',
  date: 'sint64',
  bytes: 'bytes',
  json: 'string',
};

function scalarSlot(kind: 'double' | 'string' | 'bool' | 'bigint' | 'date' | 'bytes' | 'json'): Slot {
  return { k: 'scalar', type: SCALAR_TYPES[kind] as string, conv: { kind } };
}

function scalarClass(type: WireType): ScalarClass | undefined {
  switch (type.kind) {
    case 'string':
    case 'number':
    case 'boolean':
      return type.kind;
    case 'literal':
      return typeof type.value as ScalarClass;
    default:
      return undefined;
  }
}

function presenceOf(slot: Slot): Presence {
  return slot.k === 'scalar' ? 'implicit' : slot.k === 'message' ? 'message' : 'repeated';
}

class Builder {
  readonly #schema: ServiceSchema;
  readonly #prefix: string;
  /** Package-level names taken, and by what (for messages about clashes). */
  readonly #claimed = new Map<string, string>();
  readonly #types = new Map<string, IType | IEnum>();
  readonly #plans = new Map<string, MessagePlan>();
  readonly #infos = new Map<string, ShapeInfo>();
  readonly #inProgress = new Set<string>();
  readonly #built = new Set<string>();
  /** Inline shapes being expanded, to catch a type that contains itself without a message between. */
  readonly #expanding: string[] = [];

  constructor(schema: ServiceSchema) {
    this.#schema = schema;
    if (schema.package !== '' && !PROTO_PACKAGE.test(schema.package)) {
      throw new ProtoSchemaError(`'${schema.package}' is not a protobuf package name`);
    }
    this.#prefix = schema.package === '' ? '.' : `.${schema.package}.`;
  }

  build(): ProtoDescriptor {
    const schema = this.#schema;
    const service = protoIdent(schema.service);
    this.#claim(service, `service ${schema.service}`);
    const methodNames = Object.keys(schema.methods);
    const rpcs = new Map<string, string>();
    for (const name of methodNames) {
      const rpc = pascal(protoIdent(name));
      const other = rpcs.get(rpc);
      if (other !== undefined) throw new ProtoSchemaError(`${schema.service}: methods '${other}' and '${name}' both become rpc ${rpc}`);
      rpcs.set(rpc, name);
      this.#claim(`${service}${rpc}Request`, `the request message of ${schema.service}.${name}`);
      this.#claim(`${service}${rpc}Response`, `the response message of ${schema.service}.${name}`);
    }
    const shapeNames = Object.keys(schema.shapes).sort(compareText);
    for (const name of shapeNames) {
      const info = this.#shapeInfo(name);
      // An alias of another named shape shares its message; only the shape itself claims the name.
      if (info.kind !== 'inline' && info.name === protoIdent(name)) this.#claim(info.name, `shape ${name}`);
    }
    for (const name of shapeNames) this.#ensureShape(name);

    const methods: Record<string, MethodPlan> = {};
    const rpcJson: Record<string, RpcJson> = {};
    for (const name of methodNames) {
      const method = schema.methods[name];
      if (method === undefined) continue;
      const rpc = pascal(protoIdent(name));
      const requestName = `${service}${rpc}Request`;
      const responseName = `${service}${rpc}Response`;
      const label = `${schema.service}.${name}`;
      const inputs: FieldInput[] = method.params.map((param) => {
        if (param.field !== undefined) checkFieldNumber(param.field, `${label}, parameter ${param.name}`);
        return {
          label: param.name,
          base: protoIdent(param.name),
          number: param.field ?? derivedFieldNumber(param.name),
          explicit: param.field !== undefined,
          spec: this.#field(param.type, param.optional, `${requestName}_${protoIdent(param.name)}`),
        };
      });
      const requestFields = this.#emitMessage(requestName, inputs, `${requestName} (the parameters of ${label})`, 'parameter');
      const params = requestFields.map((field, index): ParamPlan => ({ ...field, index }));
      let result: FieldPlan | undefined;
      const returns = method.returns;
      if (returns.kind === 'void' || returns.kind === 'undefined') {
        this.#emitMessage(responseName, [], responseName, 'field');
      } else {
        const spec = this.#field(returns, false, `${responseName}_value`);
        [result] = this.#emitMessage(responseName, [{ label: 'value', base: 'value', number: 1, explicit: false, spec }], responseName, 'field');
      }
      const kind = method.kind;
      rpcJson[rpc] = {
        requestType: this.#ref(requestName),
        responseType: this.#ref(responseName),
        ...((kind === 'client-stream' || kind === 'bidi-stream') && { requestStream: true }),
        ...((kind === 'server-stream' || kind === 'bidi-stream') && { responseStream: true }),
      };
      methods[name] = { rpc, request: this.#ref(requestName), response: this.#ref(responseName), params, result };
    }

    // protobufjs types IMethod with a required `comment`; fromJSON needs none.
    const nested: Record<string, IType | IEnum | IService> = { [service]: { methods: rpcJson } as unknown as IService };
    for (const name of [...this.#types.keys()].sort(compareText)) nested[name.slice(this.#prefix.length)] = this.#types.get(name) as IType | IEnum;
    let json: INamespace = { nested };
    for (const part of schema.package.split('.').reverse()) {
      if (part !== '') json = { nested: { [part]: json } };
    }
    return { json, package: schema.package, service: this.#ref(service), methods, messages: this.#plans, shapes: schema.shapes };
  }

  #ref(name: string): string {
    return `${this.#prefix}${name}`;
  }

  #claim(name: string, what: string): void {
    const other = this.#claimed.get(name);
    if (other !== undefined) throw new ProtoSchemaError(`${what} and ${other} would both be named ${name} in package '${this.#schema.package}'`);
    this.#claimed.set(name, what);
  }

  /** A fresh package-level name for a generated message: `path`, or `path_2`, `path_3`… if taken. */
  #derive(path: string): string {
    let name = path;
    for (let n = 2; this.#claimed.has(name); n++) name = `${path}_${n}`;
    this.#claimed.set(name, `the message generated for ${path}`);
    return name;
  }

  #shape(name: string): WireType {
    const type = this.#schema.shapes[name];
    if (type === undefined) throw new ProtoSchemaError(`${this.#schema.service}: the schema refers to a shape '${name}' it does not define`);
    return type;
  }

  #shapeInfo(name: string): ShapeInfo {
    const known = this.#infos.get(name);
    if (known !== undefined) return known;
    if (this.#inProgress.has(name)) {
      throw new ProtoSchemaError(
        `type ${name} contains itself without passing through a named object, tuple or union; protobuf cannot express it (give the recursive part a name)`,
      );
    }
    this.#inProgress.add(name);
    const type = this.#shape(name);
    let info: ShapeInfo;
    switch (type.kind) {
      case 'ref':
        info = this.#shapeInfo(type.name);
        break;
      case 'object':
        info = type.properties.length === 0 && type.rest !== undefined ? { kind: 'inline' } : { kind: 'message', name: protoIdent(name), union: false };
        break;
      case 'tuple':
        info = { kind: 'message', name: protoIdent(name), union: false };
        break;
      case 'enum': {
        const values = type.members.map((member) => member.value);
        if (values.every((value) => typeof value === 'number')) {
          info = values.length > 0 && values.every(isInt32) ? { kind: 'enum', name: protoIdent(name) } : { kind: 'inline' };
        } else if (values.every((value) => typeof value === 'string')) {
          info = { kind: 'inline' };
        } else {
          info = { kind: 'message', name: protoIdent(name), union: true };
        }
        break;
      }
      case 'union': {
        const norm = this.#norm(type);
        info = norm.scalar !== undefined || norm.members.length <= 1 ? { kind: 'inline' } : { kind: 'message', name: protoIdent(name), union: true };
        break;
      }
      default:
        info = { kind: 'inline' };
    }
    this.#inProgress.delete(name);
    this.#infos.set(name, info);
    return info;
  }

  /** Builds the message or enum of a named shape, once. */
  #ensureShape(name: string): void {
    const info = this.#shapeInfo(name);
    if (info.kind === 'inline' || this.#built.has(info.name)) return;
    this.#built.add(info.name);
    let type = this.#shape(name);
    while (type.kind === 'ref') type = this.#shape(type.name);
    if (info.kind === 'enum') {
      if (type.kind === 'enum') this.#enum(info.name, name, type.members);
      return;
    }
    switch (type.kind) {
      case 'object':
        this.#object(info.name, type);
        return;
      case 'tuple':
        this.#tuple(info.name, type.elements);
        return;
      default:
        this.#union(info.name, this.#norm(type));
    }
  }

  /** Follows refs to inline shapes and flattens unions; refs to message and enum shapes stay. */
  #norm(type: WireType): Norm {
    const members: WireType[] = [];
    const seen = new Set<string>();
    const expanded: string[] = [];
    let hasNull = false;
    let hasUndefined = false;
    let unknown = false;
    const add = (member: WireType, inUnion: boolean): void => {
      switch (member.kind) {
        case 'null':
          hasNull = true;
          return;
        case 'undefined':
        case 'void':
          hasUndefined = true;
          return;
        case 'unknown':
          unknown = true;
          return;
        case 'union':
          for (const inner of member.members) add(inner, true);
          return;
        case 'enum':
          for (const inner of member.members) add({ kind: 'literal', value: inner.value }, true);
          return;
        case 'ref': {
          const info = this.#shapeInfo(member.name);
          if (info.kind === 'inline' || (inUnion && info.kind === 'message' && info.union)) {
            if (!expanded.includes(member.name)) expanded.push(member.name);
            this.#expand(member.name, () => add(this.#shape(member.name), inUnion));
            return;
          }
          break;
        }
      }
      const key = JSON.stringify(member);
      if (!seen.has(key)) {
        seen.add(key);
        members.push(member);
      }
    };
    add(type, false);
    const discriminant = type.kind === 'union' ? type.discriminant : undefined;
    if (unknown) return { members: [{ kind: 'unknown' }], hasNull: false, hasUndefined: false, scalar: undefined, discriminant, expanded };
    const first = members[0] === undefined ? undefined : scalarClass(members[0]);
    const scalar = first !== undefined && members.every((member) => scalarClass(member) === first) ? first : undefined;
    return { members, hasNull, hasUndefined, scalar, discriminant, expanded };
  }

  /** Runs `body` with inline `shapes` marked as being expanded; meeting one again inside is a type that contains itself. */
  #expand<T>(shapes: string | readonly string[], body: () => T): T {
    const names = typeof shapes === 'string' ? [shapes] : shapes;
    for (const shape of names) {
      if (this.#expanding.includes(shape)) {
        throw new ProtoSchemaError(
          `type ${shape} contains itself without passing through a named object, tuple or union; protobuf cannot express it (give the recursive part a name)`,
        );
      }
    }
    this.#expanding.push(...names);
    try {
      return body();
    } finally {
      this.#expanding.length -= names.length;
    }
  }

  /** Whether `type` (one member, no null) becomes a repeated or map field, which has no presence and cannot be a oneof member. */
  #isContainer(type: WireType): boolean {
    switch (type.kind) {
      case 'array':
      case 'set':
      case 'map':
        return true;
      case 'object':
        return type.properties.length === 0 && type.rest !== undefined;
      case 'ref':
        return this.#shapeInfo(type.name).kind === 'inline' && this.#expand(type.name, () => this.#isContainer(this.#shape(type.name)));
      default:
        return false;
    }
  }

  /**
   * A field of `type`. `path` names the messages generated for it (`<Message>_<field>`).
   * Undefined is the field's absence; null is absence too when undefined is not possible, and a
   * `null` member of a oneof wrapper when it is.
   */
  #field(type: WireType, optional: boolean, path: string): FieldSpec {
    const norm = this.#norm(type);
    return this.#expand(norm.expanded, () => this.#fieldOf(norm, optional, path));
  }

  #fieldOf(norm: Norm, optional: boolean, path: string): FieldSpec {
    const [only] = norm.members;
    if (only?.kind === 'unknown') return { slot: scalarSlot('json'), presence: 'implicit' };
    const undef = optional || norm.hasUndefined;
    if (norm.scalar !== undefined || (only !== undefined && norm.members.length === 1)) {
      const member: WireType = norm.scalar !== undefined ? { kind: norm.scalar } : (only as WireType);
      if (undef && norm.hasNull) return { slot: this.#wrapper(path, norm), presence: 'optional' };
      if (!undef && !norm.hasNull) {
        const slot = this.#slot(member, path);
        return { slot, presence: presenceOf(slot) };
      }
      const presence: Presence = norm.hasNull ? 'nullable' : 'optional';
      return { slot: this.#isContainer(member) ? this.#box(member, path) : this.#slot(member, path), presence };
    }
    return { slot: this.#wrapper(path, norm), presence: undef ? 'optional' : 'message' };
  }

  /** A repeated element or map value: plain when it can be, otherwise a wrapper or a box. */
  #element(type: WireType, path: string): Slot {
    const norm = this.#norm(type);
    const [only] = norm.members;
    if (only?.kind === 'unknown') return scalarSlot('json');
    if (norm.scalar === undefined && norm.members.length !== 1) return this.#expand(norm.expanded, () => this.#wrapper(path, norm));
    const member: WireType = norm.scalar !== undefined ? { kind: norm.scalar } : (only as WireType);
    if (!norm.hasNull && !norm.hasUndefined && !this.#isContainer(member)) return this.#expand(norm.expanded, () => this.#slot(member, path));
    // Three states (value, null, undefined): the oneof wrapper has a member for each.
    if (norm.hasNull && norm.hasUndefined) return this.#expand(norm.expanded, () => this.#wrapper(path, norm));
    // The box's own field follows the same refs again, so it is built outside the guard.
    return this.#box(type, path);
  }

  /** One value that is not null or undefined: a scalar, an enum, a message or a container. */
  #slot(type: WireType, path: string): Slot {
    switch (type.kind) {
      case 'number':
        return scalarSlot('double');
      case 'string':
        return scalarSlot('string');
      case 'boolean':
        return scalarSlot('bool');
      case 'literal':
        return scalarSlot(typeof type.value === 'string' ? 'string' : typeof type.value === 'number' ? 'double' : 'bool');
      case 'bigint':
        return scalarSlot('bigint');
      case 'date':
        return scalarSlot('date');
      case 'bytes':
        return scalarSlot('bytes');
      case 'unknown':
        return scalarSlot('json');
      case 'ref': {
        const info = this.#shapeInfo(type.name);
        if (info.kind === 'inline') return this.#expand(type.name, () => this.#slot(this.#shape(type.name), path));
        this.#ensureShape(type.name);
        const ref = this.#ref(info.name);
        return info.kind === 'enum' ? { k: 'scalar', type: ref, conv: { kind: 'enum' } } : { k: 'message', type: ref, conv: { kind: 'message', message: ref } };
      }
      case 'object': {
        if (type.properties.length === 0 && type.rest !== undefined) return this.#stringMap(type.rest, 'record', path);
        const name = this.#derive(path);
        this.#object(name, type);
        return this.#messageSlot(name);
      }
      case 'tuple': {
        const name = this.#derive(path);
        this.#tuple(name, type.elements);
        return this.#messageSlot(name);
      }
      case 'array':
      case 'set': {
        const element = this.#element(type.element, `${path}_item`);
        return { k: 'repeated', element, conv: { kind: type.kind, element: element.conv } };
      }
      case 'map': {
        const keys = this.#norm(type.key);
        if (keys.scalar === 'string' && !keys.hasNull && !keys.hasUndefined) return this.#stringMap(type.value, 'map', path);
        const name = this.#derive(`${path}_entry`);
        const [key, value] = this.#emitMessage(
          name,
          [
            { label: 'key', base: 'key', number: 1, explicit: false, spec: this.#field(type.key, false, `${name}_key`) },
            { label: 'value', base: 'value', number: 2, explicit: false, spec: this.#field(type.value, false, `${name}_value`) },
          ],
          name,
          'field',
        ) as [FieldPlan, FieldPlan];
        this.#plans.set(this.#ref(name), { kind: 'entry', key, value });
        return { k: 'entries', type: this.#ref(name), conv: { kind: 'entries', container: 'map', key, value } };
      }
      default: {
        // A union (or enum) that reached here without being normalized at a field.
        const norm = this.#norm(type);
        if (norm.scalar !== undefined) return this.#slot({ kind: norm.scalar }, path);
        if (norm.members.length === 1 && !norm.hasNull && !norm.hasUndefined) return this.#slot(norm.members[0] as WireType, path);
        return this.#wrapper(path, norm);
      }
    }
  }

  #messageSlot(name: string): Slot {
    const ref = this.#ref(name);
    return { k: 'message', type: ref, conv: { kind: 'message', message: ref } };
  }

  #stringMap(valueType: WireType, container: 'map' | 'record', path: string): Slot {
    const value = this.#element(valueType, `${path}_value`);
    const key: FieldPlan = { proto: 'key', number: 1, conv: { kind: 'string' }, presence: 'implicit', label: 'key' };
    const valuePlan: FieldPlan = { proto: 'value', number: 2, conv: value.conv, presence: presenceOf(value), label: 'value' };
    return { k: 'map', value, conv: { kind: 'entries', container, key, value: valuePlan } };
  }

  /** A message of one field `value = 1` holding `type`. */
  #box(type: WireType, path: string): Slot {
    const name = this.#derive(path);
    const spec = this.#field(type, false, `${name}_value`);
    const [field] = this.#emitMessage(name, [{ label: 'value', base: 'value', number: 1, explicit: false, spec }], name, 'field');
    this.#plans.set(this.#ref(name), { kind: 'box', field: field as FieldPlan });
    return this.#messageSlot(name);
  }

  /** The oneof wrapper of a union, generated at `path`, unless the union is a named shape. */
  #wrapper(path: string, norm: Norm): Slot {
    const name = this.#derive(path);
    this.#union(name, norm);
    return this.#messageSlot(name);
  }

  #object(name: string, type: Extract<WireType, { kind: 'object' }>): void {
    const inputs: FieldInput[] = type.properties.map((property) => {
      if (property.field !== undefined) checkFieldNumber(property.field, `${name}.${property.name}`);
      return {
        label: property.name,
        base: protoIdent(property.name),
        number: property.field ?? derivedFieldNumber(property.name),
        explicit: property.field !== undefined,
        spec: this.#field(property.type, property.optional, `${name}_${protoIdent(property.name)}`),
      };
    });
    if (type.rest !== undefined) {
      inputs.push({
        label: '[key: string] (index signature)',
        base: '_rest',
        number: REST_FIELD_NUMBER,
        explicit: false,
        spec: { slot: this.#stringMap(type.rest, 'record', `${name}_rest`), presence: 'repeated' },
      });
    }
    const fields = this.#emitMessage(name, inputs, name, 'property');
    const rest = type.rest === undefined ? undefined : fields.pop();
    this.#plans.set(this.#ref(name), {
      kind: 'object',
      fields: fields.map((field, i) => ({ ...field, key: (type.properties[i] as { name: string }).name })),
      rest,
    });
  }

  #tuple(name: string, elements: Extract<WireType, { kind: 'tuple' }>['elements']): void {
    const inputs = elements.map(
      (element, i): FieldInput => ({
        label: `[${i}]`,
        base: `item_${i}`,
        number: i + 1,
        explicit: false,
        spec: this.#field(element.type, element.optional, `${name}_item_${i}`),
      }),
    );
    this.#plans.set(this.#ref(name), { kind: 'tuple', items: this.#emitMessage(name, inputs, name, 'field') });
  }

  #union(name: string, norm: Norm): void {
    interface Draft {
      base: string;
      kind: MemberPlan['kind'];
      types: WireType[];
      slot: (path: string) => { readonly type: string; readonly conv: Conv } | undefined;
    }
    const drafts: Draft[] = [];
    const byKey = new Map<string, Draft>();
    const group = (key: string, base: string, type: WireType, slot: Draft['slot']): void => {
      const known = byKey.get(key);
      if (known !== undefined) {
        known.types.push(type);
        return;
      }
      const draft: Draft = { base, kind: 'value', types: [type], slot };
      byKey.set(key, draft);
      drafts.push(draft);
    };
    norm.members.forEach((member, index) => {
      const cls = scalarClass(member);
      if (cls !== undefined) {
        group(cls, cls, member, (path) => this.#member({ kind: cls }, path));
        return;
      }
      switch (member.kind) {
        case 'bigint':
        case 'date':
        case 'bytes':
          group(member.kind, member.kind, member, (path) => this.#member(member, path));
          return;
        case 'ref': {
          const info = this.#shapeInfo(member.name);
          group(`ref:${info.kind === 'inline' ? member.name : info.name}`, snakeCase(member.name), member, (path) => this.#member(member, path));
          return;
        }
        case 'object': {
          let base = member.properties.length === 0 && member.rest !== undefined ? 'record' : 'object';
          const tag = norm.discriminant === undefined ? undefined : member.properties.find((p) => p.name === norm.discriminant)?.type;
          if (base === 'object' && tag?.kind === 'literal') base = snakeCase(String(tag.value));
          group(`object:${index}`, base, member, (path) => this.#member(member, path));
          return;
        }
        default:
          group(`${member.kind}:${index}`, member.kind, member, (path) => this.#member(member, path));
      }
    });
    if (norm.hasNull) drafts.push({ base: 'null', kind: 'null', types: [{ kind: 'null' }], slot: () => undefined });
    if (norm.hasUndefined) drafts.push({ base: 'undefined', kind: 'undefined', types: [{ kind: 'undefined' }], slot: () => undefined });

    // Names: unique, also in protoc's case- and underscore-blind sense, and never the oneof's own name.
    const exact = new Set(['value']);
    const keys = new Set(['value']);
    const names = drafts.map((draft) => {
      let candidate = draft.base;
      for (let n = 2; exact.has(candidate) || keys.has(jsonKey(candidate)); n++) candidate = `${draft.base}_${n}`;
      exact.add(candidate);
      keys.add(jsonKey(candidate));
      return candidate;
    });
    // Numbers: the name's hash; on a clash (between generated names) the next free number, in name order.
    const numbers = new Map<string, number>();
    const used = new Set<number>();
    for (const memberName of [...names].sort(compareText)) {
      let number = derivedFieldNumber(memberName);
      while (used.has(number)) {
        number = number >= REST_FIELD_NUMBER - 1 ? 1 : number + 1;
        if (number === RESERVED_FIRST) number = RESERVED_LAST + 1;
      }
      used.add(number);
      numbers.set(memberName, number);
    }
    const fields: Record<string, IField> = {};
    const members: MemberPlan[] = drafts.map((draft, i) => {
      const proto = names[i] as string;
      const number = numbers.get(proto) as number;
      const slot = draft.slot(`${name}_${proto}`);
      fields[proto] = { type: slot === undefined ? 'bool' : slot.type, id: number };
      return { proto, number, kind: draft.kind, conv: slot?.conv, types: draft.types };
    });
    const json: IType = { fields };
    if (names.length > 0) json.oneofs = { value: { oneof: [...names] } };
    this.#types.set(this.#ref(name), json);
    this.#plans.set(this.#ref(name), { kind: 'union', members, discriminant: norm.discriminant });
  }

  /** A oneof member: a scalar or message as it is; a container in a box. */
  #member(type: WireType, path: string): { readonly type: string; readonly conv: Conv } {
    const slot = this.#isContainer(type) ? this.#box(type, path) : this.#slot(type, path);
    if (slot.k !== 'scalar' && slot.k !== 'message') throw new Error(`unreachable: a oneof member became ${slot.k}`);
    return slot;
  }

  #enum(name: string, shape: string, members: readonly { readonly name: string; readonly value: string | number }[]): void {
    const prefix = snakeCase(name).toUpperCase();
    const values: Record<string, number> = {};
    const keys = new Set<string>();
    const add = (memberName: string, value: number): void => {
      const base = `${prefix}_${snakeCase(memberName).toUpperCase()}`;
      let candidate = base;
      for (let n = 2; keys.has(jsonKey(candidate)) || this.#claimed.has(candidate); n++) candidate = `${base}_${n}`;
      keys.add(jsonKey(candidate));
      this.#claimed.set(candidate, `a value of enum ${shape}`);
      values[candidate] = value;
    };
    const zero = members.find((member) => member.value === 0);
    if (zero === undefined) add('UNSPECIFIED', 0);
    else add(zero.name, 0);
    for (const member of members) if (member !== zero) add(member.name, member.value as number);
    const numbers = Object.values(values);
    const json: IEnum = { values };
    if (new Set(numbers).size !== numbers.length) json.options = { allow_alias: true };
    this.#types.set(this.#ref(name), json);
  }

  /**
   * Checks numbers, picks unique names, and records the message's JSON. Returns the field plans
   * in input order.
   */
  #emitMessage(name: string, inputs: readonly FieldInput[], label: string, noun: 'property' | 'parameter' | 'field'): FieldPlan[] {
    const byNumber = new Map<number, FieldInput>();
    for (const input of inputs) {
      const other = byNumber.get(input.number);
      if (other !== undefined) {
        const fix =
          input.number === REST_FIELD_NUMBER
            ? `field number ${REST_FIELD_NUMBER} is the index signature's; give ${noun} '${other.explicit ? other.label : input.label}' another @field`
            : `add a \`@field N\` JSDoc tag with a free number to one of them`;
        throw new ProtoSchemaError(`${label}: ${noun} '${other.label}' and ${noun} '${input.label}' both have field number ${input.number}; ${fix}`);
      }
      byNumber.set(input.number, input);
    }
    const ref = this.#ref(name);
    const exact = new Set(['__proto__']);
    const keys = new Set<string>();
    const fields: Record<string, IField> = {};
    const oneofs: Record<string, IOneOf> = {};
    const nested: Record<string, IType> = {};
    const plans = inputs.map((input): FieldPlan => {
      const isMap = input.spec.slot.k === 'map';
      let proto = input.base;
      for (let n = 1; ; n++) {
        const free = !exact.has(proto) && !keys.has(jsonKey(proto)) && !(isMap && exact.has(mapEntryName(proto)));
        if (free) break;
        proto = n === 1 ? `${input.base}_${input.number}` : `${input.base}_${input.number}_${n}`;
      }
      exact.add(proto);
      keys.add(jsonKey(proto));
      const { slot, presence } = input.spec;
      let field: IField;
      switch (slot.k) {
        case 'scalar':
        case 'message':
          field = { type: slot.type, id: input.number };
          if (slot.k === 'scalar' && (presence === 'optional' || presence === 'nullable')) {
            field.options = { proto3_optional: true };
            oneofs[`_${proto}`] = { oneof: [proto] };
          }
          break;
        case 'repeated':
          field = { rule: 'repeated', type: (slot.element as { type: string }).type, id: input.number };
          break;
        case 'map': {
          const entry = mapEntryName(proto);
          exact.add(entry);
          nested[entry] = {
            options: { map_entry: true },
            fields: { key: { type: 'string', id: 1 }, value: { type: (slot.value as { type: string }).type, id: 2 } },
          };
          field = { rule: 'repeated', type: `${ref}.${entry}`, id: input.number };
          break;
        }
        case 'entries':
          field = { rule: 'repeated', type: slot.type, id: input.number };
          break;
      }
      fields[proto] = field;
      return { proto, number: input.number, conv: slot.conv, presence, label: input.label };
    });
    const json: IType = { fields };
    if (Object.keys(oneofs).length > 0) json.oneofs = oneofs;
    if (Object.keys(nested).length > 0) json.nested = nested;
    this.#types.set(ref, json);
    return plans;
  }
}

/** Code-point order, the same everywhere (no locale). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
