/**
 * Three calculator servers that announce themselves and a client that discovers and calls them,
 * each in its own process, all inside a private network namespace:
 *
 *   scripts/private-network.sh node --import tsx examples/discovery/run.ts
 *
 * Prints every process's lines prefixed with who said them; exits 0 once the client is done and
 * every server has exited.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { requirePrivateNetwork, spawnNode } from '../private-network.js';

requirePrivateNetwork('examples/discovery/run.ts');

const SERVERS = 3;
/** Everything here takes a second or two; past this something hangs, and the run fails. */
const RUN_TIMEOUT_MS = 20_000;

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const children = new Set<ChildProcess>();
process.once('exit', () => children.forEach((child) => child.kill('SIGKILL')));
setTimeout(() => {
  console.log(`the discovery run did not finish within ${RUN_TIMEOUT_MS} ms; stopping`);
  process.exit(1);
}, RUN_TIMEOUT_MS).unref();

/** Starts a script, printing its lines as `[name] line`; resolves once it printed its first. */
async function start(script: string, name: (pid: number | undefined) => string): Promise<{ child: ChildProcess; exited: Promise<unknown> }> {
  const child = spawnNode(here(script), []);
  children.add(child);
  const exited = once(child, 'exit').then(([code]) => {
    children.delete(child);
    return code;
  });
  const lines = createInterface({ input: child.stdout! });
  const first = once(lines, 'line');
  lines.on('line', (line) => console.log(`[${name(child.pid)}] ${line}`));
  await Promise.race([first, exited.then(() => Promise.reject(new Error(`${script} exited before it was ready`)))]);
  return { child, exited };
}

const servers = [];
for (let i = 1; i <= SERVERS; i++) servers.push(await start('server.ts', (pid) => `server ${i} pid ${pid}`));

const client = await start('client.ts', () => 'client');
client.child.stdin!.end();
const clientCode = await client.exited;

// Closing a server's stdin ends it (exitWithParent): it leaves the discovery group and exits.
for (const server of servers) server.child.stdin!.end();
const codes = await Promise.all(servers.map((server) => server.exited));
console.log(`[servers] ${SERVERS} servers left the group and exited with ${codes.join(', ')}`);
process.exit(clientCode === 0 && codes.every((code) => code === 0) ? 0 : 1);
