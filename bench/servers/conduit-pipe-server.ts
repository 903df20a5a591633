/** Conduit server for the bench over the pipe transport: `Bench.add` on this process's stdin/stdout, spawned by its client. */
import { Server } from '@conduit/runtime';
import { pipe } from '@conduit/transports';
import { benchHandlers, BenchService } from '../bench-service.js';

const server = new Server();
server.add(BenchService, benchHandlers);
await server.listen(pipe.stdio());
// When the client closes, stdin ends, the connection closes, and nothing keeps this process alive.
