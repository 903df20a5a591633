/**
 * Conduit multicast member for the bench: `Bench.add` on the group `multicast://<group>:<port>`
 * given as the first argument, replying at once (replyDelay 0). Started by
 * multicast/measure-multicast.ts, inside a private network namespace only.
 */
import { Server } from '@conduit/runtime';
import { multicast } from '@conduit/transports';
import { benchHandlers, BenchService } from '../bench-service.js';
import { requirePrivateNetwork } from '../multicast/private-network.js';
import { announce, exitWithParent } from './server-lifecycle.js';

requirePrivateNetwork('bench/servers/conduit-multicast-member.ts');
const group = new URL(process.argv[2] ?? '');
const server = new Server();
server.add(BenchService, benchHandlers);
const listening = await server.listen(multicast({ group: group.hostname, port: Number(group.port), replyDelay: 0 }));
announce({ url: listening.url, pid: process.pid });

exitWithParent(() => server.close());
