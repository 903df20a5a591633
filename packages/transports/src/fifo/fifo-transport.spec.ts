import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Code, RpcError, type Connection } from '@conduit/runtime';
import { fifo, fifoFromUrl } from './fifo-transport.js';
import { thrown } from '../../../../test/support/rejection.js';

describe('fifo URLs and options', () => {
  it('takes fifo:///absolute/path, decoding it, and reports the same URL', () => {
    expect(fifoFromUrl(new URL('fifo:///tmp/app.fifo')).address).toBe('fifo:///tmp/app.fifo');
    expect(fifoFromUrl(new URL('fifo:///tmp/my dir/app.fifo')).address).toBe('fifo:///tmp/my%20dir/app.fifo');
    expect(fifo({ path: '/tmp/my dir/../app.fifo' }).address).toBe('fifo:///tmp/app.fifo');
  });

  it('refuses relative paths, hosts, queries and anything that is not a path, with InvalidArgument', () => {
    for (const [url, words] of [
      ['fifo:relative/app.fifo', 'has a relative path'],
      ['fifo://host/tmp/app.fifo', 'names a host'],
      ['fifo:///tmp/app.fifo?mode=x', 'has a query or fragment'],
      ['fifo:///tmp/a%2Fb', 'is not a valid path'],
    ] as const) {
      const error = thrown(() => fifoFromUrl(new URL(url)));
      expect(error.code).toBe(Code.InvalidArgument);
      expect(error.message).toContain(words);
    }
    const relative = thrown(() => fifo({ path: 'app.fifo' }));
    expect(relative.code).toBe(Code.InvalidArgument);
    expect(relative.message).toBe('fifo: path must be an absolute file path, got "app.fifo"');
  });
});

describe('fifo in one process', () => {
  const root = mkdtempSync(join(tmpdir(), 'fifo-transport-spec-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** A listener that echoes every message back, and the messages a client hears. */
  async function echoPair(path: string) {
    const transport = fifo({ path, onError: () => undefined });
    const serverSide: Connection[] = [];
    const listener = await transport.listen((connection) => {
      serverSide.push(connection);
      return { onMessage: (message) => connection.send(Buffer.concat([Buffer.alloc(4), message])), onOversized: () => undefined, onClose: () => undefined };
    });
    const heard: string[] = [];
    let closed: RpcError | undefined;
    let markClosed = () => {};
    const closedOnce = new Promise<void>((resolve) => (markClosed = resolve));
    const client = await transport.connect({
      onMessage: (message) => heard.push(Buffer.from(message).toString()),
      onOversized: () => undefined,
      onClose: (reason) => ((closed = reason), markClosed()),
    });
    return { listener, serverSide, heard, client, closedOnce, closed: () => closed };
  }

  it('moves messages both ways, then removes the FIFO on close and leaves no private folder', async () => {
    const path = join(root, 'echo.fifo');
    const { listener, heard, client } = await echoPair(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    client.send(Buffer.from('\0\0\0\0hello'));
    await expect.poll(() => heard).toEqual(['hello']);
    client.close();
    await listener.close();
    expect(readdirSync(root)).toEqual([]);
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith(`conduit-fifo-${process.pid}-`))).toEqual([]);
  });

  it('closes the client with Unavailable when the server side closes its connection', async () => {
    const { listener, serverSide, client, closedOnce, closed } = await echoPair(join(root, 'close.fifo'));
    client.send(Buffer.from('\0\0\0\0hi'));
    await expect.poll(() => serverSide.length).toBe(1);
    serverSide[0]!.close();
    await closedOnce;
    expect(closed()?.code).toBe(Code.Unavailable);
    await listener.close();
  });
});
