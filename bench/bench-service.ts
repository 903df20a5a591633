import { defineService, type CallContext } from '@conduit/runtime';

/**
 * The service Conduit is measured with, defined here rather than generated so the bench does
 * not depend on codegen or the examples: one unary method, the same `add` every baseline does.
 */
export interface BenchHandlers {
  add(a: number, b: number, ctx: CallContext): number | Promise<number>;
}

export const BenchService = defineService<BenchHandlers>({
  name: 'Bench',
  methods: { add: { kind: 'unary', params: ['a', 'b'] } },
});
