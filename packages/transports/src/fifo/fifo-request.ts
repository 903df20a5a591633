import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

/**
 * The connection request a client writes into the server's well-known FIFO, one line:
 *
 *   CNDT-FIFO 1 /tmp/conduit-fifo-1234-AbC123\n
 *
 * magic, protocol version, then the client's private directory (the rest of the line, so a
 * TMPDIR with spaces works), which holds the FIFO pair `c2s` (client to server) and `s2c`.
 */
export const FIFO_REQUEST_MAGIC = 'CNDT-FIFO ';
/** Version of this request format; a server refuses any other. */
export const FIFO_REQUEST_VERSION = 1;
/** The FIFO the client writes its messages into, inside its private directory. */
export const CLIENT_TO_SERVER = 'c2s';
/** The FIFO the server writes its messages into. */
export const SERVER_TO_CLIENT = 's2c';

/**
 * POSIX's PIPE_BUF on Linux: a write of at most this many bytes into a pipe is atomic, never
 * interleaved with another writer's bytes. Every request fits (it is sent in one write), so
 * requests of concurrent clients arrive whole; a longer line is junk by definition.
 */
export const PIPE_BUF = 4096;

const MAGIC = Buffer.from(FIFO_REQUEST_MAGIC);
const NEWLINE = 0x0a;
/** How much of junk or of a refused line a report quotes. */
const QUOTED_BYTES = 60;

/** The request line for `dir`; throws when it could not be written atomically. */
export function formatRequest(dir: string): Buffer {
  if (/[\n\0]/.test(dir)) throw new Error(`the private directory ${JSON.stringify(dir)} contains a newline or NUL`);
  const line = Buffer.from(`${FIFO_REQUEST_MAGIC}${FIFO_REQUEST_VERSION} ${dir}\n`);
  if (line.length > PIPE_BUF) {
    throw new Error(`the connection request for ${dir} is ${line.length} bytes, over PIPE_BUF (${PIPE_BUF}); set TMPDIR to a shorter path`);
  }
  return line;
}

/**
 * Splits what arrives on the well-known FIFO into requests. Anything else another program wrote
 * there is junk: it is reported and skipped, and reading resynchronises on the next magic, which
 * starts every request because requests are atomic writes. So junk without a newline before a
 * real request costs nothing but a report. Holds at most PIPE_BUF bytes between chunks.
 */
export class FifoRequestReader {
  readonly #onRequest: (dir: string) => void;
  readonly #onRefused: (problem: string) => void;
  #pending: Buffer = Buffer.alloc(0);

  /**
   * `onRequest` gets the directory of each well-formed request (not yet checked on disk);
   * `onRefused` gets one sentence per refused line or run of junk.
   */
  constructor(onRequest: (dir: string) => void, onRefused: (problem: string) => void) {
    this.#onRequest = onRequest;
    this.#onRefused = onRefused;
  }

  push(chunk: Buffer): void {
    const data = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    let at = 0;
    while (at < data.length) {
      const magic = data.indexOf(MAGIC, at);
      if (magic === -1) {
        // Keep a tail that may be the start of the next request's magic, split by the read.
        const keep = partialMagicAtEnd(data);
        this.#junk(data.subarray(at, data.length - keep));
        at = data.length - keep;
        break;
      }
      if (magic > at) {
        this.#junk(data.subarray(at, magic));
        at = magic;
      }
      const newline = data.indexOf(NEWLINE, at);
      const nextMagic = data.indexOf(MAGIC, at + 1);
      if (nextMagic !== -1 && (newline === -1 || nextMagic < newline)) {
        // A line that starts like a request but runs into another request: the first was junk.
        this.#junk(data.subarray(at, nextMagic));
        at = nextMagic;
        continue;
      }
      if (newline === -1) {
        if (data.length - at < PIPE_BUF) break;
        this.#junk(data.subarray(at));
        at = data.length;
        break;
      }
      if (newline - at >= PIPE_BUF) this.#junk(data.subarray(at, newline + 1));
      else this.#line(data.subarray(at, newline));
      at = newline + 1;
    }
    this.#pending = Buffer.from(data.subarray(at));
  }

  #line(line: Buffer): void {
    const text = line.toString('utf8');
    const refuse = (why: string) => this.#onRefused(`refused a connection request (${why}): ${quote(line)}`);
    const rest = text.slice(FIFO_REQUEST_MAGIC.length);
    const space = rest.indexOf(' ');
    const version = space === -1 ? rest : rest.slice(0, space);
    if (version !== String(FIFO_REQUEST_VERSION)) return refuse(`version ${JSON.stringify(version)}, this server speaks ${FIFO_REQUEST_VERSION}`);
    const dir = space === -1 ? '' : rest.slice(space + 1);
    if (!isAbsolute(dir) || dir.includes('\0')) return refuse('the directory is not an absolute path');
    this.#onRequest(dir);
  }

  #junk(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.#onRefused(`ignored ${bytes.length} bytes that are not a connection request: ${quote(bytes)}`);
  }
}

/** How many bytes at the end of `data` are a proper prefix of the magic. */
function partialMagicAtEnd(data: Buffer): number {
  for (let length = Math.min(MAGIC.length - 1, data.length); length > 0; length--) {
    if (data.subarray(data.length - length).equals(MAGIC.subarray(0, length))) return length;
  }
  return 0;
}

function quote(bytes: Buffer): string {
  const shown = JSON.stringify(bytes.subarray(0, QUOTED_BYTES).toString('latin1'));
  return bytes.length > QUOTED_BYTES ? `${shown}…` : shown;
}

/** The FIFO pair of a request whose directory passed `checkPrivateDir`. */
export interface PrivateFifos {
  readonly clientToServer: string;
  readonly serverToClient: string;
}

/**
 * Checks that `dir` is what a Conduit client makes: a real directory (not a link) owned by this
 * user with mode 0700, holding FIFOs `c2s` and `s2c` owned by this user with mode 0600. Anything
 * else is refused, so a request cannot make the server open files it was not meant to.
 * Resolves with the FIFOs' paths, or rejects with an Error saying what is wrong.
 */
export async function checkPrivateDir(dir: string): Promise<PrivateFifos> {
  const clientToServer = join(dir, CLIENT_TO_SERVER);
  const serverToClient = join(dir, SERVER_TO_CLIENT);
  const [dirStats, c2s, s2c] = await Promise.all([dir, clientToServer, serverToClient].map((path) => lstat(path).catch((error: unknown) => error as Error)));
  expect(dir, dirStats, (stats) => stats.isDirectory(), 'a directory', 0o700);
  expect(clientToServer, c2s, (stats) => stats.isFIFO(), 'a FIFO', 0o600);
  expect(serverToClient, s2c, (stats) => stats.isFIFO(), 'a FIFO', 0o600);
  return { clientToServer, serverToClient };
}

function expect(path: string, stats: Stats | Error | undefined, isKind: (stats: Stats) => boolean, kind: string, mode: number): void {
  if (stats instanceof Error) {
    throw new Error((stats as NodeJS.ErrnoException).code === 'ENOENT' ? `${path} does not exist` : `${path}: ${stats.message}`);
  }
  if (stats === undefined || !isKind(stats)) throw new Error(`${path} is not ${kind}`);
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) throw new Error(`${path} belongs to uid ${stats.uid}, not to this server's ${uid}`);
  if ((stats.mode & 0o777) !== mode) throw new Error(`${path} has mode ${(stats.mode & 0o777).toString(8)}, not ${mode.toString(8)}`);
}
