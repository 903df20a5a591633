import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { FaultyForwarder, type FaultCounts, type Faults } from '../support/datagram-faults.js';

export interface Group {
  readonly group: string;
  readonly port: number;
}

export interface LossyRelay {
  /** Datagrams seen and what was done to them, both directions together. */
  readonly counts: FaultCounts;
  close(): Promise<void>;
}

/**
 * Fault injection between multicast callers and the members of a group, with real sockets, for
 * use inside a private network namespace. Callers call the `front` group, which only the relay
 * joins; it sends each request on to the `members` group and each member's unicast reply back to
 * its caller, both ways through a seeded FaultyForwarder. A member's replies reach the caller
 * from a relay socket of that member's own, so the caller still tells members apart by `from`.
 */
export async function startLossyRelay(options: { front: Group; members: Group; faults: Faults; seed: number }): Promise<LossyRelay> {
  const faulty = new FaultyForwarder(options.faults, options.seed);
  const sockets: Socket[] = [];
  const loopbackSocket = (): Socket => {
    const socket = createSocket('udp4');
    sockets.push(socket);
    // The relay only forwards: a datagram it cannot send is one more loss.
    socket.on('error', () => {});
    socket.bind(0, '127.0.0.1', () => socket.setMulticastInterface('127.0.0.1'));
    return socket;
  };

  const front = createSocket({ type: 'udp4', reuseAddr: true });
  sockets.push(front);
  await new Promise<void>((resolve) => front.bind(options.front.port, options.front.group, resolve));
  front.addMembership(options.front.group, '127.0.0.1');

  /** Per caller: the socket its requests go on from, and per member the socket its replies come back from. */
  const callers = new Map<string, Socket>();
  front.on('message', (request: Buffer, caller: RemoteInfo) => {
    const key = `${caller.address}:${caller.port}`;
    let upstream = callers.get(key);
    if (upstream === undefined) {
      const created = loopbackSocket();
      const returns = new Map<string, Socket>();
      created.on('message', (reply: Buffer, member: RemoteInfo) => {
        const memberKey = `${member.address}:${member.port}`;
        let back = returns.get(memberKey);
        if (back === undefined) returns.set(memberKey, (back = loopbackSocket()));
        const towardsCaller = back;
        faulty.forward(reply, (bytes) => towardsCaller.send(bytes, caller.port, caller.address));
      });
      callers.set(key, (upstream = created));
    }
    const towardsMembers = upstream;
    faulty.forward(request, (bytes) => towardsMembers.send(bytes, options.members.port, options.members.group));
  });

  return {
    counts: faulty.counts,
    close: async () => {
      faulty.stop();
      await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
    },
  };
}
