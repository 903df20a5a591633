import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import type { BenchClient } from './bench-client.js';

/** Size of each ping and each pong. */
export const MESSAGE_BYTES = 64;

/**
 * Ping-pong over one socket, Nagle off. Each call writes 64 bytes and resolves when the next 64
 * echoed bytes have arrived; the echo preserves order, so with many calls in flight (pipelined)
 * the n-th 64 bytes back answer the n-th call.
 *
 * Pings written in one event-loop turn leave in one writev (cork, uncork on nextTick), as the
 * Conduit stream transports do: the baseline is the best plain Node does, not one syscall per
 * message, which would make any framework that batches look faster than the wire.
 */
export async function openRawTcpClient(port: number): Promise<BenchClient> {
  const socket: Socket = connect({ host: '127.0.0.1', port, noDelay: true });
  await once(socket, 'connect');
  socket.setNoDelay(true);

  const ping = Buffer.alloc(MESSAGE_BYTES, 0x2a);
  const waiting: Array<{ resolve: (pong: Buffer) => void; reject: (error: Error) => void }> = [];
  let pending: Buffer[] = [];
  let pendingBytes = 0;

  socket.on('data', (chunk: Buffer) => {
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes < MESSAGE_BYTES) return;
    let buffered = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    let offset = 0;
    while (pendingBytes - offset >= MESSAGE_BYTES) {
      const waiter = waiting.shift();
      if (waiter === undefined) {
        socket.destroy(new Error('raw TCP: echo without a ping'));
        return;
      }
      waiter.resolve(buffered.subarray(offset, offset + MESSAGE_BYTES));
      offset += MESSAGE_BYTES;
    }
    buffered = buffered.subarray(offset);
    pending = buffered.length > 0 ? [buffered] : [];
    pendingBytes = buffered.length;
  });
  const failAll = (error: Error): void => {
    for (const waiter of waiting.splice(0)) waiter.reject(error);
  };
  socket.on('error', failAll);
  socket.on('close', () => failAll(new Error('raw TCP: connection closed')));

  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  const send = (message: Buffer): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      waiting.push({ resolve, reject });
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(uncork);
      }
      socket.write(message);
    });

  return {
    call: () => send(ping),
    async verify() {
      const probe = Buffer.alloc(MESSAGE_BYTES);
      for (let i = 0; i < MESSAGE_BYTES; i++) probe[i] = i;
      const pong = await send(probe);
      if (!pong.equals(probe)) throw new Error('raw TCP: echo differs from ping');
    },
    async close() {
      socket.end();
      socket.destroy();
    },
  };
}
