import type { ServiceDefinition } from '@grpc/grpc-js';

/**
 * The gRPC baseline's streaming service, defined by hand (no .proto): the request is `count`
 * and `size` as two little-endian u32s in 8 bytes; every reply message is the payload Buffer
 * itself, serialized and deserialized as is, so grpc-js adds only its own framing.
 */
export interface BlobRequest { count: number; size: number }

export const GRPC_BLOB_PATH = '/conduit.bench.StreamBench/Blob';

export function serializeBlobRequest(request: BlobRequest): Buffer {
  const buffer = Buffer.allocUnsafe(8);
  buffer.writeUInt32LE(request.count, 0);
  buffer.writeUInt32LE(request.size, 4);
  return buffer;
}

export function deserializeBlobRequest(buffer: Buffer): BlobRequest {
  if (buffer.length !== 8) throw new Error(`BlobRequest: expected 8 bytes, got ${buffer.length}`);
  return { count: buffer.readUInt32LE(0), size: buffer.readUInt32LE(4) };
}

const asIs = (buffer: Buffer): Buffer => buffer;

export const grpcStreamBenchService = {
  blob: {
    path: GRPC_BLOB_PATH,
    requestStream: false,
    responseStream: true,
    requestSerialize: serializeBlobRequest,
    requestDeserialize: deserializeBlobRequest,
    responseSerialize: asIs,
    responseDeserialize: asIs,
    originalName: 'blob',
  },
} satisfies ServiceDefinition;
