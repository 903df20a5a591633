/** Conduit server for the bench: `Bench.add` over the udp transport on 127.0.0.1. */
import { Server } from '@conduit/runtime';
import { udp } from '@conduit/transports';
import { benchHandlers, BenchService } from '../bench-service.js';
import { announce, exitWithParent } from './server-lifecycle.js';

const server = new Server();
server.add(BenchService, benchHandlers);
const listening = await server.listen(udp({ host: '127.0.0.1', port: 0 }));
announce({ url: listening.url });

exitWithParent(() => server.close());
