import { describe, expect, it } from 'vitest';
import { docComment, freeName, propertyKey, renderDataType, renderServiceInterface, renderType } from './emit-types.js';

describe('renderType', () => {
  it('writes arrays, nullables and references as TypeScript', () => {
    expect(renderType({ kind: 'array', element: { kind: 'ref', name: 'Point' } })).toBe('Point[]');
    expect(renderType({ kind: 'array', element: { kind: 'nullable', inner: { kind: 'number' } } })).toBe('(number | null)[]');
    expect(renderType({ kind: 'nullable', inner: { kind: 'array', element: { kind: 'string' } } })).toBe('string[] | null');
  });

  it('keeps short object types on one line and quotes non-identifier keys', () => {
    const type = { kind: 'object', properties: [{ name: 'content-type', type: { kind: 'string' }, optional: true, readonly: true }] } as const;
    expect(renderType(type)).toBe("{ readonly 'content-type'?: string }");
  });

  it('spreads documented object types over several lines', () => {
    const type = { kind: 'object', properties: [{ name: 'x', type: { kind: 'number' }, optional: false, readonly: false, doc: 'Across.' }] } as const;
    expect(renderType(type, '  ')).toBe('{\n    /** Across. */\n    x: number;\n  }');
  });
});

describe('renderDataType', () => {
  it('re-declares interfaces and aliases, exported, with their docs', () => {
    expect(renderDataType({ kind: 'alias', name: 'Id', doc: 'An id.', type: { kind: 'string' } })).toBe('/** An id. */\nexport type Id = string;');
    expect(
      renderDataType({ kind: 'interface', name: 'P', properties: [{ name: 'x', type: { kind: 'number' }, optional: true, readonly: false }] }),
    ).toBe('export interface P {\n  x?: number;\n}');
  });
});

describe('renderServiceInterface', () => {
  it('writes Promise<T> for unary and void for one-way methods', () => {
    const text = renderServiceInterface({
      name: 'S',
      methods: [
        { name: 'get', kind: 'unary', params: [{ name: 'id', type: { kind: 'string' }, optional: true }], returns: { kind: 'void' } },
        { name: 'log', kind: 'oneway', params: [], returns: { kind: 'void' } },
      ],
    });
    expect(text).toBe('export interface S {\n  get(id?: string): Promise<void>;\n  log(): void;\n}');
  });

  it('writes streams as AsyncIterable<T>, the stream parameter where it was declared', () => {
    const text = renderServiceInterface({
      name: 'S',
      methods: [
        { name: 'watch', kind: 'server-stream', params: [], returns: { kind: 'ref', name: 'P' } },
        {
          name: 'load',
          kind: 'client-stream',
          params: [
            { name: 'batch', type: { kind: 'string' }, optional: false },
            { name: 'items', type: { kind: 'nullable', inner: { kind: 'number' } }, optional: false },
          ],
          streamParam: 1,
          returns: { kind: 'void' },
        },
        { name: 'echo', kind: 'bidi-stream', params: [{ name: 'lines', type: { kind: 'string' }, optional: false }], streamParam: 0, returns: { kind: 'string' } },
      ],
    });
    expect(text.split('\n').slice(1, -1)).toEqual([
      '  watch(): AsyncIterable<P>;',
      '  load(batch: string, items: AsyncIterable<number | null>): Promise<void>;',
      '  echo(lines: AsyncIterable<string>): AsyncIterable<string>;',
    ]);
  });
});

describe('helpers', () => {
  it('formats multi-line docs as a block', () => {
    expect(docComment('One.\n\nTwo.', '  ')).toEqual(['  /**', '   * One.', '   *', '   * Two.', '   */']);
    expect(docComment(undefined)).toEqual([]);
  });

  it('avoids parameter names when naming generated parameters', () => {
    expect(freeName('ctx', [{ name: 'ctx', type: { kind: 'string' }, optional: false }])).toBe('ctx_');
    expect(freeName('ctx', [])).toBe('ctx');
  });

  it('quotes keys only when needed', () => {
    expect(propertyKey('a_b$1')).toBe('a_b$1');
    expect(propertyKey("it's")).toBe("'it\\'s'");
  });
});
