import { describe, expect, it } from 'vitest';
import { parseServiceFile } from './parse.js';

function parse(text: string) {
  return parseServiceFile({ path: 'services/x.ts', text });
}

function messages(text: string): string[] {
  return parse(text).diagnostics.map((d) => d.message);
}

describe('parseServiceFile', () => {
  it('turns services and data types into the model, in source order, with docs', () => {
    const { file, diagnostics } = parse(`
/** A point. */
export interface Point { x: number; label?: string; tags: Array<string | null> }
type Id = string;
/** Math. */
export interface Calc {
  /** Adds. */
  add(a: number, b?: Id): Promise<number>;
  reset(): Promise<void>;
  log(line: string): void;
}
`);
    expect(diagnostics).toEqual([]);
    expect(file).toEqual({
      source: 'services/x.ts',
      dataTypes: [
        {
          kind: 'interface',
          name: 'Point',
          doc: 'A point.',
          properties: [
            { name: 'x', type: { kind: 'number' }, optional: false, readonly: false, doc: undefined },
            { name: 'label', type: { kind: 'string' }, optional: true, readonly: false, doc: undefined },
            {
              name: 'tags',
              type: { kind: 'array', element: { kind: 'nullable', inner: { kind: 'string' } } },
              optional: false,
              readonly: false,
              doc: undefined,
            },
          ],
        },
        { kind: 'alias', name: 'Id', doc: undefined, type: { kind: 'string' } },
      ],
      services: [
        {
          name: 'Calc',
          doc: 'Math.',
          methods: [
            {
              name: 'add',
              doc: 'Adds.',
              kind: 'unary',
              params: [
                { name: 'a', type: { kind: 'number' }, optional: false },
                { name: 'b', type: { kind: 'ref', name: 'Id' }, optional: true },
              ],
              returns: { kind: 'number' },
            },
            { name: 'reset', doc: undefined, kind: 'unary', params: [], returns: { kind: 'void' } },
            {
              name: 'log',
              doc: undefined,
              kind: 'oneway',
              params: [{ name: 'line', type: { kind: 'string' }, optional: false }],
              returns: { kind: 'void' },
            },
          ],
        },
      ],
    });
  });

  it('supports nested object literals and types that refer to each other', () => {
    const { file } = parse(`
export interface Tree { value: number; children: Tree[]; meta: { owner: Owner | null } }
export interface Owner { name: string }
export interface Trees { grow(tree: Tree): Promise<Tree> }
`);
    expect(file?.dataTypes.map((d) => d.name)).toEqual(['Tree', 'Owner']);
    const tree = file?.dataTypes[0];
    expect(tree?.kind === 'interface' && tree.properties[2]?.type).toEqual({
      kind: 'object',
      properties: [
        { name: 'owner', type: { kind: 'nullable', inner: { kind: 'ref', name: 'Owner' } }, optional: false, readonly: false, doc: undefined },
      ],
    });
  });

  it('tells the stream kinds apart and records which parameter is the stream', () => {
    const { file, diagnostics } = parse(`
export interface Point { x: number }
export interface Streams {
  countdown(from: number): AsyncIterable<number>;
  total(label: string, values: (AsyncIterable<Point | null>), limit?: number): Promise<number>;
  upload(chunks: AsyncIterable<string>): Promise<void>;
  echo(lines: AsyncIterable<string>): AsyncIterable<string[]>;
}
`);
    expect(diagnostics).toEqual([]);
    const methods = file?.services[0]?.methods.map(({ name, kind, streamParam, params, returns }) => ({ name, kind, streamParam, params, returns }));
    expect(methods).toEqual([
      { name: 'countdown', kind: 'server-stream', streamParam: undefined, params: [{ name: 'from', type: { kind: 'number' }, optional: false }], returns: { kind: 'number' } },
      {
        name: 'total',
        kind: 'client-stream',
        streamParam: 1,
        params: [
          { name: 'label', type: { kind: 'string' }, optional: false },
          { name: 'values', type: { kind: 'nullable', inner: { kind: 'ref', name: 'Point' } }, optional: false },
          { name: 'limit', type: { kind: 'number' }, optional: true },
        ],
        returns: { kind: 'number' },
      },
      { name: 'upload', kind: 'client-stream', streamParam: 0, params: [{ name: 'chunks', type: { kind: 'string' }, optional: false }], returns: { kind: 'void' } },
      {
        name: 'echo',
        kind: 'bidi-stream',
        streamParam: 0,
        params: [{ name: 'lines', type: { kind: 'string' }, optional: false }],
        returns: { kind: 'array', element: { kind: 'string' } },
      },
    ]);
  });

  it('points at the offending node, 1-based, with the source line', () => {
    const [d] = parse('export interface S {\n  subscribe(cb: () => void): Promise<void>;\n}\n').diagnostics;
    expect(d).toMatchObject({
      file: 'services/x.ts',
      line: 2,
      column: 17,
      length: 10,
      sourceLine: '  subscribe(cb: () => void): Promise<void>;',
      message: "parameter 'cb' has a function type, which cannot be sent over the wire",
    });
  });

  it('reports every problem in a file, not just the first, and gives no model', () => {
    const result = parse(`
export interface S {
  a(x: any): Promise<void>;
  b(): number;
  c(...xs: number[]): void;
}`);
    expect(result.file).toBeUndefined();
    expect(result.diagnostics.map((d) => d.line)).toEqual([3, 4, 5]);
  });

  it.each([
    ['one-way streams', 'export interface S { s(v: AsyncIterable<number>): void }', "method 's' takes a stream ('v') but returns void; a one-way call cannot carry a stream"],
    ['two streams', 'export interface S { s(a: AsyncIterable<number>, b: AsyncIterable<string>): Promise<void> }', "method 's' takes more than one stream ('a' and 'b'); a call carries at most one stream each way"],
    ['optional streams', 'export interface S { s(v?: AsyncIterable<number>): Promise<void> }', "stream parameter 'v' is optional, which is not supported"],
    ['streams in objects', 'export interface S { s(v: { n: AsyncIterable<number> }): Promise<void> }', "property 'n' has a stream ('AsyncIterable<number>') inside another type; only a whole parameter or a method's whole result can be a stream"],
    ['streams in arrays', 'export interface S { s(v: AsyncIterable<number>[]): Promise<void> }', "parameter 'v' has a stream ('AsyncIterable<number>') inside another type; only a whole parameter or a method's whole result can be a stream"],
    ['streams in unions', 'export interface S { s(v: AsyncIterable<number> | null): Promise<void> }', "parameter 'v' has a stream ('AsyncIterable<number>') inside another type; only a whole parameter or a method's whole result can be a stream"],
    ['streams of streams', 'export interface S { s(): AsyncIterable<AsyncIterable<number>> }', "each message of 's' has a stream ('AsyncIterable<number>') inside another type; only a whole parameter or a method's whole result can be a stream"],
    ['stream aliases', 'export type N = AsyncIterable<number>;\nexport interface S { s(v: N): Promise<void> }', "type alias 'N' is a stream type; a stream must be written in the method itself"],
    ['streams in unions of results', 'export interface S { s(): AsyncIterable<number> | null }', "method 's' returns 'AsyncIterable<number> | null', a stream inside another type; a stream must be the whole result"],
    ['promised streams', 'export interface S { s(): Promise<AsyncIterable<number>> }', "method 's' returns 'Promise<AsyncIterable<number>>'; a stream is returned as it is, not in a Promise"],
    ['streams of void', 'export interface S { s(v: AsyncIterable<void>): Promise<void> }', "each message of parameter 'v' has type 'void'; a stream carries values"],
    ['stream messages of unsupported types', 'export interface S { s(): AsyncIterable<bigint> }', "each message of 's' has type 'bigint', which is not supported yet"],
    ['stream messages of type undefined', 'export interface S { s(v: AsyncIterable<undefined>): Promise<void> }', "each message of parameter 'v' has type 'undefined', which is not supported"],
    ['async generators', 'export interface S { s(): AsyncGenerator<number, void> }', "method 's' returns 'AsyncGenerator<number, void>'; streams are declared as AsyncIterable<T>"],
    ['readable streams', 'export interface S { s(v: ReadableStream<string>): Promise<void> }', "parameter 'v' has type 'ReadableStream<string>'; streams are declared as AsyncIterable<T>"],
    ['streams with return types', 'export interface S { s(): AsyncIterable<number, void> }', "method 's' returns 'AsyncIterable<number, void>'; a stream takes one type argument, the type of its messages"],
    ['clashing generated names', 'export interface S { t(v: AsyncIterable<number>): Promise<void>; tMessage(): void }', "method 'tMessage' clashes with method 't': both would generate the function 'validateSTMessage'"],
    ['unknown', 'export interface S { s(v: unknown): void }', "parameter 'v' has type 'unknown', which cannot be checked when it arrives"],
    ['bigint', 'export interface S { s(v: bigint): void }', "parameter 'v' has type 'bigint', which is not supported yet"],
    ['unions', 'export interface S { s(v: string | number): void }', "parameter 'v' has a union type, which is not supported yet (only 'T | null' is)"],
    ['undefined', 'export interface S { s(v: string | undefined): void }', "parameter 'v' has type 'undefined', which is not supported"],
    ['Date', 'export interface S { s(v: Date): void }', "parameter 'v' has type 'Date', which is not supported yet"],
    ['Map', 'export interface S { s(v: Map<string, number>): void }', "parameter 'v' has type 'Map<string, number>', which is not supported yet"],
    ['tuples', 'export interface S { s(v: [number]): void }', "parameter 'v' has a tuple type, which is not supported yet"],
    ['rest parameters', 'export interface S { s(...v: number[]): void }', 'rest parameters are not supported: arguments travel as a positional array'],
    ['other results', 'export interface S { s(): string }', "method 's' returns 'string'; a method must return Promise<T> (a call with a reply), AsyncIterable<T> (a stream) or void (one-way)"],
    ['imports', "import { P } from './p.js';\nexport interface S { s(v: P): void }", "parameter 'v' has type 'P', which is imported from another file; imported types are not supported yet"],
    ['undeclared names', 'export interface S { s(v: Nowhere): void }', "parameter 'v' has type 'Nowhere', which is not declared in this file"],
    ['functions in data', 'export interface S { s(v: D): void }\ntype D = { f: () => void };', "property 'f' has a function type, which cannot be sent over the wire"],
    ['literal types', "export interface S { s(v: 'a'): void }", "parameter 'v' has a literal type, which is not supported yet"],
    ['services as data', 'export interface S { s(v: S): void }', "parameter 'v' has type 'S', which is a service and cannot be sent over the wire"],
    ['overloads', 'export interface S { s(): void; s(a: number): void }', "method 's' is declared more than once; overloads are not supported"],
    ['names the generated file takes', 'export interface Channel { id: string }\nexport interface S { s(c: Channel): void }', "the name 'Channel' is taken: the generated file imports it from @conduit/runtime"],
    ['mixed interfaces', 'export interface S { id: string; s(): void }\nexport interface T { t(): void }', "interface 'S' mixes properties and methods; a service has only methods, a data type only properties"],
    ['files without a service', 'export interface P { x: number }', 'no service found: a service is an exported interface whose members are all methods'],
  ])('reports %s', (_, text, message) => {
    expect(messages(text)).toContain(message);
  });
});
