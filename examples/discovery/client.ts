/**
 * Finds the calculator servers by asking the discovery group, then calls each one directly over
 * the URL it announced.
 */
import { connect } from '@conduit/runtime';
import { discover } from '@conduit/transports';
import { CalculatorClient } from '../calculator/generated/calculator.rpc.js';
import { requirePrivateNetwork } from '../private-network.js';

requirePrivateNetwork('examples/discovery/client.ts');

const start = performance.now();
const found = await discover('Calculator');
console.log(`discover('Calculator'): ${found.length} servers answered within the 200 ms window (${(performance.now() - start).toFixed(0)} ms)`);
for (const { url, from } of found) console.log(`  ${url}, announced by ${from}`);

for (const [i, { url }] of found.entries()) {
  const channel = await connect(url);
  const calc = new CalculatorClient(channel);
  console.log(`${url}: add(${i}, 40) = ${await calc.add(i, 40)}`);
  await channel.close();
}

const nobody = await discover('Chat');
console.log(`discover('Chat'): ${nobody.length === 0 ? 'nobody serves it' : nobody.map((d) => d.url).join(', ')}`);
if (found.length === 0) process.exitCode = 1;
