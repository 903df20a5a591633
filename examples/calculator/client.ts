/**
 * The calculator client: connects to the URL given as the first argument and prints each call
 * with its result or error. With `pipe` instead of a URL it spawns the server itself as a child
 * process and talks to it over the child's stdin and stdout.
 */
import { fileURLToPath } from 'node:url';
import { connect, protobufCodec, RpcError, codeName, type Transport } from '@conduit/runtime';
import { pipe } from '@conduit/transports';
import { CalculatorClient } from './generated/calculator.rpc.js';

const arg = process.argv[2];
if (arg === undefined) {
  console.error('usage: client.ts <url>|pipe   e.g. client.ts tcp://127.0.0.1:4000, or client.ts pipe');
  process.exit(2);
}
const server = fileURLToPath(new URL('./server.ts', import.meta.url));
/** For `pipe`, one transport: each channel on it spawns its own server child. */
const url: string | Transport = arg === 'pipe' ? pipe.spawn(process.execPath, ['--import', 'tsx', server, 'pipe']) : arg;

const channel = await connect(url);
const calc = new CalculatorClient(channel);

/** Prints `call` with what `outcome` resolves to (after `said`), or with the error it fails with. */
async function report(call: string, said: string, outcome: Promise<unknown>): Promise<void> {
  try {
    console.log(`${call} ${said} ${JSON.stringify(await outcome)}`);
  } catch (error) {
    const e = RpcError.from(error);
    console.log(`${call} failed: [${codeName(e.code)}] ${e.message}${e.details === undefined ? '' : ` ${JSON.stringify(e.details)}`}`);
  }
}

const show = (call: string, result: Promise<unknown>) => report(call, '=', result);

/** A response stream, collected; over a transport without streams (udp) the call fails with Unimplemented. */
async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

await show('add(1, 2)', calc.add(1, 2));
await show('divide(1, 4)', calc.divide(1, 4));
await show('divide(1, 0)', calc.divide(1, 0));
await show("centroid([(0,0), (4,0), (2,6)], 'middle')", calc.centroid([{ x: 0, y: 0 }, { x: 4, y: 0 }, { x: 2, y: 6 }], 'middle'));
await show('add(1, 2) with timeout 50 ms and metadata', calc.add(1, 2, { timeout: 50, metadata: { authorization: 'Bearer demo' } }));
calc.log('hello from the client');
await show('add(2, 40) after a one-way log', calc.add(2, 40));
await report('countdown(5)', 'streamed', collect(calc.countdown(5)));
async function* streamOf<T>(...items: T[]): AsyncGenerator<T> {
  yield* items;
}
await show('total(1..100 as a client stream)', calc.total(streamOf(...Array.from({ length: 100 }, (_, i) => i + 1))));
await report('echo(streams, both, ways)', 'streamed back', collect(calc.echo(streamOf('streams', 'both', 'ways'))));
const started = performance.now();
const sums = await Promise.all(Array.from({ length: 1000 }, (_, i) => calc.add(i, i)));
console.log(`1000 concurrent add calls on one connection: all correct = ${sums.every((s, i) => s === 2 * i)}, ${(performance.now() - started).toFixed(1)} ms`);
await channel.close();

// The same stubs over the protobuf codec: the messages calculator.proto describes, for peers in other languages.
const proto = await connect(url, { codec: protobufCodec });
const calcProto = new CalculatorClient(proto);
await show('add(20, 22) over protobuf', calcProto.add(20, 22));
await show("centroid([(0,0), (2,2)]) over protobuf", calcProto.centroid([{ x: 0, y: 0 }, { x: 2, y: 2 }]));
await show('divide(1, 0) over protobuf', calcProto.divide(1, 0));
await proto.close();
