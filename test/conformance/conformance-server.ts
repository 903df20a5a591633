/**
 * The Conformance service in its own process, for adapters whose server runs apart from the
 * test. Prints the URL it listens on as the first line of stdout, and drains on SIGTERM (then
 * prints `closed` and exits 0).
 *
 *   node --import tsx test/conformance/conformance-server.ts --transport tcp [--max-message-size N] [--auth] [--grace MS]
 *   node --import tsx test/conformance/conformance-server.ts --transport fifo --path /tmp/x/server.fifo [...]
 *   node --import tsx test/conformance/conformance-server.ts --transport pipe [...]   (spawned by pipe.spawn)
 *   node --import tsx test/conformance/conformance-server.ts --transport shm --name some-name [...]
 *   node --import tsx test/conformance/conformance-server.ts --transport udp [...]
 *   node --import tsx test/conformance/conformance-server.ts --listen tcp://127.0.0.1:0 [--auth] [--grace MS]
 *
 * `--transport` names an entry of `listeners` below, which applies `--max-message-size`;
 * `--listen` takes any URL whose scheme `@conduit/transports` registers, with that transport's
 * default limits. Over `pipe` stdout is the protocol, so nothing is printed there: the parent
 * that spawned this process is its only client.
 */
import { parseArgs } from 'node:util';
import type { Transport } from '@conduit/runtime';
import { fifo, pipe, shm, tcp, udp } from '@conduit/transports';
import { conformanceServer } from './conformance-service.js';

/** How this process listens on each transport, bound to 127.0.0.1 and a free port where that applies. */
const listeners: Record<string, (maxMessageSize: number | undefined) => Transport> = {
  tcp: (maxMessageSize) => tcp({ host: '127.0.0.1', port: 0, ...(maxMessageSize !== undefined && { maxMessageSize }) }),
  fifo: (maxMessageSize) => {
    if (values.path === undefined) throw new Error('--transport fifo needs --path <absolute path of the FIFO>');
    return fifo({ path: values.path, ...(maxMessageSize !== undefined && { maxMessageSize }) });
  },
  pipe: (maxMessageSize) => pipe.stdio(maxMessageSize === undefined ? {} : { maxMessageSize }),
  udp: (maxMessageSize) => udp({ host: '127.0.0.1', port: 0, ...(maxMessageSize !== undefined && { maxMessageSize }) }),
  shm: (maxMessageSize) => {
    if (values.name === undefined) throw new Error('--transport shm needs --name <server name>');
    return shm({ name: values.name, ...(maxMessageSize !== undefined && { maxMessageSize }) });
  },
};

const { values } = parseArgs({
  options: {
    transport: { type: 'string' },
    listen: { type: 'string' },
    auth: { type: 'boolean', default: false },
    'max-message-size': { type: 'string' },
    path: { type: 'string' },
    name: { type: 'string' },
    grace: { type: 'string', default: '1000' },
  },
});

function target(): Transport | string {
  if (values.listen !== undefined) return values.listen;
  const make = listeners[values.transport ?? ''];
  if (make === undefined) {
    throw new Error(`--transport must be one of ${Object.keys(listeners).join(', ')} (got '${values.transport}'), or give --listen <url>`);
  }
  const limit = values['max-message-size'];
  return make(limit === undefined ? undefined : Number(limit));
}

const overPipe = values.transport === 'pipe';
const server = conformanceServer({ auth: values.auth, gracePeriod: Number(values.grace) });
const listening = await server.listen(target());
// Over a pipe the parent learns the URL from nothing: it waits for this line on our stderr instead.
if (overPipe) console.error('ready');
else console.log(listening.url);

process.once('SIGTERM', () => {
  void server.close().then(() => {
    if (!overPipe) console.log('closed');
    process.exit(0);
  });
});
