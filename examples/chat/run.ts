/**
 * Starts the chat server and three members, each in its own process, and prints what each saw.
 * Exits 0 when every member has seen its own lines come back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
/** The whole chat must be over by then; a hang fails the run instead of waiting forever. */
const RUN_TIMEOUT_MS = 30_000;

const children = new Set<ChildProcess>();
process.once('exit', () => children.forEach((child) => child.kill('SIGKILL')));
const timeout = setTimeout(() => {
  console.error(`the chat did not finish within ${RUN_TIMEOUT_MS} ms`);
  process.exit(1);
}, RUN_TIMEOUT_MS);

const members = [
  ['ada', 'hello everyone', 'streams both ways on one call'],
  ['grace', 'hi ada', 'flow control keeps a slow reader from filling memory'],
  ['linus', 'hey', 'bye'],
] as const;

function start(file: string, args: string[]): { child: ChildProcess; lines: AsyncIterableIterator<string> } {
  const env = { ...process.env, CHAT_WAIT_FOR: String(members.length) };
  const child = spawn(process.execPath, ['--import', 'tsx', here(file), ...args], { stdio: ['ignore', 'pipe', 'inherit'], env });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return { child, lines: createInterface({ input: child.stdout! })[Symbol.asyncIterator]() };
}

const server = start('server.ts', []);
const first = await server.lines.next();
if (first.done) throw new Error('the chat server exited before printing its URL');
const url = first.value;
console.log(`  [server pid ${server.child.pid}] chat room at ${url}`);


const exits = members.map(async ([name, ...lines]) => {
  const member = start('client.ts', [url, name, ...lines]);
  for await (const line of member.lines) console.log(`  [${name}] ${line}`);
  const [code] = await once(member.child, 'exit');
  if (code !== 0) throw new Error(`${name} exited with ${code}`);
});
await Promise.all(exits);
server.child.kill('SIGTERM');
await once(server.child, 'exit');
clearTimeout(timeout);
console.log('  chat finished: every member heard its own lines come back');
