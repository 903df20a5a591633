/**
 * A diagnostic, not part of `npm run bench`: sequential `add(1, 2)` with client and server in
 * ONE process over loopback, beside a raw dgram echo in the same process. With no second process
 * there is no wake-up or scheduling cost in the numbers, only the per-message work of each side,
 * hot: what is left over raw is the transport's and the runtime's code. Profile it with
 * `node --cpu-prof --cpu-prof-interval 25 --import tsx bench/in-process-round-trip.ts`.
 *
 *   node --import tsx bench/in-process-round-trip.ts [calls]
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect, Server, type Transport } from '@conduit/runtime';
import { tcp, udp } from '@conduit/transports';
import { benchHandlers, BenchService } from './bench-service.js';

const calls = Number(process.argv[2] ?? 20_000);
const WARMUP = 3_000;

async function measure(label: string, call: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < WARMUP; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => ((times[Math.floor(times.length * q)] as number) * 1000).toFixed(1).padStart(7);
  console.log(`${label.padEnd(24)} p10 ${at(0.1)} µs  p50 ${at(0.5)} µs  p90 ${at(0.9)} µs`);
}

async function rawUdpEcho(): Promise<() => Promise<unknown>> {
  const server = createSocket('udp4');
  server.bind(0, '127.0.0.1');
  await once(server, 'listening');
  server.on('message', (message, from) => server.send(message, from.port, from.address));
  const client = createSocket('udp4');
  client.connect(server.address().port, '127.0.0.1');
  await once(client, 'connect');
  let answered: (() => void) | undefined;
  client.on('message', () => answered?.());
  const ping = Buffer.alloc(64);
  return () =>
    new Promise<void>((resolve) => {
      answered = resolve;
      client.send(ping);
    });
}

async function conduit(transport: Transport): Promise<{ call: () => Promise<unknown>; close: () => Promise<void> }> {
  const server = new Server();
  server.add(BenchService, benchHandlers);
  const listening = await server.listen(transport);
  const channel = await connect(listening.url);
  return {
    call: () => channel.unary(BenchService.methods.add, [1, 2]),
    close: async () => {
      await channel.close();
      await server.close();
    },
  };
}

console.log(`${calls} sequential calls each, client and server in this process (${process.version})`);
await measure('raw dgram echo, 64 B', await rawUdpEcho());
for (const [label, transport] of [
  ['Conduit over udp', udp({ host: '127.0.0.1', port: 0 })],
  ['Conduit over tcp', tcp({ host: '127.0.0.1', port: 0 })],
] as const) {
  const { call, close } = await conduit(transport);
  await measure(label, call);
  await close();
}
process.exit(0);
