import { Code, RpcError } from '@conduit/runtime';

/**
 * The one place where operating-system errors become codes. A peer that is gone or never was
 * is Unavailable (the caller may retry elsewhere); a local setup problem gets the code that
 * says what to fix.
 */
const codeOfErrno: Readonly<Record<string, Code>> = {
  ECONNREFUSED: Code.Unavailable,
  ECONNRESET: Code.Unavailable,
  ECONNABORTED: Code.Unavailable,
  EPIPE: Code.Unavailable,
  ETIMEDOUT: Code.Unavailable,
  EHOSTUNREACH: Code.Unavailable,
  ENETUNREACH: Code.Unavailable,
  ENOTFOUND: Code.Unavailable,
  EAI_AGAIN: Code.Unavailable,
  EADDRINUSE: Code.AlreadyExists,
  EADDRNOTAVAIL: Code.InvalidArgument,
  EACCES: Code.PermissionDenied,
  EPERM: Code.PermissionDenied,
  ENOENT: Code.NotFound,
  EMSGSIZE: Code.ResourceExhausted,
  ENOBUFS: Code.ResourceExhausted,
};

const wordsOfErrno: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EPIPE: 'broken pipe (the peer closed)',
  ETIMEDOUT: 'timed out',
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied',
  ENOENT: 'no such file or directory',
};

/**
 * An OS error as an RpcError whose message says what happened, e.g. `connection refused
 * (ECONNREFUSED)`, after `doing` when given (`listening on tcp://…: address already in use`).
 */
export function rpcErrorFromOs(error: unknown, doing?: string): RpcError {
  if (error instanceof RpcError) return error;
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const code = errno === undefined ? Code.Unavailable : (codeOfErrno[errno] ?? Code.Unavailable);
  const words = errno === undefined ? String((error as Error | undefined)?.message ?? error) : (wordsOfErrno[errno] ?? errno);
  const named = errno !== undefined && wordsOfErrno[errno] !== undefined ? `${words} (${errno})` : words;
  return new RpcError(code, doing === undefined ? named : `${doing}: ${named}`, { cause: error });
}
