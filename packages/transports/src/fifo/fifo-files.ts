import { execFile } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { Code, RpcError } from '@conduit/runtime';
import { errnoOf } from '../os-errors.js';

const { O_RDONLY, O_WRONLY, O_NONBLOCK, O_NOFOLLOW } = constants;

/**
 * Creates FIFOs with mode 0600. Node has no mkfifo(3), so this runs coreutils' `mkfifo -m 600`,
 * which sets exactly that mode whatever the umask, once for all `paths` (one process per
 * connection, not per FIFO). Rejects with an Error whose `code` is the errno (`EEXIST`, `ENOENT`,
 * `EACCES`, …) read off mkfifo's message, so callers map it like any fs error; or, when mkfifo
 * itself is missing, with a FailedPrecondition RpcError that says so.
 */
export function makeFifos(paths: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    // LC_ALL=C: the message is parsed for its errno below, so it must not be translated.
    execFile('mkfifo', ['-m', '600', '--', ...paths], { env: { ...process.env, LC_ALL: 'C' } }, (error, _stdout, stderr) => {
      if (error === null) return resolve();
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        // An RpcError, not a made-up errno: rpcErrorFromOs passes RpcErrors through, so every caller
        // (listener and client alike) keeps this message without special-casing it.
        const missing = 'the mkfifo program (coreutils) is not on PATH; the fifo transport needs it';
        return reject(new RpcError(Code.FailedPrecondition, missing, { cause: error }));
      }
      const message = stderr.trim() || error.message;
      const errno = Object.entries(errnoOfMessage).find(([words]) => message.endsWith(words))?.[1];
      reject(Object.assign(new Error(message), { code: errno, cause: error }));
    });
  });
}

/** strerror(3) texts mkfifo ends its message with, and their errno names. */
const errnoOfMessage: Readonly<Record<string, string>> = {
  'File exists': 'EEXIST',
  'No such file or directory': 'ENOENT',
  'Permission denied': 'EACCES',
  'Not a directory': 'ENOTDIR',
  'Read-only file system': 'EROFS',
  'No space left on device': 'ENOSPC',
  'File name too long': 'ENAMETOOLONG',
};

export interface OpenFifoOptions {
  /**
   * Follow a symbolic link at `path`. Default false: FIFOs the transport made itself are opened
   * with O_NOFOLLOW, so a link swapped in cannot redirect them; a client may follow the server's.
   */
  follow?: boolean;
}

/** Opens the read end at once, with or without a writer (O_NONBLOCK: never blocks the event loop). */
export function openFifoReader(path: string, options: OpenFifoOptions = {}): number {
  return openSync(path, O_RDONLY | O_NONBLOCK | (options.follow === true ? 0 : O_NOFOLLOW));
}

/**
 * Opens the write end at once. With nobody reading the FIFO this throws ENXIO instead of
 * waiting: that is how a writer tells a live reader from a stale FIFO.
 */
export function openFifoWriter(path: string, options: OpenFifoOptions = {}): number {
  return openSync(path, O_WRONLY | O_NONBLOCK | (options.follow === true ? 0 : O_NOFOLLOW));
}

/**
 * Whether some process has the FIFO at `path` open for reading: a non-blocking write open succeeds
 * if so and fails with ENXIO if not. Any other error (ENOENT, EACCES, …) is thrown as it is.
 * The one copy of this check, for the listener (is that FIFO a live server's?) and the client
 * (is the server still there?).
 */
export function isFifoBeingRead(path: string, options: OpenFifoOptions = {}): boolean {
  try {
    closeFd(openFifoWriter(path, options));
    return true;
  } catch (error) {
    if (errnoOf(error) === 'ENXIO') return false;
    throw error;
  }
}

/** The longest wait between two attempts of `retryWithBackoff`. */
const MAX_BACKOFF_MS = 32;

/**
 * Calls `attempt` until it returns something other than undefined, waiting 1, 2, 4 … up to 32 ms
 * between attempts; `attempt` may throw to give up. Resolves undefined when `deadline` (a
 * `performance.now()` instant) passes first. Shared by every non-blocking FIFO operation that must
 * wait for the peer (opening a write end, writing into a full FIFO), so they back off alike.
 */
export async function retryWithBackoff<T>(deadline: number, attempt: () => T | undefined): Promise<T | undefined> {
  for (let backoff = 1; ; backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)) {
    const result = attempt();
    if (result !== undefined) return result;
    const left = deadline - performance.now();
    if (left <= 0) return undefined;
    await new Promise((resolve) => setTimeout(resolve, Math.min(backoff, left)));
  }
}

/**
 * Opens the write end once the peer has opened the read end: retries ENXIO with backoff (see
 * `retryWithBackoff`). `check` runs before each wait and may throw to give up early (the peer is
 * known gone). Resolves undefined when `deadline` (a `performance.now()` instant) passes first.
 */
export function openFifoWriterWhenRead(path: string, deadline: number, check: () => void): Promise<number | undefined> {
  return retryWithBackoff(deadline, () => {
    try {
      return openFifoWriter(path);
    } catch (error) {
      if (errnoOf(error) !== 'ENXIO') throw error;
    }
    check();
    return undefined;
  });
}

/** A read-only FIFO fd driven by libuv (which treats a FIFO as a pipe): no thread pool, no blocking. */
export function readerSocket(fd: number): Socket {
  return new Socket({ fd, readable: true, writable: false });
}

/** A write-only FIFO fd driven by libuv. */
export function writerSocket(fd: number): Socket {
  return new Socket({ fd, readable: false, writable: true });
}

/** Closes a raw fd that may already be gone; a failure to close has nobody to tell. */
export function closeFd(fd: number | undefined): void {
  if (fd === undefined) return;
  try {
    closeSync(fd);
  } catch {
    // EBADF: already closed; nothing else can fail for a FIFO fd.
  }
}

