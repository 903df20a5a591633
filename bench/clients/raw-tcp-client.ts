import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import type { BenchClient } from './bench-client.js';
import { rawPingPong } from './raw-ping-pong.js';

/** Ping-pong over one TCP socket, Nagle off. */
export async function openRawTcpClient(port: number): Promise<BenchClient> {
  const socket: Socket = connect({ host: '127.0.0.1', port, noDelay: true });
  await once(socket, 'connect');
  socket.setNoDelay(true);
  return rawPingPong(socket, socket, 'raw TCP', async () => {
    socket.end();
    socket.destroy();
  });
}
