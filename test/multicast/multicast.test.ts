import { beforeAll, describe, expect, it } from 'vitest';
import { Code } from '@conduit/runtime';
import { runInPrivateNetwork } from '../support/private-network.js';
import type { Tally } from './generated/roll-call.rpc.js';

/**
 * The multicast transport with three member processes and a caller, all inside a private network
 * namespace made for the run, so no datagram reaches a real network. multicast-scenario.ts makes
 * the calls and reports what it saw; each test here checks one part of the report.
 */

interface ReplySeen {
  from: string;
  ok: boolean;
  value?: unknown;
  code?: number;
  message?: string;
}
interface ErrorSeen {
  code: number;
  message: string;
}

let report: Record<string, any>;
beforeAll(async () => {
  const run = await runInPrivateNetwork('multicast/multicast-scenario.ts', 50_000);
  const line = run.stdout.split('\n').find((text) => text.startsWith('REPORT '));
  if (line === undefined) throw new Error(`the scenario printed no report (exit ${run.exit}):\n${run.stdout}\n${run.stderr}`);
  report = JSON.parse(line.slice('REPORT '.length));
}, 60_000);

const values = (replies: ReplySeen[]) => replies.map((reply) => reply.value).sort();
const distinctSenders = (replies: ReplySeen[]) => new Set(replies.map((reply) => reply.from)).size;
const tallies = (byMember: Record<string, Tally>) => Object.values(byMember);

