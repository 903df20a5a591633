import { connect } from '@conduit/runtime';
import { tcp } from '@conduit/transports';
import { BenchService } from '../bench-service.js';
import type { BenchClient } from './bench-client.js';

/** A Conduit channel over the tcp transport, calling `Bench.add` as a generated client would. */
export async function openConduitTcpClient(port: number): Promise<BenchClient> {
  const channel = await connect(tcp({ host: '127.0.0.1', port }));
  const add = (a: number, b: number): Promise<number> => channel.unary<number>(BenchService.methods.add, [a, b]);
  return {
    call: () => add(1, 2),
    async verify() {
      const result = await add(1, 2);
      if (result !== 3) throw new Error(`Conduit: add(1, 2) returned ${String(result)}`);
    },
    close: () => channel.close(),
  };
}
