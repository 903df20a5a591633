import { connect, type Transport } from '@conduit/runtime';
import '@conduit/transports';
import { BenchService } from '../bench-service.js';
import { ECHO_BYTES, type BenchClient } from './bench-client.js';

/**
 * A Conduit channel to `target` (a URL or transport) of any transport, calling `Bench.add` and
 * `Bench.echo` as a generated client would.
 */
export async function openConduitClient(target: string | Transport, label: string): Promise<BenchClient> {
  const channel = await connect(target);
  const add = (a: number, b: number): Promise<number> => channel.unary<number>(BenchService.methods.add, [a, b]);
  const data = Buffer.alloc(ECHO_BYTES, 0x5a);
  const echo = (): Promise<Uint8Array> => channel.unary<Uint8Array>(BenchService.methods.echo, [data]);
  return {
    call: () => add(1, 2),
    echo,
    async verify() {
      const result = await add(1, 2);
      if (result !== 3) throw new Error(`${label}: add(1, 2) returned ${String(result)}`);
      const echoed = await echo();
      if (!Buffer.from(echoed).equals(data)) throw new Error(`${label}: the 1 MiB echo came back different`);
    },
    close: () => channel.close(),
  };
}

