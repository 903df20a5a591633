import type { Socket } from 'node:net';
import { Code, RpcError } from '@conduit/runtime';
import { isRingCapacity } from './spsc-ring.js';

/**
 * The handshake on a server's socket, in lines of text (docs/protocol.md, "shm handshake"):
 *
 *   client → server   CNDT-SHM 1 <pid>            (magic, version, and the client's pid for messages)
 *   server → client   SEGMENT /conduit-<pid>-<hex> <ring capacity>
 *                     or ERROR <code> <message>   (no segment could be made: /dev/shm is full, …)
 *   client → server   MAPPED                      (the server now unlinks the segment)
 *
 * After that the socket carries only doorbell bytes, and its closing is how each side learns
 * that the other is gone: the kernel closes it for a process that dies, even by SIGKILL.
 */
const REQUEST_LINE = 'CNDT-SHM 1';
export const MAPPED_LINE = 'MAPPED';
const SEGMENT_WORD = 'SEGMENT';
const ERROR_WORD = 'ERROR';

/** No handshake line is longer; a peer that sends more is not speaking this protocol. */
const MAX_LINE_BYTES = 256;

/** The client's first line: magic and version, then its pid (which the server names it by). */
export function requestLine(pid: number): string {
  return `${REQUEST_LINE} ${pid}`;
}

/** The pid from a client's request line, or undefined when the line is not one. */
export function parseRequestLine(line: string): number | undefined {
  const match = /^CNDT-SHM 1 ([0-9]+)$/.exec(line);
  if (match === null) return undefined;
  const pid = Number(match[1]);
  return Number.isSafeInteger(pid) ? pid : undefined;
}

export function segmentLine(segment: string, capacity: number): string {
  return `${SEGMENT_WORD} ${segment} ${capacity}`;
}

export function errorLine(code: Code, message: string): string {
  return `${ERROR_WORD} ${code} ${message.replace(/\n/g, ' ')}`;
}

/** The segment a server offered; its refusal, or why its line is neither, as an RpcError. */
export function parseSegmentLine(line: string, peer: string): { segment: string; capacity: number } | RpcError {
  if (line.startsWith(`${ERROR_WORD} `)) {
    const match = /^ERROR ([0-9]+) (.*)$/.exec(line);
    const wire = Number(match?.[1]);
    const code = Number.isInteger(wire) && wire >= Code.Cancelled && wire <= Code.Unauthenticated ? (wire as Code) : Code.Unavailable;
    return new RpcError(code, `${peer} could not set up a connection: ${match?.[2] ?? line}`);
  }
  const [word, segment, capacityText, extra] = line.split(' ');
  const capacity = Number(capacityText);
  if (word !== SEGMENT_WORD || segment === undefined || !/^\/conduit-[0-9]+-[0-9a-f]+$/.test(segment) || extra !== undefined) {
    return new RpcError(Code.Unavailable, `${peer} does not speak the shm handshake: expected "SEGMENT <name> <capacity>", got ${JSON.stringify(line.slice(0, 80))}`);
  }
  // Only capacities a ring may have are mapped: a hostile or broken server cannot make us map gigabytes.
  if (!isRingCapacity(capacity)) {
    return new RpcError(Code.Unavailable, `${peer} offered rings of ${JSON.stringify(capacityText)} bytes: not a power of two from 4 KiB to 1 GiB`);
  }
  return { segment, capacity };
}

/**
 * Reads one line from `socket`, then pauses it. Bytes after the line are dropped: the other side
 * sends nothing more until it has read this side's answer, and after the handshake every byte is
 * a doorbell, which the connection's poll finds the news of in the rings anyway. Rejects with
 * Unavailable when the socket closes or `timeoutMs` passes first, and when the line is too long.
 */
export function readLine(socket: Socket, timeoutMs: number, peer: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const finish = (outcome: (() => void) | RpcError): void => {
      clearTimeout(timer);
      socket.pause();
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
      if (outcome instanceof RpcError) reject(outcome);
      else outcome();
    };
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf(0x0a);
      if (end >= 0) {
        finish(() => resolve(received.toString('latin1', 0, end)));
      } else if (received.length > MAX_LINE_BYTES) {
        finish(new RpcError(Code.Unavailable, `${peer} does not speak the shm handshake: ${JSON.stringify(received.toString('latin1', 0, 40))}…`));
      }
    };
    const onClose = (): void => finish(new RpcError(Code.Unavailable, `${peer} closed the connection during the handshake`));
    const onError = (error: Error): void => finish(new RpcError(Code.Unavailable, `${peer}: ${error.message}`, { cause: error }));
    const timer = setTimeout(() => finish(new RpcError(Code.Unavailable, `${peer} did not complete the handshake within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('error', onError);
    socket.resume();
  });
}
