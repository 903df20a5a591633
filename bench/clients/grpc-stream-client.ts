import { Client, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { GRPC_BLOB_PATH, serializeBlobRequest, type BlobRequest } from '../grpc-stream-bench-service.js';
import { UNBOUNDED_COUNT } from '../stream-bench-service.js';
import { checkVerifyStream, VERIFY_COUNT, VERIFY_SIZE, type StreamClient, type StreamTally } from './stream-client.js';

/** Waiting for the channel to connect; well above a loopback connect on a loaded machine. */
const READY_DEADLINE_MS = 10_000;

const asIs = (buffer: Buffer): Buffer => buffer;

/**
 * A plain grpc-js `Client` making server-streaming calls by path over one HTTP/2 connection. It
 * reads with 'data' events, grpc-js's fastest way (no async iterator in between), so the
 * baseline is measured at its best.
 */
export async function openGrpcStreamClient(port: number): Promise<StreamClient> {
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  await new Promise<void>((resolve, reject) =>
    client.waitForReady(Date.now() + READY_DEADLINE_MS, (error) => (error ? reject(error) : resolve())),
  );
  const blob = (count: number, size: number) =>
    client.makeServerStreamRequest<BlobRequest, Buffer>(GRPC_BLOB_PATH, serializeBlobRequest, asIs, { count, size });

  return {
    drain(size, until) {
      return new Promise<StreamTally>((resolve, reject) => {
        const call = blob(UNBOUNDED_COUNT, size);
        const tally: StreamTally = { messages: 0, bytes: 0 };
        let stopped = false;
        call.on('data', (message: Buffer) => {
          if (stopped) return;
          tally.messages++;
          tally.bytes += message.length;
          if (performance.now() < until) return;
          stopped = true;
          // RST_STREAM to the server; the call then errors with CANCELLED, which is expected here.
          call.cancel();
          resolve(tally);
        });
        call.on('error', (error: ServiceError) => {
          if (stopped && error.code === status.CANCELLED) return;
          stopped = true;
          reject(error);
        });
        call.on('end', () => {
          if (stopped) return;
          stopped = true;
          reject(new Error(`gRPC: the stream ended after ${tally.messages} messages, before its round did`));
        });
      });
    },
    verify() {
      return new Promise<void>((resolve, reject) => {
        const messages: Buffer[] = [];
        const call = blob(VERIFY_COUNT, VERIFY_SIZE);
        call.on('data', (message: Buffer) => messages.push(message));
        call.on('error', reject);
        call.on('end', () => {
          try {
            checkVerifyStream('gRPC', messages);
            resolve();
          } catch (error) {
            reject(error);
          }
        });
      });
    },
    async close() {
      client.close();
    },
  };
}
