import type { DataType, Method, Param, Property, Service, TypeRef } from './model.js';

/** Inline object types longer than this go on several lines. */
const MAX_INLINE_OBJECT = 80;

/** A JSDoc block for `doc`, one line when it fits on one; nothing when there is no doc. */
export function docComment(doc: string | undefined, indent = ''): string[] {
  if (doc === undefined) return [];
  const lines = doc.split('\n');
  if (lines.length === 1) return [`${indent}/** ${doc} */`];
  return [`${indent}/**`, ...lines.map((line) => (line ? `${indent} * ${line}` : `${indent} *`)), `${indent} */`];
}

/** A property name as TypeScript source: bare when it is an identifier, quoted otherwise. */
export function propertyKey(name: string): string {
  return isIdentifier(name) ? name : quote(name);
}

export function isIdentifier(text: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(text);
}

/** A single-quoted string literal. */
export function quote(text: string): string {
  return `'${text.replace(/[\\']/g, '\\$&').replace(/\n/g, '\\n')}'`;
}

/** A type as TypeScript source; `indent` is where a multi-line object literal's lines start. */
export function renderType(type: TypeRef, indent = ''): string {
  switch (type.kind) {
    case 'number':
    case 'string':
    case 'boolean':
    case 'null':
    case 'void':
      return type.kind;
    case 'ref':
      return type.name;
    case 'nullable':
      return `${renderType(type.inner, indent)} | null`;
    case 'array': {
      const element = renderType(type.element, indent);
      return type.element.kind === 'nullable' ? `(${element})[]` : `${element}[]`;
    }
    case 'object':
      return renderObject(type.properties, indent);
  }
}

function renderObject(properties: readonly Property[], indent: string): string {
  if (properties.length === 0) return '{}';
  const inline = `{ ${properties.map((p) => renderProperty(p, indent)).join('; ')} }`;
  if (inline.length <= MAX_INLINE_OBJECT && properties.every((p) => p.doc === undefined)) return inline;
  return `{\n${renderMembers(properties, `${indent}  `).join('\n')}\n${indent}}`;
}

function renderProperty(p: Property, indent: string): string {
  return `${p.readonly ? 'readonly ' : ''}${propertyKey(p.name)}${p.optional ? '?' : ''}: ${renderType(p.type, indent)}`;
}

/** Properties as the lines of an interface body or object literal type. */
function renderMembers(properties: readonly Property[], indent: string): string[] {
  return properties.flatMap((p) => [...docComment(p.doc, indent), `${indent}${renderProperty(p, indent)};`]);
}

/** A data type re-declared in the generated file, always exported so declaration emit works. */
export function renderDataType(dataType: DataType): string {
  const doc = docComment(dataType.doc);
  if (dataType.kind === 'alias') return [...doc, `export type ${dataType.name} = ${renderType(dataType.type)};`].join('\n');
  if (dataType.properties.length === 0) return [...doc, `export interface ${dataType.name} {}`].join('\n');
  return [...doc, `export interface ${dataType.name} {`, ...renderMembers(dataType.properties, '  '), '}'].join('\n');
}

/** `a: number, factor?: number, values: AsyncIterable<number>`, as the user declared them. */
export function renderParams(method: Method): string[] {
  return method.params.map((p, i) => `${p.name}${p.optional ? '?' : ''}: ${renderParamType(method, i)}`);
}

/** A parameter's type as declared: the stream parameter is `AsyncIterable<T>` of its message type. */
export function renderParamType(method: Method, index: number): string {
  const param = method.params[index];
  if (!param) throw new Error(`method '${method.name}' has no parameter ${index}`);
  const type = renderType(param.type, '  ');
  return index === method.streamParam ? `AsyncIterable<${type}>` : type;
}

/** Whether the method answers with a stream of messages rather than one value. */
export function returnsStream(method: Method): boolean {
  return method.kind === 'server-stream' || method.kind === 'bidi-stream';
}

/** What a client call gives back: `void` for one-way, `AsyncIterable<T>` for a stream, else `Promise<T>`. */
export function renderResult(method: Method): string {
  const value = renderType(method.returns, '  ');
  if (method.kind === 'oneway') return 'void';
  return returnsStream(method) ? `AsyncIterable<${value}>` : `Promise<${value}>`;
}

/** The service interface as the user wrote it; the client class implements it. */
export function renderServiceInterface(service: Service): string {
  const methods = service.methods.flatMap((m) => [
    ...docComment(m.doc, '  '),
    `  ${m.name}(${renderParams(m).join(', ')}): ${renderResult(m)};`,
  ]);
  return [...docComment(service.doc), `export interface ${service.name} {`, ...methods, '}'].join('\n');
}

/** `base`, or `base` with a suffix when a parameter already has that name. */
export function freeName(base: string, params: readonly Param[]): string {
  let name = base;
  while (params.some((p) => p.name === name)) name = `${name}_`;
  return name;
}
