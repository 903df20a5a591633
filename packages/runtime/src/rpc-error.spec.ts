import { describe, expect, it } from 'vitest';
import { Code, codeName } from './code.js';
import { RpcError } from './rpc-error.js';

describe('RpcError', () => {
  it('keeps code, message, details and cause', () => {
    const cause = new Error('disk');
    const error = new RpcError(Code.NotFound, 'no such item', { details: { id: 7 }, cause });
    expect([error.code, error.message, error.details, error.cause]).toEqual([Code.NotFound, 'no such item', { id: 7 }, cause]);
    expect(String(error)).toBe('RpcError: [not_found] no such item');
  });

  it('from() keeps an RpcError as it is and wraps anything else', () => {
    const original = new RpcError(Code.Aborted, 'x');
    expect(RpcError.from(original)).toBe(original);
    expect(RpcError.from(new Error('boom'))).toMatchObject({ code: Code.Internal, message: 'boom' });
    expect(RpcError.from('text', Code.Unknown)).toMatchObject({ code: Code.Unknown, message: 'text' });
    expect(RpcError.from(new DOMException('stop', 'AbortError'))).toMatchObject({ code: Code.Cancelled });
    expect(RpcError.from(new DOMException('late', 'TimeoutError'))).toMatchObject({ code: Code.DeadlineExceeded });
  });

  it('has gRPC values under Connect-style names', () => {
    expect([Code.Cancelled, Code.InvalidArgument, Code.DeadlineExceeded, Code.NotFound, Code.ResourceExhausted]).toEqual([1, 3, 4, 5, 8]);
    expect([Code.Unimplemented, Code.Internal, Code.Unavailable, Code.Unauthenticated]).toEqual([12, 13, 14, 16]);
    expect(codeName(Code.DeadlineExceeded)).toBe('deadline_exceeded');
  });
});
