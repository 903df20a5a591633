import { fileURLToPath } from 'node:url';

/** The repository root; golden headers name fixtures relative to it. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));
export const CLI = fileURLToPath(new URL('../../packages/codegen/bin/conduit.js', import.meta.url));