describe('multicast: one call to a group of three members', () => {
  it('a plain call takes the first reply', () => {
    expect(report.firstReply.value).toMatch(/^[abc]$/);
  });

  it('gathering within a window collects one reply from each member, each naming its sender', () => {
    const { replies, ms } = report.gatherAll;
    expect(values(replies)).toEqual(['a', 'b', 'c']);
    expect(distinctSenders(replies)).toBe(3);
    for (const reply of replies) expect(reply.from).toMatch(/^udp:\/\/127\.0\.0\.1:\d+$/);
    expect(ms).toBeGreaterThanOrEqual(290);
  });

  it('gathering the first N ends as soon as N members answered', () => {
    const { replies, ms } = report.gatherCount;
    expect(replies).toHaveLength(2);
    expect(distinctSenders(replies)).toBe(2);
    expect(ms).toBeLessThan(2_000); // the window was 3000 ms
  });

  it("a member's error is its reply, beside the others' values", () => {
    const replies: ReplySeen[] = report.gatherErrors;
    expect(replies).toHaveLength(3);
    const failed = replies.filter((reply) => !reply.ok);
    expect(failed).toEqual([expect.objectContaining({ code: Code.FailedPrecondition, message: 'b was told to fail' })]);
    expect(values(replies.filter((reply) => reply.ok))).toEqual(['a', 'c']);
  });

  it('once the first reply is in, the other members are told to stop', () => {
    const { value, tallies: byMember } = report.firstReplyCancelsTheRest;
    expect(value).toBe('a');
    expect(tallies(byMember).map((tally) => tally.cancelled).sort()).toEqual([0, 1, 1]);
  });

  it('a request sent again runs once on each member, which answers the copies from its kept reply', () => {
    const { replies, resends, runs, copies } = report.resentCallsRunOnce;
    expect(replies.map((reply: ReplySeen) => reply.value)).toEqual([1, 1, 1]);
    expect(resends).toBe(2);
    expect(runs).toEqual([1, 1, 1]);
    // Counted between two tallies: this call's two resends reached each member as copies of a call
    // it had taken (so did the first tally call's own resends, which is why this is a lower bound).
    for (const count of copies) expect(count).toBeGreaterThanOrEqual(2);
  });

  it('through 20% loss, 10% duplication and 10% reordering each way, resent calls still run at most once per member', () => {
    const { calls, complete, totalsSeen, ran, counts } = report.lossy;
    expect(counts.dropped).toBeGreaterThan(0);
    expect(counts.duplicated).toBeGreaterThan(0);
    expect(counts.delayed).toBeGreaterThan(0);
    // A member misses a call only when every copy of the request, or of its reply, was lost.
    expect(complete).toBeGreaterThanOrEqual(calls * 0.6);
    expect(totalsSeen).toHaveLength(3);
    expect(ran).toHaveLength(3);
    for (const count of ran) {
      expect(count).toBeGreaterThanOrEqual(calls * 0.8);
      expect(count).toBeLessThanOrEqual(calls);
    }
    // Each member's counter, as its replies told it, only ever went up by one call at a time.
    for (const totals of totalsSeen as number[][]) {
      for (let i = 1; i < totals.length; i++) expect(totals[i]).toBeGreaterThan(totals[i - 1] as number);
    }
  });

  it('a one-way call is a notification that reaches every member once', () => {
    const byMember = report.notification;
    expect(tallies(byMember)).toHaveLength(3);
    for (const tally of tallies(byMember)) expect(tally.notes).toEqual(['hello, group']);
  });

  it('a stream call fails with Unimplemented naming the transport', () => {
    const error: ErrorSeen = report.stream;
    expect(error.code).toBe(Code.Unimplemented);
    expect(error.message).toContain('the multicast transport cannot carry streams');
  });

  it('a call larger than one datagram is refused with ResourceExhausted, and the next call goes through', () => {
    const { refused, after } = report.oversized;
    expect(refused.code).toBe(Code.ResourceExhausted);
    expect(refused.message).toContain('RollCall.echo');
    expect(refused.message).toContain('maxDatagramSize');
    expect(after).toMatch(/^[abc]$/);
  });

  it('members drop garbage sent to the group, count it, and go on answering', () => {
    const { sent, replies, tallies: byMember } = report.garbage;
    expect(values(replies)).toEqual(['a', 'b', 'c']);
    // One of the datagrams is a well-formed request whose CALL frame is not: the server refuses that call.
    for (const tally of tallies(byMember)) expect(tally.dropped).toBe(sent - 1);
  });

  it('discovery finds every announced server, and its URLs connect', () => {
    const { found, answers, none } = report.discovery;
    expect(found).toHaveLength(3);
    for (const server of found) expect(server.url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(new Set(found.map((server: { from: string }) => server.from)).size).toBe(3);
    expect([...answers].sort()).toEqual(['a', 'b', 'c']);
    expect(none).toEqual([]);
  });

  it('a killed member no longer answers; the others do, on the same channel', () => {
    const { replies, first } = report.deadMember;
    expect(values(replies)).toEqual(['a', 'b']);
    expect(first).toMatch(/^[ab]$/);
    expect(report.channelState).toBe('ready');
  });

  it('each resent request carries the time left of the call, not its whole timeout again', () => {
    const timeouts: number[] = report.resendsCarryTimeLeft;
    expect(timeouts).toHaveLength(3); // the first send and resends at 50 and 200 ms
    // The first copy carries what was left when it was sent: the runtime counts from the call.
    expect(timeouts[0]).toBeGreaterThan(950);
    expect(timeouts[0]).toBeLessThanOrEqual(1_000);
    expect(timeouts[1]).toBeLessThanOrEqual((timeouts[0] as number) - 50);
    expect(timeouts[2]).toBeLessThanOrEqual((timeouts[0] as number) - 200);
    expect(timeouts[2]).toBeGreaterThan(500);
  });

  it('an interface address this machine does not have is refused with InvalidArgument, saying so', () => {
    const { connecting, listening } = report.unknownInterface;
    for (const error of [connecting, listening]) {
      expect(error.code).toBe(Code.InvalidArgument);
      expect(error.message).toContain('10.9.9.9');
      expect(error.message).toContain('no interface of this machine has that address');
    }
  });

  it('a group nobody listens on: a plain call fails with Unavailable after replyTimeout, a gather finds nobody', () => {
    const { plain, ms, gathered } = report.nobodyThere;
    expect(plain.code).toBe(Code.Unavailable);
    expect(plain.message).toContain('nobody answered within 300 ms');
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(gathered).toBe(0);
  });
});
