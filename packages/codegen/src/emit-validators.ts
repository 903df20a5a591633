import { isIdentifier, quote } from './emit-types.js';
import type { DataType, Method, Property, Service, ServiceFile, TypeRef } from './model.js';

/**
 * Argument validators: straight-line generated checks, no reflection at call time.
 *
 * The rules, which the README repeats for users:
 * - A validator returns undefined when the positional arguments fit the declared types, else
 *   one message with a path: `points[2].x: expected number, got string`.
 * - More arguments than parameters is an error; fewer is fine when the missing ones are optional.
 * - Optional parameters and properties accept undefined or absence; nothing else accepts undefined.
 * - `number` is any JS number (NaN and Infinity included): the check is `typeof`, as in TypeScript.
 * - Unknown extra properties on objects are allowed and ignored, like protobuf's unknown fields,
 *   so a newer client can talk to an older server after a property was added.
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
  const dataTypes = new Map(file.dataTypes.map((d) => [d.name, d]));
  const reached = reachableTypes(file, dataTypes);
  const blocks = [
    ...file.dataTypes.filter((d) => reached.has(d.name)).map(emitChecker),
    ...file.services.flatMap((s) => s.methods.flatMap((m) => emitMethodValidators(s, m))),
  ];
  const usesTypeName = blocks.some((b) => b.includes(`${TYPE_NAME}(`));
  return usesTypeName ? [emitTypeNameHelper(), ...blocks] : blocks;
}

function emitTypeNameHelper(): string {
  return [
    `function ${TYPE_NAME}(value: unknown): string {`,
    "  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;",
    '}',
  ].join('\n');
}

/** Named types that some parameter needs checked, following references transitively. */
function reachableTypes(file: ServiceFile, dataTypes: ReadonlyMap<string, DataType>): Set<string> {
  const reached = new Set<string>();
  const visit = (type: TypeRef): void => {
    switch (type.kind) {
      case 'array':
        return visit(type.element);
      case 'nullable':
        return visit(type.inner);
      case 'object':
        return type.properties.forEach((p) => visit(p.type));
      case 'ref': {
        if (reached.has(type.name)) return;
        reached.add(type.name);
        const dataType = dataTypes.get(type.name);
        if (dataType?.kind === 'alias') visit(dataType.type);
        if (dataType?.kind === 'interface') dataType.properties.forEach((p) => visit(p.type));
        return;
      }
      default:
        return;
    }
  };
  for (const service of file.services) for (const method of service.methods) for (const param of method.params) visit(param.type);
  return reached;
}

function emitChecker(dataType: DataType): string {
  const scope = new Scope();
  const path: Path = [{ expr: 'path' }];
  const body =
    dataType.kind === 'alias'
      ? emitCheck(dataType.type, 'value', path, '  ', scope)
      : emitObject(dataType.properties, 'value', path, '  ', scope, dataType.name);
  return [
    `function ${checkerName(dataType.name)}(value: unknown, path: string): string | undefined {`,
    ...body,
    '  return undefined;',
    '}',
  ].join('\n');
}

function emitMethodValidators(service: Service, method: Method): string[] {
  const validator = emitMethodValidator(service, method);
  const stream = method.streamParam === undefined ? undefined : method.params[method.streamParam];
  return stream ? [validator, emitMessageValidator(service, method, stream.type)] : [validator];
}

function emitMethodValidator(service: Service, method: Method): string {
  const scope = new Scope();
  const count = method.params.length;
  const body = method.params.flatMap((p, i) =>
    i === method.streamParam
      ? [`  // ${p.name} travels as stream messages, checked one by one by ${messageValidatorName(service, method)}.`]
      : emitCheck(p.type, `args[${i}]`, [p.name], '  ', scope, p.optional),
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
function emitMessageValidator(service: Service, method: Method, type: TypeRef): string {
  return [
    `function ${messageValidatorName(service, method)}(message: unknown): string | undefined {`,
    ...emitCheck(type, 'message', [], '  ', new Scope()),
    '  return undefined;',
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

/** A failure test that fits in one `if`, for types checked by `typeof` or identity. */
function simpleCheck(type: TypeRef, value: string): { failed: string; expected: string } | undefined {
  switch (type.kind) {
    case 'number':
    case 'string':
    case 'boolean':
      return { failed: `typeof ${value} !== '${type.kind}'`, expected: type.kind };
    case 'null':
      return { failed: `${value} !== null`, expected: 'null' };
    case 'nullable': {
      const inner = simpleCheck(type.inner, value);
      return inner && { failed: `${value} !== null && ${inner.failed}`, expected: `${inner.expected} or null` };
    }
    default:
      return undefined;
  }
}

/** Statements that return a message when `value` does not fit `type`. */
function emitCheck(type: TypeRef, value: string, path: Path, indent: string, scope: Scope, optional = false): string[] {
  const simple = simpleCheck(type, value);
  if (simple) {
    const failed = optional ? `${value} !== undefined && ${simple.failed}` : simple.failed;
    return [`${indent}if (${failed}) return ${expectedMessage(path, simple.expected, value)};`];
  }
  if (optional) {
    return [`${indent}if (${value} !== undefined) {`, ...emitCheck(type, value, path, `${indent}  `, scope), `${indent}}`];
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
    return [`${indent}const ${local}: unknown = ${value};`, ...emitCheck(type, local, path, indent, scope)];
  }
  switch (type.kind) {
    case 'nullable':
      return [`${indent}if (${value} !== null) {`, ...emitCheck(type.inner, value, path, `${indent}  `, scope), `${indent}}`];
    case 'array': {
      const index = scope.fresh('i');
      return [
        `${indent}if (!Array.isArray(${value})) return ${expectedMessage(path, 'array', value)};`,
        `${indent}for (let ${index} = 0; ${index} < ${value}.length; ${index}++) {`,
        ...emitCheck(type.element, `${value}[${index}]`, [...path, '[', { expr: index }, ']'], `${indent}  `, scope),
        `${indent}}`,
      ];
    }
    case 'object':
      return emitObject(type.properties, value, path, indent, scope, 'object');
    default:
      throw new Error(`no validator for type kind '${type.kind}'`);
  }
}

function emitObject(
  properties: readonly Property[],
  value: string,
  path: Path,
  indent: string,
  scope: Scope,
  expected: string,
): string[] {
  const lines = [
    `${indent}if (typeof ${value} !== 'object' || ${value} === null || Array.isArray(${value})) return ${expectedMessage(path, expected, value)};`,
  ];
  if (properties.length === 0) return lines;
  const object = scope.fresh('o');
  lines.push(`${indent}const ${object} = ${value} as Record<string, unknown>;`);
  for (const property of properties) {
    const access = `${object}[${quote(property.name)}]`;
    const key = isIdentifier(property.name) ? `.${property.name}` : `[${quote(property.name)}]`;
    const propertyPath = [...path, path.length === 0 ? key.replace(/^\./, '') : key];
    if (!property.optional) {
      lines.push(`${indent}if (${access} === undefined) return ${literal(at(path, `missing property '${property.name}'`))};`);
    }
    lines.push(...emitCheck(property.type, access, propertyPath, indent, scope, property.optional));
  }
  return lines;
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
