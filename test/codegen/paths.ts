import { fileURLToPath } from 'node:url';

/** The repository root; golden headers name fixtures relative to it. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));
export const CLI = fileURLToPath(new URL('../../packages/codegen/bin/conduit.js', import.meta.url));

/** Generated stubs committed beside the code that uses them, with the interface each comes from. */
export const COMMITTED_STUBS = [
  ['examples/calculator/services/calculator.ts', 'examples/calculator/generated/calculator.rpc.ts'],
  ['examples/chat/services/chat.ts', 'examples/chat/generated/chat.rpc.ts'],
  ['test/fixtures/services/probe.ts', 'test/fixtures/generated/probe.rpc.ts'],
  ['test/conformance/services/conformance.ts', 'test/conformance/generated/conformance.rpc.ts'],
] as const;
