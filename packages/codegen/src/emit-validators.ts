import { isIdentifier, quote } from './emit-types.js';
import type { WireProperty } from '@conduit/runtime';
import type { Method, Service, ServiceFile, Shape, TypeRef } from './model.js';
import { reachableShapes } from './shape-reach.js';

/**
 * Argument validators: straight-line generated checks, no reflection at call time.
 *
 * The rules, which the README repeats for users:
 * - A validator returns undefined when the positional arguments fit the declared types, else
 *   one message with a path: `points[2].x: expected number, got string`.
 * - More arguments than parameters is an error; fewer is fine when the missing ones are optional.
 * - Optional parameters and properties accept undefined or absence; nothing else accepts undefined.
 * - `number` is any JS number (NaN and Infinity included): the check is `typeof`, as in TypeScript.
 *   `bigint` is typeof bigint; `Date` is a valid Date (not NaN); `Uint8Array` includes Buffer.
 * - Unknown extra properties on objects are allowed and ignored, like protobuf's unknown fields,
 *   so a newer client can talk to an older server after a property was added. An index
 *   signature (`Record<string, T>`, `[key: string]: T`) makes every extra property a T.
 * - A union is checked by first picking the member the value can only be (by typeof, Array,
 *   Map, Set, Date, Uint8Array, or a discriminated union's discriminant), then checking it whole.
 * - `unknown`/`any` marked `@unchecked` are not checked at all.
 * - Each named data type gets one `check<Name>` function that method validators call, so shared
 *   and recursive types cost one function each.
 * - A stream parameter's slot in the arguments is not checked: its values travel as stream
 *   messages, and the runtime hands the handler the stream in its place. Each incoming message is
 *   checked by the method's message validator, with paths relative to the message (`x: …`, or
 *   just `expected number, got string`).
 */

/** The generated helper that names a value's kind in messages: 'null', 'array', or its typeof. */
const TYPE_NAME = 'typeName';

/** Part of a message path: literal text, or a JS expression spliced in at run time. */
type PathPart = string | { readonly expr: string };
type Path = readonly PathPart[];

export function validatorName(service: Service, method: Method): string {
  return `validate${service.name}${method.name.charAt(0).toUpperCase()}${method.name.slice(1)}`;
}

/** client-stream and bidi-stream: the function that checks one incoming stream message. */
export function messageValidatorName(service: Service, method: Method): string {
  return `${validatorName(service, method)}Message`;
}

export function checkerName(typeName: string): string {
  return `check${typeName}`;
}

/**
 * The validator section: the `typeName` helper, one checker per named data type the parameters
 * reach, and one validator per method (followed by its message validator when it takes a stream),
 * in source order.
 */
export function emitValidators(file: ServiceFile): string[] {
  const emitter = new ValidatorEmitter(file.shapes);
  const reached = emitter.reachable(file.services.flatMap((s) => s.methods.flatMap((m) => m.params.map((p) => p.type))));
  const blocks = [
    ...file.shapes.filter((shape) => reached.has(shape.name) && emitter.needsChecker(shape)).map((shape) => emitter.checker(shape)),
    ...file.services.flatMap((s) => s.methods.flatMap((m) => emitter.methodValidators(s, m))),
  ];
  const usesTypeName = blocks.some((b) => b.includes(`${TYPE_NAME}(`));
  return usesTypeName ? [emitTypeNameHelper(), ...blocks] : blocks;
}

function emitTypeNameHelper(): string {
  return [
    `function ${TYPE_NAME}(value: unknown): string {`,
    "  if (value === null) return 'null';",
    "  if (typeof value !== 'object') return typeof value;",
    "  if (Array.isArray(value)) return 'array';",
    "  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'invalid Date' : 'Date';",
    "  if (value instanceof Uint8Array) return 'Uint8Array';",
    "  return value instanceof Map ? 'Map' : value instanceof Set ? 'Set' : 'object';",
    '}',
  ].join('\n');
}


function expectedCount(count: number): string {
  if (count === 0) return 'no arguments';
  return `at most ${count} argument${count === 1 ? '' : 's'}`;
}

