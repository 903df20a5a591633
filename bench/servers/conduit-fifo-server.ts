/** Conduit server for the bench: `Bench.add` over the fifo transport, its FIFO in a private temp folder. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server } from '@conduit/runtime';
import { fifo } from '@conduit/transports';
import { benchHandlers, BenchService } from '../bench-service.js';
import { announce, exitWithParent } from './server-lifecycle.js';

const dir = mkdtempSync(join(tmpdir(), 'conduit-bench-fifo-'));
const server = new Server();
server.add(BenchService, benchHandlers);
const listening = await server.listen(fifo({ path: join(dir, 'bench.fifo') }));
announce({ url: listening.url });

exitWithParent(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
