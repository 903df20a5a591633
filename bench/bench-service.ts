import { defineService, type CallContext } from '@conduit/runtime';

/**
 * The service Conduit is measured with, defined here rather than generated so the bench does
 * not depend on codegen or the examples: the same `add` every baseline does, and a 1 MiB echo.
 */
export interface BenchHandlers {
  add(a: number, b: number, ctx: CallContext): number | Promise<number>;
  /** The large-message row: 1 MiB in, the same 1 MiB back. */
  echo(data: Uint8Array, ctx: CallContext): Uint8Array | Promise<Uint8Array>;
}

export const BenchService = defineService<BenchHandlers>({
  name: 'Bench',
  methods: {
    add: { kind: 'unary', params: ['a', 'b'] },
    echo: { kind: 'unary', params: ['data'] },
  },
});

/** What every Conduit bench server serves, whatever its transport. */
export const benchHandlers: BenchHandlers = { add: (a, b) => a + b, echo: (data) => data };
