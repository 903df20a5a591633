/** Baseline server: answers `{ id, a, b }` with `{ id, result: a + b }` over the fork IPC channel. */
import { announce, exitWithParent } from './server-lifecycle.js';

interface AddRequest { id: number; a: number; b: number }

if (process.send === undefined) throw new Error('fork-ipc-server must be started with fork()');
const send = process.send.bind(process);

process.on('message', (message: AddRequest) => {
  send({ id: message.id, result: message.a + message.b });
});

announce({ ready: true, pid: process.pid });
exitWithParent();
