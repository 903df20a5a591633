/**
 * A calculator server that others can find: serves the calculator over tcp on 127.0.0.1 (a free
 * port) and announces it on the discovery group, then prints one line. Ends when its parent's end
 * of its stdin closes (run.ts), on SIGTERM or on Ctrl-C, leaving the group first.
 */
import { Server } from '@conduit/runtime';
import { announce, DISCOVERY_GROUP, DISCOVERY_PORT, tcp } from '@conduit/transports';
import { calculatorHandlers } from '../calculator/handlers.js';
import { CalculatorService } from '../calculator/generated/calculator.rpc.js';
import { exitWithParent, requirePrivateNetwork } from '../private-network.js';

requirePrivateNetwork('examples/discovery/server.ts');

const server = new Server();
server.add(CalculatorService, calculatorHandlers());
const listening = await server.listen(tcp({ host: '127.0.0.1', port: 0 }));
// Answers every discover('Calculator') on the discovery group with this URL; the server itself is unchanged.
const announcement = await announce({ services: [CalculatorService], urls: [listening.url] });
console.log(`serving Calculator on ${listening.url}, announced on multicast://${DISCOVERY_GROUP}:${DISCOVERY_PORT} (pid ${process.pid})`);

exitWithParent(async () => {
  await announcement.close();
  await server.close();
});
