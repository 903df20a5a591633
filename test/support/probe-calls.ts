import { expect } from 'vitest';
import { Code } from '@conduit/runtime';
import type { ProbeClient } from '../fixtures/generated/probe.rpc.js';
import { rejection } from './rejection.js';

/**
 * One pass over what a Probe server in another process answers, for the transport-specific
 * suites: a unary call, a 1 MiB message each way, a server stream of 20 000 messages, one-way
 * calls in order, a deadline and a cancellation the handler hears of. Returns `ctx.peer` as the
 * server saw it (servers started with `peerInMetadata`), for the suite to check in its own terms.
 */
export async function exerciseProbe(calc: ProbeClient): Promise<string | undefined> {
  expect(await calc.add(1, 2)).toBe(3);
  const large = 'L'.repeat(1024 * 1024);
  expect(await calc.echo(large)).toBe(large);
  let count = 0;
  for await (const chunk of calc.chunks(20_000, 16)) if (chunk.length === 16) count++;
  expect(count).toBe(20_000);
  calc.note('one');
  calc.note('two');
  expect(await calc.notes()).toEqual(['one', 'two']);
  let echoed: string | undefined;
  const pairs = await calc.metadata({ metadata: { 'x-request': 'hi' }, onResponseMetadata: (metadata) => (echoed = metadata['x-echo']) });
  expect(echoed).toBe('hi');
  expect((await rejection(calc.sleep(5_000, { timeout: 50 }))).code).toBe(Code.DeadlineExceeded);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 20);
  expect((await rejection(calc.hang('aborted', { signal: controller.signal }))).code).toBe(Code.Cancelled);
  await expect.poll(() => calc.aborted()).toContain(`aborted:${Code.Cancelled}`);
  return Object.fromEntries(pairs).peer;
}
