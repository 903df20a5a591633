import { connect } from '@conduit/runtime';
import { tcp } from '@conduit/transports';
import { StreamBenchService, UNBOUNDED_COUNT } from '../stream-bench-service.js';
import { checkVerifyStream, VERIFY_COUNT, VERIFY_SIZE, type StreamClient } from './stream-client.js';

/** A Conduit channel over the tcp transport, reading `StreamBench.blob` with `for await` as a generated client would. */
export async function openConduitStreamClient(port: number): Promise<StreamClient> {
  const channel = await connect(tcp({ host: '127.0.0.1', port }));
  const blob = (count: number, size: number): AsyncIterable<Uint8Array> =>
    channel.serverStream<Uint8Array>(StreamBenchService.methods.blob, [count, size]);
  return {
    async drain(size, until) {
      let messages = 0;
      let bytes = 0;
      for await (const message of blob(UNBOUNDED_COUNT, size)) {
        messages++;
        bytes += message.length;
        // `break` ends the call: the inbox sends CANCEL and the server stops its generator.
        if (performance.now() >= until) return { messages, bytes };
      }
      throw new Error(`Conduit: the stream ended after ${messages} messages, before its round did`);
    },
    async verify() {
      const messages: Uint8Array[] = [];
      for await (const message of blob(VERIFY_COUNT, VERIFY_SIZE)) messages.push(message);
      checkVerifyStream('Conduit', messages);
    },
    close: () => channel.close(),
  };
}
