import type { Socket } from 'node:net';
import type { BenchClient } from './bench-client.js';

/** Size of each ping and each pong. */
export const MESSAGE_BYTES = 64;

/**
 * The raw baselines' client: 64-byte pings written to `output`, echoed back on `input` (one TCP
 * socket for both, or a pipe pair, or two FIFOs). Each call resolves when the next 64 echoed bytes
 * have arrived; the echo preserves order, so with many calls in flight (pipelined) the n-th 64
 * bytes back answer the n-th call.
 *
 * Pings written in one event-loop turn leave in one writev (cork, uncork on nextTick), as the
 * Conduit stream transports do: the baseline is the best plain Node does, not one syscall per
 * message, which would make any framework that batches look faster than the wire.
 */
export function rawPingPong(input: Socket, output: Socket, label: string, close: () => Promise<void>): BenchClient {
  const ping = Buffer.alloc(MESSAGE_BYTES, 0x2a);
  const waiting: Array<{ resolve: (pong: Buffer) => void; reject: (error: Error) => void }> = [];
  let pending: Buffer[] = [];
  let pendingBytes = 0;

  input.on('data', (chunk: Buffer) => {
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes < MESSAGE_BYTES) return;
    let buffered = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    let offset = 0;
    while (pendingBytes - offset >= MESSAGE_BYTES) {
      const waiter = waiting.shift();
      if (waiter === undefined) {
        input.destroy(new Error(`${label}: echo without a ping`));
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
  input.on('error', failAll);
  output.on('error', failAll);
  input.on('close', () => failAll(new Error(`${label}: connection closed`)));

  let corked = false;
  const uncork = (): void => {
    corked = false;
    output.uncork();
  };
  const send = (message: Buffer): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      waiting.push({ resolve, reject });
      if (!corked) {
        corked = true;
        output.cork();
        process.nextTick(uncork);
      }
      output.write(message);
    });

  return {
    call: () => send(ping),
    async verify() {
      const probe = Buffer.alloc(MESSAGE_BYTES);
      for (let i = 0; i < MESSAGE_BYTES; i++) probe[i] = i;
      const pong = await send(probe);
      if (!pong.equals(probe)) throw new Error(`${label}: echo differs from ping`);
    },
    close,
  };
}
