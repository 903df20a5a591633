/**
 * One member of the calculator's multicast group: serves the calculator on the group given as the
 * first argument (`multicast://239.255.0.1:4100`) and prints one line once it has joined. Ends
 * when its parent's end of its stdin closes (run.ts), on SIGTERM or on Ctrl-C.
 */
import { Server } from '@conduit/runtime';
import { multicast } from '@conduit/transports';
import { calculatorHandlers } from '../calculator/handlers.js';
import { CalculatorService } from '../calculator/generated/calculator.rpc.js';
import { exitWithParent, requirePrivateNetwork } from '../private-network.js';

requirePrivateNetwork('examples/multicast/member.ts');
const group = new URL(process.argv[2] ?? 'multicast://239.255.0.1:4100');

const server = new Server();
server.add(CalculatorService, calculatorHandlers());
// Each member answers a call after a random 0-20 ms (replyDelay), so members do not all answer at once.
const listening = await server.listen(multicast({ group: group.hostname, port: Number(group.port), replyDelay: 20 }));
console.log(`joined ${listening.url} (pid ${process.pid})`);

exitWithParent(() => server.close());
