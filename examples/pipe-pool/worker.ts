/**
 * One worker of the pool: serves the Worker service over this process's stdin and stdout to the
 * parent that spawned it (pool.ts). Stdout belongs to the protocol, so logs go to stderr with
 * console.error; a console.log here would break the connection (the parent reports the text).
 */
import { Server } from '@conduit/runtime';
import { pipe } from '@conduit/transports';
import { WorkerService } from './generated/worker.rpc.js';

function isPrime(n: number): boolean {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let divisor = 3; divisor * divisor <= n; divisor += 2) if (n % divisor === 0) return false;
  return true;
}

const server = new Server();
server.add(WorkerService, {
  // Blocking work is fine here: this process exists to do it, and the parent's event loop is elsewhere.
  countPrimes: (from, to) => {
    let count = 0;
    for (let n = from; n < to; n++) if (isPrime(n)) count++;
    return count;
  },
  whoami: () => process.pid,
});
await server.listen(pipe.stdio());
console.error(`worker ${process.pid}: serving on stdin/stdout`);
// Nothing else to do: when the parent closes its channel, stdin ends and this process exits by itself.
