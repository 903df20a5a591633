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
  // A multicast interface named by an address no interface has.
  ENODEV: Code.InvalidArgument,
  EACCES: Code.PermissionDenied,
  EPERM: Code.PermissionDenied,
  ENOENT: Code.NotFound,
  EMSGSIZE: Code.ResourceExhausted,
  ENOBUFS: Code.ResourceExhausted,
  // Out of something this machine has a limit on (/dev/shm space, file descriptors): not the
  // peer's fault, and retrying elsewhere will not help until something is freed.
  ENOSPC: Code.ResourceExhausted,
  EMFILE: Code.ResourceExhausted,
};

const wordsOfErrno: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EPIPE: 'broken pipe (the peer closed)',
  ETIMEDOUT: 'timed out',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'no interface of this machine has that address',
  ENODEV: 'no interface of this machine has that address',
  EACCES: 'permission denied',
  ENOENT: 'no such file or directory',
  ENOSPC: 'no space left on device',
  EMFILE: 'too many open files',
};

/** The errno name (`ENOENT`, …) of a Node error, or of any error that carries one as `code`; undefined otherwise. */
export function errnoOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The code an OS error (anything with an errno `code`) stands for; Unavailable when it says nothing more. */
export function codeOfOsError(error: unknown): Code {
  const errno = errnoOf(error);
  return errno === undefined ? Code.Unavailable : (codeOfErrno[errno] ?? Code.Unavailable);
}

/**
 * An OS error as an RpcError whose message says what happened, e.g. `connection refused
 * (ECONNREFUSED)`, after `doing` when given (`listening on tcp://…: address already in use`).
 */
export function rpcErrorFromOs(error: unknown, doing?: string): RpcError {
  if (error instanceof RpcError) return error;
  const errno = errnoOf(error);
  const words = errno === undefined ? String((error as Error | undefined)?.message ?? error) : (wordsOfErrno[errno] ?? errno);
  const named = errno !== undefined && wordsOfErrno[errno] !== undefined ? `${words} (${errno})` : words;
  return new RpcError(codeOfOsError(error), doing === undefined ? named : `${doing}: ${named}`, { cause: error });
}

/** Where a transport tells what no caller hears (a refused handshake, junk, a stale file) unless given `onError`. */
export function warnOnStderr(problem: string, cause?: unknown): void {
  console.warn(`[conduit] ${problem}${cause === undefined ? '' : `: ${String(cause)}`}`);
}
