import { describe, expect, it } from 'vitest';
import {
  docComment,
  freeName,
  isIdentifier,
  propertyKey,
  quote,
  renderDeclaration,
  renderParams,
  renderParamType,
  renderResult,
  returnsStream,
  typeText,
} from './emit-types.js';
import type { Method, Param } from './model.js';

function param(name: string, text: string, optional = false): Param {
  return { name, text, type: { kind: 'unknown' }, optional };
}

function method(partial: Partial<Method> & Pick<Method, 'kind'>): Method {
  return { name: 'm', params: [], returns: { kind: 'void' }, returnText: 'void', idempotent: false, ...partial };
}

describe('renderDeclaration', () => {
  it('copies the declaration text verbatim', () => {
    const text = '/** A point. */\nexport interface Point {\n  x: number; // across\n  label?: string;\n}';
    expect(renderDeclaration({ name: 'Point', text })).toBe(text);
  });
});

describe('typeText', () => {
  it('puts a multi-line type on one line', () => {
    expect(typeText('{\n  a: number;\n  b: string;\n}')).toBe('{ a: number; b: string; }');
    expect(typeText('Page<User>')).toBe('Page<User>');
  });

  it('keeps line breaks when comments inside need them', () => {
    const text = '{\n  a: number; // the a\n}';
    expect(typeText(text)).toBe(text);
  });
});

describe('parameters and results', () => {
  const total = method({
    kind: 'client-stream',
    params: [param('label', 'string', true), param('values', 'Point | null'), param('scale', '{\n  by: number;\n}')],
    streamParam: 1,
    returnText: 'number',
  });

  it('renders parameters as declared, the stream parameter as AsyncIterable of its message type', () => {
    expect(renderParams(total)).toEqual(['label?: string', 'values: AsyncIterable<Point | null>', 'scale: { by: number; }']);
    expect(renderParamType(total, 1)).toBe('AsyncIterable<Point | null>');
    expect(renderParamType(total, 0)).toBe('string');
  });

  it('throws for a parameter that does not exist', () => {
    expect(() => renderParamType(total, 3)).toThrow("method 'm' has no parameter 3");
  });

  it('renders what a call gives back for each kind', () => {
    expect(renderResult(method({ kind: 'unary', returnText: 'Page<User>' }))).toBe('Promise<Page<User>>');
    expect(renderResult(method({ kind: 'unary', returnText: 'void' }))).toBe('Promise<void>');
    expect(renderResult(method({ kind: 'oneway' }))).toBe('void');
    expect(renderResult(method({ kind: 'server-stream', returnText: 'number' }))).toBe('AsyncIterable<number>');
    expect(renderResult(total)).toBe('Promise<number>');
    expect(renderResult(method({ kind: 'bidi-stream', returnText: 'string[]', streamParam: 0, params: [param('l', 'string')] }))).toBe('AsyncIterable<string[]>');
  });

  it('knows which kinds answer with a stream', () => {
    expect((['unary', 'oneway', 'server-stream', 'client-stream', 'bidi-stream'] as const).filter((kind) => returnsStream(method({ kind })))).toEqual([
      'server-stream',
      'bidi-stream',
    ]);
  });
});

describe('helpers', () => {
  it('formats docs as one line when they fit, else as a block', () => {
    expect(docComment('Adds.', '  ')).toEqual(['  /** Adds. */']);
    expect(docComment('One.\n\nTwo.', '  ')).toEqual(['  /**', '   * One.', '   *', '   * Two.', '   */']);
    expect(docComment(undefined)).toEqual([]);
  });

  it('avoids parameter names when naming generated parameters', () => {
    expect(freeName('ctx', [param('ctx', 'string')])).toBe('ctx_');
    expect(freeName('ctx', [param('ctx', 'string'), param('ctx_', 'number')])).toBe('ctx__');
    expect(freeName('ctx', [])).toBe('ctx');
  });

  it('quotes keys only when needed', () => {
    expect(isIdentifier('a_b$1')).toBe(true);
    expect(isIdentifier('1a')).toBe(false);
    expect(propertyKey('a_b$1')).toBe('a_b$1');
    expect(propertyKey('content-type')).toBe("'content-type'");
    expect(propertyKey("it's")).toBe("'it\\'s'");
  });

  it('quotes strings with backslashes, quotes and newlines escaped', () => {
    expect(quote('a\\b')).toBe("'a\\\\b'");
    expect(quote('line\nnext')).toBe("'line\\nnext'");
  });
});
