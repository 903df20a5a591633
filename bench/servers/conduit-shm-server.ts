/** Conduit server for the bench: `Bench.add` over the shm transport, under a name of its own. */
import { Server } from '@conduit/runtime';
import { shm } from '@conduit/transports';
import { benchHandlers, BenchService } from '../bench-service.js';
import { announce, exitWithParent } from './server-lifecycle.js';

const server = new Server();
server.add(BenchService, benchHandlers);
const listening = await server.listen(shm({ name: `bench-${process.pid}` }));
announce({ url: listening.url });

exitWithParent(() => server.close());
