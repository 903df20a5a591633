/** Conduit server for the streaming bench: `StreamBench.blob` over the tcp transport on 127.0.0.1. */
import { Server } from '@conduit/runtime';
import { tcp } from '@conduit/transports';
import { StreamBenchService } from '../stream-bench-service.js';
import { announce, exitWithParent } from './server-lifecycle.js';

const server = new Server();
server.add(StreamBenchService, {
  // One payload for the whole stream, as the gRPC server does: the bench measures the stream, not allocation.
  async *blob(count, size) {
    const payload = Buffer.alloc(size, 1);
    for (let i = 0; i < count; i++) yield payload;
  },
});
const listening = await server.listen(tcp({ host: '127.0.0.1', port: 0 }));
announce({ port: Number(new URL(listening.url).port), url: listening.url });

exitWithParent(() => server.close());
