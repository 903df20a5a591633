/** Baseline server: echoes every datagram straight back to its sender, no framing, no acks. */
import { createSocket } from 'node:dgram';
import { announce, exitWithParent } from './server-lifecycle.js';

const socket = createSocket('udp4');
socket.on('message', (message, from) => socket.send(message, from.port, from.address));
socket.bind(0, '127.0.0.1', () => announce({ port: socket.address().port }));

exitWithParent(() => socket.close());
