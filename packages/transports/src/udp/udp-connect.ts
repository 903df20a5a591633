import type { Socket } from 'node:dgram';
import { Code, RpcError, type Connection, type ConnectionHandlers } from '@conduit/runtime';
import { rpcErrorFromOs } from '../os-errors.js';
import { UdpClientConnection } from './udp-client-connection.js';
import { DatagramKind, namesConnection, openDatagram, readDatagram } from './udp-datagram.js';
import { isLoopback, resolveHost } from './udp-host.js';
import { newConnectionIdentity } from './udp-identity.js';
import { INITIAL_RETRANSMIT_MS } from './udp-limits.js';
import { clientPool, ReceiveBudget } from './udp-receive-budget.js';
import { retransmitDelay } from './udp-retransmit.js';
import { closeProblem } from './udp-session.js';
import { bindSocket, createUdpSocket, setBufferSizes } from './udp-socket.js';
import type { UdpSettings } from './udp-settings.js';

/**
 * Opens a connection: a socket of its own (bound on loopback when the server is there), connected
 * to the server, then OPEN sent with backoff until OPENED comes back. Fails with Unavailable when
 * nothing answers within `connectTimeout`, and at once when ICMP says no one listens
 * (ECONNREFUSED) or the server refuses (CLOSE).
 */
export async function connectUdp(options: UdpSettings, handlers: ConnectionHandlers): Promise<Connection> {
  const { address, family } = await resolveHost(options.host).catch((error: unknown) => {
    throw rpcErrorFromOs(error, `resolving ${options.host}`);
  });
  const socket = createUdpSocket(family);
  try {
    await bindSocket(socket, 0, isLoopback(address) ? address : undefined);
    setBufferSizes(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(options.port, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const identity = newConnectionIdentity();
    const { idleTimeout, roundTrip } = await handshake(socket, identity, options);
    const pool = clientPool(options.maxBufferedBytes, options.maxMessageSize);
    return new UdpClientConnection(
      {
        socket,
        peer: options.address,
        identity,
        idleTimeout,
        maxMessageSize: options.maxMessageSize,
        maxDatagramSize: options.maxDatagramSize,
        retryWindow: options.retryWindow,
        budget: new ReceiveBudget(pool, options.maxBufferedBytes),
        counters: options.counters,
        firstRoundTrip: roundTrip,
      },
      handlers,
    );
  } catch (error) {
    socket.close();
    throw rpcErrorFromOs(error);
  }
}

/**
 * OPEN until OPENED. Resolves with the server's idle timeout, and the round trip when the first
 * OPEN was answered (a first sample for the retransmission timeout).
 */
function handshake(socket: Socket, identity: Buffer, options: UdpSettings): Promise<{ idleTimeout: number; roundTrip: number | undefined }> {
  const { address, connectTimeout, counters } = options;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let attempts = 0;
    let retry: NodeJS.Timeout | undefined;
    const finish = (settle: () => void) => {
      clearTimeout(retry);
      clearTimeout(deadline);
      socket.off('message', onMessage);
      socket.off('error', onError);
      settle();
    };
    const onMessage = (bytes: Buffer) => {
      counters.datagramsReceived++;
      const datagram = readDatagram(bytes);
      if (typeof datagram === 'string') return counters.drop(datagram, address);
      if (!namesConnection(bytes, identity)) return counters.drop('unknown-connection', address);
      if (datagram.kind === DatagramKind.Opened) {
        const roundTrip = attempts === 1 ? performance.now() - started : undefined;
        finish(() => resolve({ idleTimeout: datagram.idleTimeout, roundTrip }));
      } else if (datagram.kind === DatagramKind.Close) {
        finish(() => reject(new RpcError(Code.Unavailable, closeProblem(datagram.reason, address))));
      }
    };
    const onError = (error: Error) => finish(() => reject(error));
    const send = () => {
      counters.datagramsSent++;
      // ICMP port unreachable may surface here rather than as an 'error' event.
      socket.send(openDatagram(identity), (error) => {
        if (error !== null) onError(error);
      });
      retry = setTimeout(send, retransmitDelay(INITIAL_RETRANSMIT_MS, attempts++));
    };
    const deadline = setTimeout(() => finish(() => reject(new RpcError(Code.Unavailable, `${address} did not answer within ${connectTimeout} ms`))), connectTimeout);
    socket.on('message', onMessage);
    socket.on('error', onError);
    send();
  });
}
