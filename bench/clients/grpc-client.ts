import { Client, credentials } from '@grpc/grpc-js';
import {
  GRPC_ADD_PATH,
  deserializeAddReply,
  serializeAddRequest,
  type AddReply,
  type AddRequest,
} from '../grpc-bench-service.js';
import type { BenchClient } from './bench-client.js';

/** Waiting for the channel to connect; well above a loopback connect on a loaded machine. */
const READY_DEADLINE_MS = 10_000;

/** A plain grpc-js `Client` making unary calls by path, one HTTP/2 connection. */
export async function openGrpcClient(port: number): Promise<BenchClient> {
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  await new Promise<void>((resolve, reject) =>
    client.waitForReady(Date.now() + READY_DEADLINE_MS, (error) => (error ? reject(error) : resolve())),
  );

  const add = (a: number, b: number): Promise<number> =>
    new Promise((resolve, reject) => {
      client.makeUnaryRequest<AddRequest, AddReply>(
        GRPC_ADD_PATH,
        serializeAddRequest,
        deserializeAddReply,
        { a, b },
        (error, reply) => (error || reply === undefined ? reject(error ?? new Error('gRPC: no reply')) : resolve(reply.result)),
      );
    });

  return {
    call: () => add(1, 2),
    async verify() {
      const result = await add(1, 2);
      if (result !== 3) throw new Error(`gRPC: add(1, 2) returned ${result}`);
    },
    async close() {
      client.close();
    },
  };
}
