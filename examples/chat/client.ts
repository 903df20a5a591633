/**
 * A chat member: `client.ts <url> <name> <line>…` joins as <name>, says each line (a short pause
 * between them), prints everything said in the room, and leaves after its last line has come back.
 * With CHAT_WAIT_FOR=<n> in the environment it first waits until n members are in the room.
 */
import { connect } from '@conduit/runtime';
import '@conduit/transports';
import { ChatClient } from './generated/chat.rpc.js';

const [url, name, ...said] = process.argv.slice(2);
if (url === undefined || name === undefined) {
  console.error('usage: client.ts <url> <name> <line>…');
  process.exit(2);
}

const channel = await connect(url);
const chat = new ChatClient(channel);
let lastEchoed: () => void = () => {};
const allEchoed = new Promise<void>((resolve) => (lastEchoed = resolve));
let everyoneHere: () => void = () => {};
const gathered = new Promise<void>((resolve) => (everyoneHere = resolve));
const waitFor = Number(process.env.CHAT_WAIT_FOR ?? 1);

async function* lines(): AsyncGenerator<string> {
  await gathered;
  for (const line of said) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    yield line;
  }
  // Stay until our own last line has gone round the room, then end the stream: that is leaving.
  await allEchoed;
}

let echoed = 0;
for await (const message of chat.join(name, lines(), { timeout: 30_000 })) {
  console.log(`${message.from === '*' ? '*' : `<${message.from}>`} ${message.text}`);
  const here = /\((\d+) here\)$/.exec(message.text);
  if (message.from === '*' && Number(here?.[1] ?? 0) >= waitFor) everyoneHere();
  if (message.from === name && ++echoed === said.length) lastEchoed();
}
await channel.close();
