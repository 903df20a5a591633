/**
 * `npm run demo`: generates the calculator stubs with the real CLI, then, for each transport,
 * starts the calculator server in its own process, runs the client in another, prints what both
 * said, and stops the server. Multicast runs three members and a client inside a private network
 * namespace (examples/multicast/run.ts under scripts/private-network.sh), and is skipped, saying
 * why, where such a namespace cannot be made. Exits 0 only if every step worked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const root = here('..');

/** Where the fifo server's well-known FIFO goes; removed when the demo ends. */
const fifoDir = mkdtempSync(join(tmpdir(), 'conduit-demo-'));
process.once('exit', () => rmSync(fifoDir, { recursive: true, force: true }));

/** Transports the demo runs over, with the URL the server listens on. */
const transports = [
  { name: 'tcp', listen: 'tcp://127.0.0.1:0' },
  { name: 'fifo', listen: `fifo://${join(fifoDir, 'calculator.fifo')}` },
  // A name of its own per run, so two demos at once do not meet.
  { name: 'shm', listen: `shm://calculator-demo-${process.pid}` },
  // Datagrams: calls and one-way calls, with loss hidden; streams are refused with Unimplemented.
  { name: 'udp', listen: 'udp://127.0.0.1:0' },
];

/** A step that takes longer than this has hung; the demo fails instead of waiting forever. */
const STEP_TIMEOUT_MS = 30_000;

const children = new Set<ChildProcess>();
process.once('exit', () => children.forEach((child) => child.kill('SIGKILL')));

function run(
  label: string,
  args: string[],
  command: string = process.execPath,
): { child: ChildProcess; lines: AsyncIterable<string>; exited: Promise<number | null> } {
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  const exited = once(child, 'exit').then(([code]) => {
    children.delete(child);
    return code as number | null;
  });
  const timer = setTimeout(() => {
    console.error(`${label} did not finish within ${STEP_TIMEOUT_MS} ms; stopping it`);
    child.kill('SIGKILL');
  }, STEP_TIMEOUT_MS);
  void exited.then(() => clearTimeout(timer));
  return { child, lines: createInterface({ input: child.stdout! }), exited };
}

/** Runs one process to its end, printing its lines under `label` (as they are when it labels its own). */
async function step(label: string | undefined, args: string[], command?: string): Promise<void> {
  const { lines, exited } = run(label ?? 'the multicast run', args, command);
  for await (const line of lines) console.log(label === undefined ? `  ${line}` : `  [${label}] ${line}`);
  const code = await exited;
  if (code !== 0) throw new Error(`${label} exited with ${code}`);
}

console.log('conduit demo: calculator service, server and client in separate processes\n');
console.log('$ conduit gen examples/calculator/services/calculator.ts --out examples/calculator/generated --proto');
await step('conduit', [here('../packages/codegen/bin/conduit.js'), 'gen', 'examples/calculator/services/calculator.ts', '--out', 'examples/calculator/generated', '--proto']);
await step('conduit', [here('../packages/codegen/bin/conduit.js'), 'gen', 'examples/chat/services/chat.ts', '--out', 'examples/chat/generated']);

for (const transport of transports) {
  console.log(`\n== ${transport.name} ==`);
  const server = run('server', ['--import', 'tsx', here('calculator/server.ts'), transport.listen]);
  const serverLines = server.lines[Symbol.asyncIterator]();
  const first = await serverLines.next();
  if (first.done) throw new Error(`the ${transport.name} server exited before printing its URL`);
  const url = first.value;
  console.log(`  [server pid ${server.child.pid}] listening on ${url}`);
  const echo = (async () => {
    for (let line = await serverLines.next(); !line.done; line = await serverLines.next()) console.log(`  [server] ${line.value}`);
  })();
  await step(`client`, ['--import', 'tsx', here('calculator/client.ts'), url]);
  server.child.kill('SIGTERM');
  const code = await server.exited;
  await echo;
  if (code !== 0) throw new Error(`the ${transport.name} server exited with ${code}`);
  console.log(`  [server] exited cleanly`);
}
console.log('\n== multicast: three members in one group and a client, in a private network namespace ==');
const privateNetwork = here('../scripts/private-network.sh');
const noNamespace = await whyNoPrivateNetwork();
if (noNamespace === undefined) {
  // The namespace's loopback is its only interface: not one datagram of this reaches a real network.
  await step(undefined, [privateNetwork, process.execPath, '--import', 'tsx', here('multicast/run.ts')], 'sh');
} else {
  console.log(`  multicast skipped: ${noNamespace}`);
}
console.log('\n== pipe: the client spawns the server as its child and talks over its stdin/stdout ==');
await step('client', ['--import', 'tsx', here('calculator/client.ts'), 'pipe']);
console.log('\n== chat: a bidirectional stream per member, server and three members in separate processes ==');
await step('chat', ['--import', 'tsx', here('chat/run.ts')]);
const answered = [...transports.map((t) => t.name), ...(noNamespace === undefined ? ['multicast'] : []), 'pipe'].join(', ');
console.log(
  noNamespace === undefined
    ? `\ndemo finished: every transport answered (${answered}), and the chat ran`
    : `\ndemo finished: every transport answered (${answered}), and the chat ran; multicast was skipped (no private network namespace)`,
);

/**
 * Why the multicast part cannot run here, or undefined when it can: it sends only inside a
 * network namespace of its own, which needs util-linux's unshare, iproute2's ip, and the right to
 * create the namespace (root, or unprivileged user namespaces).
 */
async function whyNoPrivateNetwork(): Promise<string | undefined> {
  const child = spawn('sh', [privateNetwork, 'true'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => {
    child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    child.once('error', (error) => resolve([null, error.message]));
  });
  clearTimeout(timer);
  children.delete(child);
  if (code === 0) return undefined;
  const said = stderr.trim().split('\n').filter(Boolean).at(-1);
  return `could not create a private network namespace with scripts/private-network.sh (${said ?? signal ?? `exit code ${code}`}); it needs unshare and ip, and root or unprivileged user namespaces`;
}
