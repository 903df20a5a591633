import type { ServiceDefinition } from '@grpc/grpc-js';

/**
 * The gRPC baseline's service, defined by hand (no .proto, no proto-loader): the request is two
 * little-endian float64s in 16 bytes, the reply one float64 in 8 bytes.
 */
export interface AddRequest { a: number; b: number }
export interface AddReply { result: number }

export const GRPC_ADD_PATH = '/conduit.bench.Bench/Add';

export function serializeAddRequest(request: AddRequest): Buffer {
  const buffer = Buffer.allocUnsafe(16);
  buffer.writeDoubleLE(request.a, 0);
  buffer.writeDoubleLE(request.b, 8);
  return buffer;
}

export function deserializeAddRequest(buffer: Buffer): AddRequest {
  if (buffer.length !== 16) throw new Error(`AddRequest: expected 16 bytes, got ${buffer.length}`);
  return { a: buffer.readDoubleLE(0), b: buffer.readDoubleLE(8) };
}

export function serializeAddReply(reply: AddReply): Buffer {
  const buffer = Buffer.allocUnsafe(8);
  buffer.writeDoubleLE(reply.result, 0);
  return buffer;
}

export function deserializeAddReply(buffer: Buffer): AddReply {
  if (buffer.length !== 8) throw new Error(`AddReply: expected 8 bytes, got ${buffer.length}`);
  return { result: buffer.readDoubleLE(0) };
}

export const grpcBenchService = {
  add: {
    path: GRPC_ADD_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: serializeAddRequest,
    requestDeserialize: deserializeAddRequest,
    responseSerialize: serializeAddReply,
    responseDeserialize: deserializeAddReply,
    originalName: 'add',
  },
} satisfies ServiceDefinition;
