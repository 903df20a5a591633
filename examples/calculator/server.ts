/**
 * The calculator server. Listens on the transport URL given as the first argument (default
 * `tcp://127.0.0.1:0`, a free port), prints the URL it got as its first line, and drains
 * gracefully on SIGTERM or SIGINT. With `pipe` instead of a URL it serves its parent over its
 * own stdin and stdout (the client spawned it), and so writes everything else to stderr.
 */
import { msgpackCodec, protobufCodec, Server } from '@conduit/runtime';
import { pipe, tcp } from '@conduit/transports';
import { CalculatorService } from './generated/calculator.rpc.js';
import { calculatorHandlers } from './handlers.js';

const overPipe = process.argv[2] === 'pipe';
/** Over a pipe stdout is the protocol: a stray console.log there would be a protocol error. */
const say = overPipe ? console.error : console.log;

// msgpack by default; protobuf for clients that ask for it (the stubs carry its schema: --proto).
const server = new Server({ codecs: [msgpackCodec, protobufCodec] });
server.add(CalculatorService, calculatorHandlers(say));

const listening = await server.listen(overPipe ? pipe.stdio() : (process.argv[2] ?? tcp({ host: '127.0.0.1', port: 0 })));
say(overPipe ? `serving my parent over ${listening.url} (pid ${process.pid})` : listening.url);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    say(`${signal}: draining`);
    void server.close().then(() => process.exit(0));
  });
}
