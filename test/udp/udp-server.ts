/**
 * The Probe and Counter services over udp in their own process, for the udp tests. Prints its URL
 * as the first line of stdout; on SIGTERM it drains, prints `closed` and exits 0.
 *
 *   node --import tsx test/udp/udp-server.ts [--port N] [--max-message-size N] [--grace MS]
 *       [--idempotent Service.method,…] [--reply-cache-entries N]
 */
import { parseArgs } from 'node:util';
import { Server } from '@conduit/runtime';
import { ProbeService } from '../fixtures/generated/probe.rpc.js';
import { probeHandlers } from '../fixtures/probe-handlers.js';
import { udp } from '@conduit/transports';
import { counterHandlers } from './counter-handlers.js';
import { CounterService } from './generated/counter.rpc.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'max-message-size': { type: 'string' },
    grace: { type: 'string', default: '2000' },
    idempotent: { type: 'string' },
    'reply-cache-entries': { type: 'string' },
  },
});

const idempotent = new Set(values.idempotent?.split(',') ?? []);
const server = new Server({ gracePeriod: Number(values.grace) });
server.add(ProbeService, probeHandlers({ peerInMetadata: true }));
server.add(CounterService, counterHandlers());

const transport = udp({
  host: '127.0.0.1',
  port: Number(values.port),
  ...(values['max-message-size'] !== undefined && { maxMessageSize: Number(values['max-message-size']) }),
  ...(values['reply-cache-entries'] !== undefined && { replyCache: { maxEntries: Number(values['reply-cache-entries']) } }),
  idempotent: (method) => idempotent.has(method),
});
const listening = await server.listen(transport);
console.log(listening.url);

process.once('SIGTERM', () => {
  void server.close().then(() => {
    console.log('closed');
    process.exit(0);
  });
});
