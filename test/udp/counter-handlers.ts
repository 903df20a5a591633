import { RpcError } from '@conduit/runtime';
import type { CounterHandlers } from './generated/counter.rpc.js';

/** A fresh counter: `increment` and `retryableIncrement` add and answer the new total, `echo` returns what it got, `fail` throws. */
export function counterHandlers(): CounterHandlers {
  let total = 0;
  return {
    increment: (by) => (total += by),
    retryableIncrement: (by) => (total += by),
    total: () => total,
    echo: (data) => data,
    fail: (code, message) => {
      throw new RpcError(code, message, { details: { code } });
    },
  };
}
