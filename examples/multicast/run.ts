/**
 * Three calculator members in one multicast group and a client calling them, each in its own
 * process, all inside a private network namespace:
 *
 *   scripts/private-network.sh node --import tsx examples/multicast/run.ts
 *
 * Prints every process's lines prefixed with who said them, and exits 0 once the client is done,
 * every member has heard the client's one-way notification and every member has exited.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { requirePrivateNetwork, spawnNode } from '../private-network.js';

requirePrivateNetwork('examples/multicast/run.ts');

const GROUP = 'multicast://239.255.0.1:4100';
const MEMBERS = 3;
/** Everything here takes a second or two; past this something hangs, and the run fails. */
const RUN_TIMEOUT_MS = 20_000;
/** How long members may take to print the notification after the client is done. */
const NOTIFICATION_WAIT_MS = 2_000;

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const children = new Set<ChildProcess>();
process.once('exit', () => children.forEach((child) => child.kill('SIGKILL')));
setTimeout(() => {
  console.log(`the multicast run did not finish within ${RUN_TIMEOUT_MS} ms; stopping`);
  process.exit(1);
}, RUN_TIMEOUT_MS).unref();

interface Member {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<unknown>;
  /** Resolves when the member has printed a line from the client's one-way `log`. */
  readonly notified: Promise<void>;
}

function start(script: string, args: string[]): { child: ChildProcess; lines: AsyncIterableIterator<string>; exited: Promise<unknown> } {
  const child = spawnNode(script, args);
  children.add(child);
  const exited = once(child, 'exit').then(([code]) => {
    children.delete(child);
    return code;
  });
  return { child, lines: createInterface({ input: child.stdout! })[Symbol.asyncIterator](), exited };
}

async function startMember(index: number): Promise<Member> {
  const { child, lines, exited } = start(here('member.ts'), [GROUP]);
  const first = await lines.next();
  if (first.done) throw new Error(`member ${index} exited before joining the group`);
  const name = `member ${index} pid ${child.pid}`;
  console.log(`[${name}] ${first.value}`);
  const notified = (async () => {
    let heard = false;
    for (let line = await lines.next(); !line.done; line = await lines.next()) {
      console.log(`[${name}] ${line.value}`);
      if (line.value.startsWith('log from ')) heard = true;
      if (heard) return void drain(name, lines);
    }
    throw new Error(`${name} exited without printing the notification`);
  })();
  notified.catch(() => undefined);
  return { name, child, exited, notified };
}

/** Echoes a member's later lines (its draining on exit, say). */
function drain(name: string, lines: AsyncIterableIterator<string>): void {
  void (async () => {
    for (let line = await lines.next(); !line.done; line = await lines.next()) console.log(`[${name}] ${line.value}`);
  })();
}

const members: Member[] = [];
for (let i = 1; i <= MEMBERS; i++) members.push(await startMember(i));

const client = start(here('client.ts'), [GROUP]);
client.child.stdin!.end();
for (let line = await client.lines.next(); !line.done; line = await client.lines.next()) console.log(`[client] ${line.value}`);
const clientCode = await client.exited;

const heard = members.map(() => false);
members.forEach((member, i) => void member.notified.then(() => (heard[i] = true), () => undefined));
await Promise.race([
  Promise.allSettled(members.map((member) => member.notified)),
  new Promise((resolve) => setTimeout(resolve, NOTIFICATION_WAIT_MS).unref()),
]);
members.forEach((member, i) => heard[i] || console.log(`[${member.name}] never printed the one-way notification`));

// Closing a member's stdin ends it (exitWithParent): it leaves the group and exits.
for (const member of members) member.child.stdin!.end();
const codes = await Promise.all(members.map((member) => member.exited));
console.log(`[members] ${MEMBERS} members left the group and exited with ${codes.join(', ')}`);
process.exit(clientCode === 0 && heard.every(Boolean) && codes.every((code) => code === 0) ? 0 : 1);
