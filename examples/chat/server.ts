/**
 * The chat server: listens on the URL given as the first argument (default a free TCP port on
 * 127.0.0.1), prints the URL as its first line, and drains on SIGTERM or SIGINT.
 */
import { Server } from '@conduit/runtime';
import { tcp } from '@conduit/transports';
import { ChatService } from './generated/chat.rpc.js';
import { Room } from './room.js';

const room = new Room();
const server = new Server({ gracePeriod: 1_000 });
server.add(ChatService, {
  join: (name, lines, ctx) => room.join(name, lines, ctx.signal),
});

const listening = await server.listen(process.argv[2] ?? tcp({ host: '127.0.0.1', port: 0 }));
console.log(listening.url);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)));
}
