import { SpscRing } from './spsc-ring.js';
import type { ShmRings } from './shm-connection.js';

/**
 * A connection's segment: the client-to-server ring, then the server-to-client ring, each
 * `SpscRing.bytesFor(capacity)` bytes (a multiple of 64, so both start on a cache line).
 */
export function segmentBytes(capacity: number): number {
  return 2 * SpscRing.bytesFor(capacity);
}

/** The two rings in `buffer`, as `side` uses them; `init` (the server, once) sets them empty. */
export function ringsOf(buffer: ArrayBuffer, capacity: number, side: 'client' | 'server', init: boolean): ShmRings {
  const toServer = new SpscRing(buffer, 0, capacity, init);
  const toClient = new SpscRing(buffer, SpscRing.bytesFor(capacity), capacity, init);
  return side === 'client' ? { outbound: toServer, inbound: toClient } : { outbound: toClient, inbound: toServer };
}
