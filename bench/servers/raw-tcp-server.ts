/** Baseline server: echoes every byte straight back, no framing, Nagle off. */
import { createServer, type Socket } from 'node:net';
import { announce, exitWithParent } from './server-lifecycle.js';

const sockets = new Set<Socket>();
const server = createServer((socket) => {
  sockets.add(socket);
  socket.setNoDelay(true);
  socket.on('data', (chunk) => socket.write(chunk));
  socket.on('error', () => socket.destroy());
  socket.on('close', () => sockets.delete(socket));
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  announce({ port: address.port });
});

exitWithParent(() => {
  for (const socket of sockets) socket.destroy();
  server.close();
});
