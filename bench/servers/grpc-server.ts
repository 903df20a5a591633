/** Baseline server: @grpc/grpc-js unary `Add` on 127.0.0.1, insecure credentials. */
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { grpcBenchService, type AddReply, type AddRequest } from '../grpc-bench-service.js';
import { announce, exitWithParent } from './server-lifecycle.js';

const server = new Server();
server.addService(grpcBenchService, {
  add(call: ServerUnaryCall<AddRequest, AddReply>, callback: sendUnaryData<AddReply>) {
    callback(null, { result: call.request.a + call.request.b });
  },
});

server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  announce({ port });
});

exitWithParent(() => server.forceShutdown());
