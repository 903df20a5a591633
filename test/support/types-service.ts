import { connect, type Channel, type Codec } from '@conduit/runtime';
import '@conduit/transports';
import { afterAll, beforeAll } from 'vitest';
import { TypesClient } from '../fixtures/generated/types.rpc.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

/**
 * The Types service (every feature of the type model; each method returns its argument) served
 * from another process over TCP for the whole test file. Returns the server's URL once started.
 */
export function typesServerForFile(): () => string {
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    server = await startServerProcess('types-server.ts');
  }, 20_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => (server as ServerProcess).url;
}

/** A TypesClient speaking `codec`, connected before the enclosing describe's tests and closed after them. */
export function typesClientWith(url: () => string, codec: Codec): () => TypesClient {
  let channel: Channel | undefined;
  let client: TypesClient | undefined;
  beforeAll(async () => {
    channel = await connect(url(), { codec });
    client = new TypesClient(channel);
  });
  afterAll(async () => {
    await channel?.close();
  });
  return () => client as TypesClient;
}

/** Calls a Types method by name with one argument of any type: what an untyped caller can send. */
export function callTypes(client: TypesClient, method: string, value: unknown): Promise<unknown> {
  const call = (client as unknown as Record<string, (v: unknown) => Promise<unknown>>)[method];
  if (call === undefined) throw new Error(`Types has no method '${method}'`);
  return call.call(client, value);
}
