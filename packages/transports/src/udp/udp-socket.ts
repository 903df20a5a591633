import { createSocket, type Socket } from 'node:dgram';
import type { LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { SOCKET_BUFFER_BYTES } from './udp-limits.js';

/**
 * A UDP socket for this transport. Every address it sends to is an IP already (resolved once up
 * front, or taken from a received datagram), so it gets a lookup that hands the address back at
 * once: each datagram then leaves in the very call that sends it, not a tick later, which spares
 * a lookup per datagram and lets a server's last replies leave before its process exits.
 */
export function createUdpSocket(family: 4 | 6): Socket {
  return createSocket({ type: family === 6 ? 'udp6' : 'udp4', lookup: asIs });
}

function asIs(address: string, _options: LookupOneOptions, callback: (error: null, address: string, family: number) => void): void {
  callback(null, address, isIP(address));
}

/** Bigger socket buffers absorb bursts; the kernel caps them quietly, and a refusal only costs retransmissions. */
export function setBufferSizes(socket: Socket): void {
  try {
    socket.setRecvBufferSize(SOCKET_BUFFER_BYTES);
    socket.setSendBufferSize(SOCKET_BUFFER_BYTES);
  } catch {
    // The defaults still work.
  }
}

/**
 * Binds `socket` to `address:port` (port 0: any free one; no address: every interface); rejects
 * with the socket's error, leaving it open.
 */
export function bindSocket(socket: Socket, port: number, address?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}
