import { randomBytes } from 'node:crypto';
import { IDENTITY_BYTES } from './udp-datagram.js';

/**
 * This process's incarnation, drawn once: a server tells the connections of a restarted client
 * from the old ones even though connection ids start again at 1, and a blind sender cannot guess
 * it to inject datagrams into a connection.
 */
const INCARNATION = randomBytes(8);
let lastConnectionId = 0;

/** The 12 bytes naming a new connection of this process: the incarnation, then a fresh connection id. */
export function newConnectionIdentity(): Buffer {
  lastConnectionId = (lastConnectionId % 0xffffffff) + 1;
  const identity = Buffer.allocUnsafe(IDENTITY_BYTES);
  INCARNATION.copy(identity, 0);
  identity.writeUInt32BE(lastConnectionId, 8);
  return identity;
}