/** Fresh local names within one generated function, numbered in emission order. */
class Scope {
  #next = 0;
  fresh(prefix: string): string {
    this.#next += 1;
    return `${prefix}${this.#next}`;
  }
}

/** A literal as TypeScript source and as users read it in messages. */
function literalSource(value: string | number | boolean): string {
  return typeof value === 'string' ? quote(value) : String(value);
}

/** Emits the checks for one file's types; knows the named shapes so references can be inlined or called. */
class ValidatorEmitter {
  readonly #shapes: ReadonlyMap<string, Shape>;

  constructor(shapes: readonly Shape[]) {
    this.#shapes = new Map(shapes.map((s) => [s.name, s]));
  }

  /** Named shapes that checking these types reaches, following references transitively. */
  reachable(roots: readonly TypeRef[]): Set<string> {
    return new Set(reachableShapes(roots, this.#shapes).keys());
  }

  /** Enums are checked inline (a few comparisons); other shapes get a `check<Name>` function. */
  needsChecker(shape: Shape): boolean {
    return shape.type.kind !== 'enum';
  }

  checker(shape: Shape): string {
    const scope = new Scope();
    const path: Path = [{ expr: 'path' }];
    const body =
      shape.type.kind === 'object'
        ? this.#object(shape.type.properties, shape.type.rest, 'value', path, '  ', scope, shape.display)
        : this.#check(shape.type, 'value', path, '  ', scope);
    return [
      `function ${checkerName(shape.name)}(value: unknown, path: string): string | undefined {`,
      ...body,
      '  return undefined;',
      '}',
    ].join('\n');
  }

  methodValidators(service: Service, method: Method): string[] {
    const validator = this.#methodValidator(service, method);
    const stream = method.streamParam === undefined ? undefined : method.params[method.streamParam];
    return stream ? [validator, this.#messageValidator(service, method, stream.type)] : [validator];
  }

  #methodValidator(service: Service, method: Method): string {
    const scope = new Scope();
    const count = method.params.length;
    const body = method.params.flatMap((p, i) =>
      i === method.streamParam
        ? [`  // ${p.name} travels as stream messages, checked one by one by ${messageValidatorName(service, method)}.`]
        : this.#check(p.type, `args[${i}]`, [p.name], '  ', scope, p.optional),
    );
    return [
      `function ${validatorName(service, method)}(args: readonly unknown[]): string | undefined {`,
      `  if (args.length > ${count}) return \`expected ${expectedCount(count)}, got \${args.length}\`;`,
      ...body,
      '  return undefined;',
      '}',
    ].join('\n');
  }

  /** Checks one stream message; the message is the root of the path, so paths name no parameter. */
  #messageValidator(service: Service, method: Method, type: TypeRef): string {
    return [
      `function ${messageValidatorName(service, method)}(message: unknown): string | undefined {`,
      ...this.#check(type, 'message', [], '  ', new Scope()),
      '  return undefined;',
      '}',
    ].join('\n');
  }

  /** What a message calls the type: `number`, `Point`, `'a' or 'b'`. */
  #describe(type: TypeRef): string {
    switch (type.kind) {
      case 'literal':
        return literalSource(type.value);
      case 'ref': {
        const shape = this.#shapes.get(type.name);
        if (shape?.type.kind === 'enum') return `${shape.display} (${this.#describe(shape.type)})`;
        return shape?.display ?? type.name;
      }
      case 'array':
        return 'array';
      case 'tuple':
        return `tuple of ${type.elements.length}`;
      case 'object':
        return 'object';
      case 'map':
        return 'Map';
      case 'set':
        return 'Set';
      case 'date':
        return 'Date';
      case 'bytes':
        return 'Uint8Array';
      case 'union':
        return [...new Set(type.members.map((m) => this.#describe(m)))].join(' or ');
      case 'enum':
        return type.members.map((m) => literalSource(m.value)).join(' or ');
      default:
        return type.kind;
    }
  }

  /** A failure test that fits in one `if`: types checked by typeof, identity or instanceof. */
  #simple(type: TypeRef, value: string): string | undefined {
    switch (type.kind) {
      case 'number':
      case 'string':
      case 'boolean':
      case 'bigint':
        return `typeof ${value} !== '${type.kind}'`;
      case 'null':
        return `${value} !== null`;
      case 'undefined':
        return `${value} !== undefined`;
      case 'literal':
        return `${value} !== ${literalSource(type.value)}`;
      case 'date':
        return `!(${value} instanceof Date && !Number.isNaN(${value}.getTime()))`;
      case 'bytes':
        return `!(${value} instanceof Uint8Array)`;
      case 'enum':
        return type.members.map((m) => `${value} !== ${literalSource(m.value)}`).join(' && ');
      case 'ref': {
        const shape = this.#shapes.get(type.name);
        return shape?.type.kind === 'enum' ? this.#simple(shape.type, value) : undefined;
      }
      case 'union': {
        const parts = type.members.map((m) => this.#simple(m, value));
        if (parts.some((p) => p === undefined)) return undefined;
        return parts.map((p) => (type.members.length > 1 ? `(${p})` : p)).join(' && ');
      }
      default:
        return undefined;
    }
  }

  /** Statements that return a message when `value` does not fit `type`. */
  #check(type: TypeRef, value: string, path: Path, indent: string, scope: Scope, optional = false): string[] {
    if (type.kind === 'unknown') return [];
    const simple = this.#simple(type, value);
    if (simple !== undefined) {
      const failed = optional ? `${value} !== undefined && ${type.kind === 'union' ? `(${simple})` : simple}` : simple;
      return [`${indent}if (${failed}) return ${expectedMessage(path, this.#describe(type), value)};`];
    }
    if (optional) {
      return [`${indent}if (${value} !== undefined) {`, ...this.#check(type, value, path, `${indent}  `, scope), `${indent}}`];
    }
    if (type.kind === 'ref') {
      const error = scope.fresh('e');
      // A checker puts its path before a separator (`${path}: …`, `${path}.x: …`); at a stream
      // message's root the path is empty and the separator goes.
      const result = path.length === 0 ? `${error}.replace(/^(?:: |\\.)/, '')` : error;
      return [
        `${indent}const ${error} = ${checkerName(type.name)}(${value}, ${literal(path)});`,
        `${indent}if (${error} !== undefined) return ${result};`,
      ];
    }
    // Composite checks narrow the value, which TypeScript only does for plain identifiers.
    if (!isIdentifier(value)) {
      const local = scope.fresh('v');
      return [`${indent}const ${local}: unknown = ${value};`, ...this.#check(type, local, path, indent, scope)];
    }
    const inner = `${indent}  `;
    switch (type.kind) {
      case 'array': {
        const index = scope.fresh('i');
        return [
          `${indent}if (!Array.isArray(${value})) return ${expectedMessage(path, 'array', value)};`,
          `${indent}for (let ${index} = 0; ${index} < ${value}.length; ${index}++) {`,
          ...this.#check(type.element, `${value}[${index}]`, [...path, '[', { expr: index }, ']'], inner, scope),
          `${indent}}`,
        ];
      }
      case 'tuple': {
        const required = type.elements.filter((e) => !e.optional).length;
        const count = type.elements.length;
        const lines = [
          `${indent}if (!Array.isArray(${value})) return ${expectedMessage(path, this.#describe(type), value)};`,
          required === count
            ? `${indent}if (${value}.length !== ${count}) return ${literal(at(path, `expected ${count} elements, got `, { expr: `${value}.length` }))};`
            : `${indent}if (${value}.length < ${required} || ${value}.length > ${count}) return ${literal(at(path, `expected ${required} to ${count} elements, got `, { expr: `${value}.length` }))};`,
        ];
        type.elements.forEach((e, i) => lines.push(...this.#check(e.type, `${value}[${i}]`, [...path, `[${i}]`], indent, scope, e.optional)));
        return lines;
      }
      case 'map': {
        const key = scope.fresh('k');
        const item = scope.fresh('x');
        return [
          `${indent}if (!(${value} instanceof Map)) return ${expectedMessage(path, 'Map', value)};`,
          `${indent}for (const [${key}, ${item}] of ${value}) {`,
          // Key and value problems both point at the entry: `tags["a"]`, `scores[3]`.
          ...this.#check(type.key, key, [...path, '[', { expr: keyText(key) }, ']'], inner, scope),
          ...this.#check(type.value, item, [...path, '[', { expr: keyText(key) }, ']'], inner, scope),
          `${indent}}`,
        ];
      }
      case 'set': {
        const item = scope.fresh('x');
        const index = scope.fresh('n');
        // A Set has no indexes: an element is named by its place in iteration order, `[2]`.
        return [
          `${indent}if (!(${value} instanceof Set)) return ${expectedMessage(path, 'Set', value)};`,
          `${indent}let ${index} = 0;`,
          `${indent}for (const ${item} of ${value}) {`,
          ...this.#check(type.element, item, [...path, '[', { expr: index }, ']'], inner, scope),
          `${indent}  ${index}++;`,
          `${indent}}`,
        ];
      }
      case 'object':
        return this.#object(type.properties, type.rest, value, path, indent, scope, 'object');
      case 'union':
        return this.#union(type, value, path, indent, scope);
      default:
        throw new Error(`no validator for type kind '${type.kind}'`);
    }
  }

  /**
   * Picks the one member the value can be, then checks it whole. Members are told apart by
   * typeof and class; object members by the discriminant, or as the only object member.
   */
  #union(type: Extract<TypeRef, { kind: 'union' }>, value: string, path: Path, indent: string, scope: Scope): string[] {
    const lines: string[] = [];
    const objects: TypeRef[] = [];
    let first = true;
    const branch = (test: string, member: TypeRef) => {
      lines.push(`${indent}${first ? '' : '} else '}if (${test}) {`, ...this.#check(member, value, path, `${indent}  `, scope));
      first = false;
    };
    const fits = type.members.map((m) => this.#simple(m, value)).filter((s) => s !== undefined);
    if (fits.length > 0) {
      // Members checked in one comparison: a value that fits one of them is done.
      lines.push(`${indent}if (!(${fits.map((f) => (fits.length > 1 ? `(${f})` : f)).join(' && ')})) {`, `${indent}  // fits`);
      first = false;
    }
    for (const member of type.members) {
      const resolved = member.kind === 'ref' ? this.#shapes.get(member.name)?.type ?? member : member;
      if (this.#simple(member, value) !== undefined) continue;
      switch (resolved.kind) {
        case 'array':
        case 'tuple':
          branch(`Array.isArray(${value})`, member);
          break;
        case 'map':
          branch(`${value} instanceof Map`, member);
          break;
        case 'set':
          branch(`${value} instanceof Set`, member);
          break;
        case 'unknown':
          branch('true', member);
          break;
        default:
          objects.push(member);
      }
    }
    const isObject = `typeof ${value} === 'object' && ${value} !== null && !Array.isArray(${value})`;
    const discriminant = type.discriminant;
    if (objects.length === 1 && objects[0] !== undefined) {
      branch(isObject, objects[0]);
    } else if (objects.length > 1 && discriminant !== undefined) {
      const tag = scope.fresh('d');
      lines.push(`${indent}${first ? '' : '} else '}if (${isObject}) {`, `${indent}  const ${tag} = (${value} as Record<string, unknown>)[${quote(discriminant)}];`);
      first = false;
      const tagPath = [...path, propertyStep(path, discriminant)];
      const values: string[] = [];
      objects.forEach((member, i) => {
        const property = this.#objectOf(member)?.properties.find((p) => p.name === discriminant);
        const literals = property === undefined ? [] : literalsOf(property.type);
        values.push(...literals.map(literalSource));
        const test = literals.map((v) => `${tag} === ${literalSource(v)}`).join(' || ');
        lines.push(`${indent}  ${i === 0 ? '' : '} else '}if (${test}) {`, ...this.#check(member, value, path, `${indent}    `, scope));
      });
      lines.push(`${indent}  } else {`, `${indent}    return ${expectedMessage(tagPath, values.join(' or '), tag)};`, `${indent}  }`);
    }
    lines.push(`${indent}} else {`, `${indent}  return ${expectedMessage(path, this.#describe(type), value)};`, `${indent}}`);
    return lines;
  }

  #objectOf(type: TypeRef): Extract<TypeRef, { kind: 'object' }> | undefined {
    const resolved = type.kind === 'ref' ? this.#shapes.get(type.name)?.type : type;
    return resolved?.kind === 'object' ? resolved : undefined;
  }

  #object(properties: readonly WireProperty[], rest: TypeRef | undefined, value: string, path: Path, indent: string, scope: Scope, expected: string): string[] {
    const lines = [
      `${indent}if (typeof ${value} !== 'object' || ${value} === null || Array.isArray(${value})) return ${expectedMessage(path, expected, value)};`,
    ];
    const checked = properties.some((p) => p.type.kind !== 'unknown' || (!p.optional && !acceptsUndefined(p.type)));
    if (!checked && (rest === undefined || rest.kind === 'unknown')) return lines;
    const object = scope.fresh('o');
    lines.push(`${indent}const ${object} = ${value} as Record<string, unknown>;`);
    for (const property of properties) {
      const access = `${object}[${quote(property.name)}]`;
      const propertyPath = [...path, propertyStep(path, property.name)];
      if (!property.optional && !acceptsUndefined(property.type)) {
        lines.push(`${indent}if (${access} === undefined) return ${literal(at(path, `missing property '${property.name}'`))};`);
      }
      lines.push(...this.#check(property.type, access, propertyPath, indent, scope, property.optional));
    }
    if (rest !== undefined && rest.kind !== 'unknown') {
      const key = scope.fresh('k');
      const known = properties.map((p) => `${key} === ${quote(p.name)}`);
      lines.push(
        `${indent}for (const ${key} of Object.keys(${object})) {`,
        ...(known.length > 0 ? [`${indent}  if (${known.join(' || ')}) continue;`] : []),
        ...this.#check(rest, `${object}[${key}]`, [...path, '[', { expr: `JSON.stringify(${key})` }, ']'], `${indent}  `, scope),
        `${indent}}`,
      );
    }
    return lines;
  }
}

function acceptsUndefined(type: TypeRef): boolean {
  return type.kind === 'undefined' || type.kind === 'unknown' || (type.kind === 'union' && type.members.some(acceptsUndefined));
}

function literalsOf(type: TypeRef): (string | number | boolean)[] {
  if (type.kind === 'literal') return [type.value];
  if (type.kind === 'union') return type.members.flatMap(literalsOf);
  return [];
}

/**
 * How paths name a Map entry: its key as JavaScript would write it, `["a"]` or `[3]`. The protobuf
 * codec names entries, record keys and Set elements the same way, so a caller sees one dialect.
 */
function keyText(key: string): string {
  return `typeof ${key} === 'string' ? JSON.stringify(${key}) : String(${key})`;
}

function propertyStep(path: Path, name: string): string {
  const key = isIdentifier(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
  return path.length === 0 ? key.replace(/^\./, '') : key;
}

function expectedMessage(path: Path, expected: string, value: string): string {
  return literal(at(path, `expected ${expected}, got `, { expr: `${TYPE_NAME}(${value})` }));
}

/** A message about the value at `path`; an empty path is a stream message itself, named by nothing. */
function at(path: Path, ...message: PathPart[]): Path {
  return path.length === 0 ? message : [...path, ': ', ...message];
}

/** A string literal for the path parts: single-quoted when static and simple, else a template. */
function literal(parts: Path): string {
  if (parts.every((p) => typeof p === 'string')) {
    const text = parts.join('');
    if (!/['\\\n]/.test(text)) return `'${text}'`;
  }
  if (parts.length === 1 && typeof parts[0] === 'object') return parts[0].expr;
  const body = parts.map((p) => (typeof p === 'string' ? p.replace(/[`\\]|\$\{/g, (m) => `\\${m}`) : `\${${p.expr}}`)).join('');
  return `\`${body}\``;
}
