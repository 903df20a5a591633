import protobuf from 'protobufjs';
import { Code } from './code.js';
import { asBuffer, type Codec, type MethodCodec, type PayloadCodec } from './codec.js';
import { protoDescriptor, ProtoSchemaError, type ProtoDescriptor } from './proto-descriptor.js';
import { ProtoValues, type MessageConverter } from './proto-values.js';
import { RpcError } from './rpc-error.js';
import type { ServiceSchema } from './schema.js';
import type { MethodDescriptor } from './service.js';

/** A service's schema, compiled once: its protobufjs types and value converters. */
interface CompiledSchema {
  readonly descriptor: ProtoDescriptor;
  readonly root: protobuf.Root;
  readonly values: ProtoValues;
}

const schemas = new WeakMap<ServiceSchema, CompiledSchema>();
const methods = new WeakMap<MethodDescriptor, MethodCodec>();

function compile(schema: ServiceSchema): CompiledSchema {
  let compiled = schemas.get(schema);
  if (compiled === undefined) {
    const descriptor = protoDescriptor(schema);
    // A root of our own: nothing here touches protobufjs's global configuration.
    const root = protobuf.Root.fromJSON(descriptor.json);
    root.resolveAll();
    compiled = { descriptor, root, values: new ProtoValues(descriptor) };
    schemas.set(schema, compiled);
  }
  return compiled;
}

/**
 * A protobufjs writer that starts with `headroom` filler bytes, so the frame header goes in front
 * of the message without a copy: one op per 8, 4 or 1 bytes (`double`, `fixed32`, `uint32` of 0).
 */
function writerWithRoom(headroom: number): protobuf.Writer {
  const writer = protobuf.Writer.create();
  let left = headroom;
  for (; left >= 8; left -= 8) writer.double(0);
  if (left >= 4) {
    writer.fixed32(0);
    left -= 4;
  }
  for (; left > 0; left--) writer.uint32(0);
  return writer;
}

function payload(type: protobuf.Type, converter: MessageConverter): PayloadCodec {
  return {
    encode: (value, headroom = 0) => {
      const plain = converter.encode(value);
      return headroom === 0 ? type.encode(plain).finish() : type.encode(plain, writerWithRoom(headroom)).finish();
    },
    decode: (bytes) => converter.decode(type.decode(bytes)),
  };
}

function noRequestStream(): PayloadCodec {
  const fail = (): never => {
    throw new RpcError(Code.Internal, 'this method takes no request stream');
  };
  return { encode: fail, decode: fail };
}

/** Errors say what is wrong, not which method: the caller's runtime adds the method and the target. */
function methodCodec(method: MethodDescriptor): MethodCodec {
  const schema = method.schema;
  if (schema === undefined) {
    throw new RpcError(
      Code.FailedPrecondition,
      "the protobuf codec needs the service's wire schema, and these stubs were generated without it; " +
        'regenerate them with `conduit gen --codec protobuf` (or `--proto`), or use the msgpack codec',
    );
  }
  let compiled: CompiledSchema;
  try {
    compiled = compile(schema);
  } catch (cause) {
    if (cause instanceof ProtoSchemaError) throw new RpcError(Code.Internal, `the service's schema has no protobuf form: ${cause.message}`, { cause });
    throw cause;
  }
  const plan = compiled.descriptor.methods[method.name];
  if (plan === undefined) {
    throw new RpcError(Code.Internal, `the service's wire schema has no method '${method.name}'; the stubs are out of date, regenerate them`);
  }
  const request = compiled.root.lookupType(plan.request);
  const response = compiled.root.lookupType(plan.response);
  const { values } = compiled;
  return {
    args: payload(request, values.args(plan, method.streamParam)),
    result: payload(response, values.result(plan)),
    message: method.streamParam === undefined ? noRequestStream() : payload(request, values.streamMessage(plan, method.streamParam)),
  };
}

/**
 * Protocol Buffers (proto3) for arguments, results and stream messages, following the wire schema
 * the codegen embeds with `--codec protobuf`; docs/protocol.md ("protobuf codec") has the rules,
 * and `conduit gen --proto` writes the matching `.proto` file for peers in other languages.
 *
 * `encode`/`decode` carry only error details, which have no declared type: they travel as JSON
 * text in UTF-8 (so details must be JSON data: no bigint, Map, Set or undefined inside).
 */
export const protobufCodec: Codec = {
  name: 'protobuf',
  encode: (value, headroom = 0) => {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`error details travel as JSON under the protobuf codec, and ${typeof value} is not JSON data`);
    const out = Buffer.allocUnsafe(headroom + Buffer.byteLength(text, 'utf8'));
    out.write(text, headroom, 'utf8');
    return out;
  },
  decode: (bytes) => JSON.parse(asBuffer(bytes).toString('utf8')),
  forMethod: (method) => {
    let codec = methods.get(method);
    if (codec === undefined) {
      codec = methodCodec(method);
      methods.set(method, codec);
    }
    return codec;
  },
};
