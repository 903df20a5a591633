/**
 * Codecs generated stubs can support; `protobuf` embeds the wire schema its codec needs. Its own
 * file so the CLI can check `--codec` without loading the TypeScript compiler.
 */
export type CodecName = 'msgpack' | 'protobuf';
export const CODEC_NAMES: readonly CodecName[] = ['msgpack', 'protobuf'];
