import type { Declaration, Method, Param } from './model.js';


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

/** A copied declaration: the user's own text, exported so declaration emit works. */
export function renderDeclaration(declaration: Declaration): string {
  return declaration.text;
}

/** A type as the user wrote it, on one line unless comments inside need their line breaks. */
export function typeText(text: string): string {
  return text.includes('//') || text.includes('/*') ? text : text.replace(/\s*\n\s*/g, ' ');
}

/** `a: number, factor?: number, values: AsyncIterable<number>`, as the user declared them. */
export function renderParams(method: Method): string[] {
  return method.params.map((p, i) => `${p.name}${p.optional ? '?' : ''}: ${renderParamType(method, i)}`);
}

/** A parameter's type as declared: the stream parameter is `AsyncIterable<T>` of its message type. */
export function renderParamType(method: Method, index: number): string {
  const param = method.params[index];
  if (!param) throw new Error(`method '${method.name}' has no parameter ${index}`);
  const type = typeText(param.text);
  return index === method.streamParam ? `AsyncIterable<${type}>` : type;
}

/** Whether the method answers with a stream of messages rather than one value. */
export function returnsStream(method: Method): boolean {
  return method.kind === 'server-stream' || method.kind === 'bidi-stream';
}

/** What a client call gives back: `void` for one-way, `AsyncIterable<T>` for a stream, else `Promise<T>`. */
export function renderResult(method: Method): string {
  const value = typeText(method.returnText);
  if (method.kind === 'oneway') return 'void';
  return returnsStream(method) ? `AsyncIterable<${value}>` : `Promise<${value}>`;
}

/** `base`, or `base` with a suffix when a parameter already has that name. */
export function freeName(base: string, params: readonly Param[]): string {
  let name = base;
  while (params.some((p) => p.name === name)) name = `${name}_`;
  return name;
}
