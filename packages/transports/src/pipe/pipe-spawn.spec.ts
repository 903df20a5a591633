import { describe, expect, it } from 'vitest';
import { Code, type ConnectionHandlers, type RpcError } from '@conduit/runtime';
import { rejection, thrown } from '../../../../test/support/rejection.js';
import type { PipeChildExit } from './pipe-child.js';
import { pipeSpawn, type PipeSpawnOptions } from './pipe-spawn.js';

/**
 * The parent's side at the transport seam, with small shell and node children (no Conduit server):
 * how the close reason tells the way a child ended, and how a child is ended.
 */

function connection(command: string, args: string[], options: PipeSpawnOptions = {}) {
  const exits: PipeChildExit[] = [];
  let closed!: (reason: RpcError | undefined) => void;
  const reason = new Promise<RpcError | undefined>((resolve) => (closed = resolve));
  const handlers: ConnectionHandlers = { onMessage() {}, onOversized() {}, onClose: (why) => closed(why) };
  const transport = pipeSpawn(command, args, { ...options, onExit: (exit) => exits.push(exit) });
  return { transport, exits, reason, connect: () => transport.connect(handlers) };
}

describe('pipe.spawn', () => {
  it('describes the command readably, quoting arguments with spaces', () => {
    expect(pipeSpawn('/usr/bin/node', ['server.js']).address).toBe('pipe:node server.js');
    expect(pipeSpawn('/bin/sh', ['-c', 'echo "hi"', '']).address).toBe('pipe:sh -c "echo \\"hi\\"" ""');
  });

  it('refuses options that cannot work, at once', () => {
    // thrown(): the shared helper of test/support/rejection.ts, not a local copy.
    expect(thrown(() => pipeSpawn(''))).toMatchObject({ code: Code.InvalidArgument, message: 'pipe.spawn needs a command to run' });
    expect(thrown(() => pipeSpawn('node', [], { stderr: 'pipe' }))).toMatchObject({
      code: Code.InvalidArgument,
      message: "pipe.spawn: stderr 'pipe' needs onStderr to hand the output to (or use 'ignore')",
    });
    expect(thrown(() => pipeSpawn('node', [], { stderr: 'inherit', onStderr: () => {} }))).toMatchObject({
      code: Code.InvalidArgument,
      message: "pipe.spawn: onStderr needs stderr 'pipe' (got 'inherit')",
    });
    expect(thrown(() => pipeSpawn('node', [], { closeGrace: -1 })).message).toMatch(/closeGrace must be a finite number of milliseconds ≥ 0 \(got -1\)/);
    expect(thrown(() => pipeSpawn('node', [], { killGrace: Infinity })).message).toMatch(/killGrace must be a finite number/);
  });

  it('rejects connect with Unavailable naming a command that cannot start', async () => {
    const { connect } = connection('/no/such/program', []);
    const error = await rejection(connect());
    expect([error.code, error.message]).toEqual([Code.Unavailable, "could not start '/no/such/program': no such file or directory (ENOENT)"]);
  });

  it('closes with the quoted text, then how the child ended, when a child writes text to stdout', async () => {
    const { connect, reason, exits } = connection('/bin/sh', ['-c', 'echo not a frame']);
    const { peer } = await connect();
    const pid = Number(/\(pid (\d+)\)$/.exec(peer)?.[1]);
    const error = await reason;
    expect(error?.code).toBe(Code.Unavailable);
    expect(error?.message).toBe(
      `pipe:sh -c "echo not a frame" (pid ${pid}) wrote text that is not a Conduit frame: "not a frame\\n" (a stray console.log in the child? Write logs to stderr); the child process ${pid} (sh -c "echo not a frame") exited with code 0`,
    );
    expect(exits).toEqual([{ pid, code: 0, signal: null, description: `the child process ${pid} (sh -c "echo not a frame") exited with code 0` }]);
  });

  it('says a child closed its stdout when it lives on without it, then ends it: stdin EOF, SIGTERM after closeGrace', async () => {
    const script = "require('fs').closeSync(1); process.stdin.resume(); process.stdin.on('end', () => setInterval(() => {}, 1000))";
    const { connect, reason, exits } = connection(process.execPath, ['-e', script], { closeGrace: 100 });
    await connect();
    const error = await reason;
    expect(error?.message).toMatch(/^the child process \d+ \(node -e ".*"\) closed its stdout$/);
    await expect.poll(() => exits.length, { timeout: 3_000, interval: 10 }).toBe(1);
    expect(exits[0]).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(exits[0]?.description).toMatch(/\) was killed by SIGTERM, sent by the parent because it had not exited 100 ms after its stdin closed$/);
  });

  it("does not wait forever for a stdout that a child's own child holds open after the child exited", async () => {
    const { connect, reason } = connection('/bin/sh', ['-c', 'sleep 1.5 & exit 4']);
    await connect();
    const started = performance.now();
    const error = await reason;
    expect(performance.now() - started).toBeLessThan(1_400);
    expect(error?.message).toMatch(/^the child process \d+ \(sh -c "sleep 1.5 & exit 4"\) exited with code 4, but its stdout stayed open \(held by a process it started\?\)$/);
  });

  it('ends a child by closing its stdin when the connection is closed', async () => {
    const { connect, reason, exits } = connection('/bin/cat', [], { closeGrace: 5_000 });
    const opened = await connect();
    opened.close();
    await reason;
    await expect.poll(() => exits.length, { timeout: 3_000, interval: 10 }).toBe(1);
    expect(exits[0]).toMatchObject({ code: 0, signal: null });
  });
});
