/**
 * The calculator client of a multicast group (the first argument, `multicast://239.255.0.1:4100`):
 * a plain call, which takes the first reply; gathering calls, which take every member's; a one-way
 * notification to the whole group; and a stream call, which a group cannot carry.
 */
import { codeName, connect, gather, RpcError, type Reply } from '@conduit/runtime';
import { multicast } from '@conduit/transports';
import { CalculatorClient } from '../calculator/generated/calculator.rpc.js';
import { requirePrivateNetwork } from '../private-network.js';

requirePrivateNetwork('examples/multicast/client.ts');
const group = new URL(process.argv[2] ?? 'multicast://239.255.0.1:4100');

const channel = await connect(multicast({ group: group.hostname, port: Number(group.port) }));
const calc = new CalculatorClient(channel);
const since = (start: number) => `${(performance.now() - start).toFixed(1)} ms`;
const replyText = (reply: Reply<unknown>) =>
  reply.ok ? JSON.stringify(reply.value) : `[${codeName(reply.error.code)}] ${reply.error.message}`;

let start = performance.now();
const first = await calc.add(1, 2);
console.log(`add(1, 2) = ${first}: a plain call sends once to the group and takes the first reply (${since(start)})`);

start = performance.now();
const all = await gather(CalculatorClient, channel, { window: 200 }).add(20, 22);
console.log(`gather({ window: 200 }).add(20, 22): ${all.length} replies, one per member, collected for the whole window (${since(start)})`);
for (const reply of all) console.log(`  from ${reply.from}: ${replyText(reply)}`);

start = performance.now();
const two = await gather(CalculatorClient, channel, { count: 2 }).divide(1, 4);
console.log(`gather({ count: 2 }).divide(1, 4): ${two.length} replies, back as soon as the second came (${since(start)})`);
for (const reply of two) console.log(`  from ${reply.from}: ${replyText(reply)}`);

console.log(`log('hello, group'): one-way, one datagram to the group; every member prints it`);
calc.log('hello, group');

try {
  const counted: number[] = [];
  for await (const n of calc.countdown(3)) counted.push(n);
  console.log(`countdown(3) streamed ${JSON.stringify(counted)} (unexpected: a group cannot carry streams)`);
  process.exitCode = 1;
} catch (error) {
  const e = RpcError.from(error);
  console.log(`countdown(3) failed: [${codeName(e.code)}] ${e.message}`);
}
await channel.close();
