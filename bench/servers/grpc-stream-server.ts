/** Baseline server: @grpc/grpc-js server-streaming `Blob` on 127.0.0.1, insecure credentials. */
import { Server, ServerCredentials, type ServerWritableStream } from '@grpc/grpc-js';
import { grpcStreamBenchService, type BlobRequest } from '../grpc-stream-bench-service.js';
import { announce, exitWithParent } from './server-lifecycle.js';

const server = new Server();
server.addService(grpcStreamBenchService, {
  blob(call: ServerWritableStream<BlobRequest, Buffer>) {
    const { count, size } = call.request;
    // One payload for the whole stream, as the Conduit server does.
    const payload = Buffer.alloc(size, 1);
    let sent = 0;
    // Writes until the stream's buffer is full, then waits for 'drain': the idiomatic
    // backpressure of a Node writable, and what keeps grpc-js from buffering without bound.
    const pump = (): void => {
      while (sent < count) {
        if (call.cancelled) return;
        sent++;
        if (!call.write(payload)) {
          call.once('drain', pump);
          return;
        }
      }
      call.end();
    };
    pump();
  },
});

server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  announce({ port });
});

exitWithParent(() => server.forceShutdown());
