/**
 * Baseline multicast member: joins the group `multicast://<group>:<port>` given as the first
 * argument with a plain dgram socket and sends every datagram it hears straight back to its
 * sender by unicast, from a second socket of its own, as a Conduit member does: no header, no
 * dedup, no delay. Started by multicast/measure-multicast.ts, inside a private network namespace only.
 */
import { createSocket, type Socket } from 'node:dgram';
import { requirePrivateNetwork } from '../multicast/private-network.js';
import { announce, exitWithParent } from './server-lifecycle.js';

requirePrivateNetwork('bench/servers/raw-multicast-member.ts');
const group = new URL(process.argv[2] ?? '');

const bind = (socket: Socket, port: number, address: string): Promise<void> =>
  new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });

const member = createSocket({ type: 'udp4', reuseAddr: true });
const replies = createSocket('udp4');
await bind(member, Number(group.port), group.hostname);
member.addMembership(group.hostname, '127.0.0.1');
await bind(replies, 0, '127.0.0.1');
member.on('message', (message, from) => replies.send(message, from.port, from.address));
announce({ port: replies.address().port, pid: process.pid });

exitWithParent(() => {
  member.close();
  replies.close();
});
