import { fileURLToPath } from 'node:url';
import type { CodecName } from '../../packages/codegen/src/index.js';

/** The repository root; golden headers name fixtures relative to it. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** One service file per type-model feature and per diagnostic; shared/ holds files they import. */
export const FIXTURES = fileURLToPath(new URL('../fixtures/codegen/', import.meta.url));
/** What `conduit gen --proto` makes of each fixture: `.rpc.ts` and `.proto`, or `.diagnostics.txt`. */
export const GOLDEN = fileURLToPath(new URL('../fixtures/codegen/golden/', import.meta.url));
export const CLI = fileURLToPath(new URL('../../packages/codegen/bin/conduit.js', import.meta.url));

/** Generated stubs committed beside the code that uses them, with the interface each comes from. */
export const COMMITTED_STUBS: readonly (readonly [source: string, stub: string, codecs: CodecName[]])[] = [
  ['examples/calculator/services/calculator.ts', 'examples/calculator/generated/calculator.rpc.ts', ['msgpack', 'protobuf']],
  ['examples/chat/services/chat.ts', 'examples/chat/generated/chat.rpc.ts', ['msgpack']],
  ['examples/pipe-pool/services/worker.ts', 'examples/pipe-pool/generated/worker.rpc.ts', ['msgpack']],
  ['test/fixtures/services/probe.ts', 'test/fixtures/generated/probe.rpc.ts', ['msgpack']],
  ['test/conformance/services/conformance.ts', 'test/conformance/generated/conformance.rpc.ts', ['msgpack', 'protobuf']],
  ['test/udp/services/counter.ts', 'test/udp/generated/counter.rpc.ts', ['msgpack']],
  ['test/multicast/services/roll-call.ts', 'test/multicast/generated/roll-call.rpc.ts', ['msgpack']],
  ['packages/transports/src/multicast/services/discovery.ts', 'packages/transports/src/multicast/generated/discovery.rpc.ts', ['msgpack']],
];
