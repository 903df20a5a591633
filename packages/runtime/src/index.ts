export { Code, codeName } from './code.js';
export { RpcError, type RpcErrorOptions } from './rpc-error.js';
export type { Metadata } from './metadata.js';
export type { CallOptions } from './call-options.js';
export type { CallContext } from './call-context.js';
export {
  defineService,
  type ArgumentValidator,
  type MessageValidator,
  type MethodDescriptor,
  type MethodKind,
  type MethodSpec,
  type ServiceDefinition,
  type ServiceSpec,
} from './service.js';
export type { Channel, ChannelState } from './channel.js';
export { gather, type Gathered, type GatherOptions, type Reply } from './gather.js';
export { connect, type ConnectOptions } from './connect.js';
export type { ReconnectOptions } from './reconnecting-channel.js';
export { Server, type Listening, type ServerOptions } from './server.js';
export type { ClientInterceptor, ClientNext, ClientRequest, ServerInterceptor, ServerNext, ServerRequest } from './interceptor.js';
export { asBuffer, withHeadroom, type Codec, type MethodCodec, type PayloadCodec } from './codec.js';
export type { EnumMember, MethodSchema, ParamSchema, ServiceSchema, TupleElement, WireProperty, WireType } from './schema.js';
export { msgpackCodec } from './msgpack-codec.js';
export { OVERSIZED_HEAD_BYTES, type Connection, type ConnectionHandlers, type Listener, type OneToMany, type Transport } from './transport.js';
export { registerScheme, type TransportFromUrl } from './scheme-registry.js';
export { memory, type MemoryTransportOptions } from './memory-transport.js';
export {
  DEFAULT_GATHER_WINDOW_MS,
  DEFAULT_GRACE_PERIOD_MS,
  DEFAULT_MAX_MESSAGE_SIZE,
  MAX_CALL_ID,
  MAX_METADATA_ENTRIES,
  MAX_METADATA_FIELD_BYTES,
  MAX_METHOD_NAME_BYTES,
  PROTOCOL_VERSION,
} from './limits.js';
export { FrameFlag, FrameType, HELLO_MAGIC, type Frame } from './frame.js';
export { encodeFrame, encodeFrameWithValue } from './frame-encode.js';
export { decodeFrame, MalformedFrameError, methodOfCallHead } from './frame-decode.js';
export { protobufCodec } from './protobuf-codec.js';
export { protoDescriptor, ProtoSchemaError, type ProtoDescriptor } from './proto-descriptor.js';
