import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import type { BenchClient } from './bench-client.js';
import { MESSAGE_BYTES } from './raw-ping-pong.js';

/**
 * Ping-pong of 64-byte datagrams with a server that echoes them: no framing, no acks, no
 * retransmission, the least a UDP exchange can cost in Node. On loopback nothing is lost at these
 * rates, and echoes come back in order, so the n-th echo answers the n-th ping.
 */
export async function openRawUdpClient(port: number): Promise<BenchClient> {
  const socket = createSocket('udp4');
  socket.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const waiting: Array<{ resolve: (pong: Buffer) => void; reject: (error: Error) => void }> = [];
  socket.on('message', (pong) => waiting.shift()?.resolve(pong));
  socket.on('error', (error) => {
    for (const waiter of waiting.splice(0)) waiter.reject(error);
  });
  const send = (ping: Buffer): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      waiting.push({ resolve, reject });
      socket.send(ping);
    });
  const ping = Buffer.alloc(MESSAGE_BYTES, 0x2a);
  return {
    call: () => send(ping),
    async verify() {
      const probe = Buffer.alloc(MESSAGE_BYTES);
      for (let i = 0; i < MESSAGE_BYTES; i++) probe[i] = i;
      if (!(await send(probe)).equals(probe)) throw new Error('raw UDP: echo differs from ping');
    },
    close: async () => {
      socket.close();
    },
  };
}
