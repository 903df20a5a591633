import type { ChildProcess } from 'node:child_process';
import type { BenchClient } from './bench-client.js';

interface AddReply { id: number; result: number }

/** `add(a, b)` as a `child.send` request matched to its `process.send` reply by id. */
export function openForkIpcClient(child: ChildProcess): BenchClient {
  if (child.send === undefined) throw new Error('fork IPC: the child has no IPC channel');
  const waiting = new Map<number, { resolve: (result: number) => void; reject: (error: Error) => void }>();
  let nextId = 1;

  const onMessage = (reply: AddReply): void => {
    const waiter = waiting.get(reply.id);
    if (waiter === undefined) return;
    waiting.delete(reply.id);
    waiter.resolve(reply.result);
  };
  const onGone = (): void => {
    for (const waiter of waiting.values()) waiter.reject(new Error('fork IPC: channel closed'));
    waiting.clear();
  };
  child.on('message', onMessage);
  child.on('disconnect', onGone);

  const add = (a: number, b: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      child.send!({ id, a, b });
    });

  return {
    call: () => add(1, 2),
    async verify() {
      const result = await add(1, 2);
      if (result !== 3) throw new Error(`fork IPC: add(1, 2) returned ${result}`);
    },
    async close() {
      child.off('message', onMessage);
      child.off('disconnect', onGone);
      onGone();
    },
  };
}
