import { defineService, type CallContext } from '@conduit/runtime';

/**
 * The service Conduit's streaming throughput is measured with, defined by hand like
 * `BenchService`: one server stream of `count` messages, each `size` bytes.
 */
export interface StreamBenchHandlers {
  blob(count: number, size: number, ctx: CallContext): AsyncIterable<Uint8Array>;
}

export const StreamBenchService = defineService<StreamBenchHandlers>({
  name: 'StreamBench',
  methods: { blob: { kind: 'server-stream', params: ['count', 'size'] } },
});

/**
 * A count no round reaches: a measured stream runs until its round's time is up and the client
 * stops it (Conduit: `break`, gRPC: `cancel()`), so its length is set by time, not by count.
 * Fits the gRPC request's u32.
 */
export const UNBOUNDED_COUNT = 0xffff_ffff;
