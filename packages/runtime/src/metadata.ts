/**
 * Call metadata: string keys to string values, like gRPC's ASCII headers. Request metadata rides
 * on the call frame; response metadata on the result or error frame.
 */
export type Metadata = Record<string, string>;
