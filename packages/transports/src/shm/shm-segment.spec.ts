import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { shmSupport } from './shm-native.js';
import { createSegment, openSegment, removeStaleSegments, segmentName, staleSegments, unlinkSegment } from './shm-segment.js';

/** Every name this suite makes, unlinked at the end whatever happened. */
const made = new Set<string>();
function track(name: string): string {
  made.add(name);
  return name;
}

function ours(): string[] {
  return readdirSync('/dev/shm').filter((entry) => entry.startsWith(`conduit-${process.pid}-`));
}

afterAll(() => {
  for (const name of made) unlinkSegment(name);
  expect(ours()).toEqual([]);
});

describe('shm segments', () => {
  it('runs here (Linux, /dev/shm, koffi)', () => {
    expect(shmSupport()).toEqual({ ok: true });
  });

  it('says what is missing on a platform without POSIX shared memory', () => {
    const module = fileURLToPath(new URL('./shm-native.ts', import.meta.url));
    const script = `Object.defineProperty(process, 'platform', { value: 'darwin' });
      const { shmSupport, shmNative } = await import(${JSON.stringify(module)});
      let thrown; try { shmNative(); } catch (error) { thrown = error.name + ': ' + error.message; }
      console.log(JSON.stringify([shmSupport(), thrown]));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual([
      { ok: false, reason: 'shm transport needs Linux with /dev/shm: this is darwin' },
      'ShmUnsupportedError: shm transport needs Linux with /dev/shm: this is darwin',
    ]);
  });

  it('names segments /conduit-<pid>-<hex>, differently each time', () => {
    const name = segmentName();
    expect(name).toMatch(new RegExp(`^/conduit-${process.pid}-[0-9a-f]{16}$`));
    expect(segmentName()).not.toBe(name);
  });

  it('creates a segment only this user can use, the size asked, shared by every mapping of it', () => {
    const name = track(segmentName());
    const segment = createSegment(name, 65536);
    expect(segment).toMatchObject({ name, size: 65536 });
    expect(segment.buffer.byteLength).toBe(65536);
    const stat = statSync(`/dev/shm${name}`);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(stat.size).toBe(65536);
    // Pages are reserved up front, not on first touch.
    expect(stat.blocks * 512).toBeGreaterThanOrEqual(65536);

    const other = openSegment(name, 65536);
    new Uint8Array(segment.buffer)[65535] = 42;
    expect(new Uint8Array(other.buffer)[65535]).toBe(42);
    const words = new Int32Array(other.buffer);
    Atomics.store(words, 3, 7);
    expect(Atomics.load(new Int32Array(segment.buffer), 3)).toBe(7);

    unlinkSegment(name);
    expect(existsSync(`/dev/shm${name}`)).toBe(false);
    // The mappings outlive the name.
    new Uint8Array(other.buffer)[0] = 1;
    expect(new Uint8Array(segment.buffer)[0]).toBe(1);
    unlinkSegment(name); // already gone: fine
  });

  it('refuses to create a segment whose name exists', () => {
    const name = track(segmentName());
    createSegment(name, 4096);
    expect(() => createSegment(name, 4096)).toThrow(expect.objectContaining({ code: 'EEXIST', message: `shared-memory segment ${name} already exists` }));
    unlinkSegment(name);
  });

  it('says there is no such segment when opening a name that does not exist', () => {
    const name = segmentName();
    expect(() => openSegment(name, 4096)).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'shm_open', message: `no such shared-memory segment ${name}` }));
  });

  it('refuses to map more than a segment holds (touching past its end would be SIGBUS)', () => {
    const name = track(segmentName());
    createSegment(name, 4096);
    expect(() => openSegment(name, 8192)).toThrow(`shared-memory segment ${name} is 4096 bytes, smaller than the 8192 bytes expected`);
    unlinkSegment(name);
  });

  it('refuses names shm_open would not take as one file in /dev/shm, and sizes that are not positive integers', () => {
    for (const name of ['conduit-x', '/', '/a/b', '/..', `/${'x'.repeat(256)}`]) {
      expect(() => createSegment(name, 4096), name).toThrow(RangeError);
    }
    for (const size of [0, -1, 1.5, Number.NaN]) expect(() => createSegment(segmentName(), size)).toThrow(RangeError);
    expect(ours()).toEqual([]);
  });

  // Only where /dev/shm has a limit below the request: tmpfs then refuses it before allocating.
  const tooBig = 2 ** 40;
  const shmLimit = (({ blocks, bsize }) => blocks * bsize)(statfsSync('/dev/shm'));
  it.skipIf(shmLimit === 0 || shmLimit >= tooBig)('reports a full /dev/shm when the segment is made, not as SIGBUS later, and leaves no name behind', () => {
    const name = track(segmentName());
    expect(() => createSegment(name, tooBig)).toThrow(
      expect.objectContaining({ code: 'ENOSPC', message: `/dev/shm is out of space: could not reserve ${tooBig} bytes for shared-memory segment ${name}` }),
    );
    expect(existsSync(`/dev/shm${name}`)).toBe(false);
  });

  it('finds and removes the segments of processes that no longer run, and only those', async () => {
    const gone = spawn(process.execPath, ['-e', '']);
    const deadPid = gone.pid as number;
    await once(gone, 'exit');
    const stale = track(`/conduit-${deadPid}-${'ab'.repeat(8)}`);
    createSegment(stale, 4096);
    const live = track(segmentName());
    createSegment(live, 4096);
    const notOurs = track(`/other-${deadPid}-${'cd'.repeat(8)}`);
    createSegment(notOurs, 4096);

    expect(staleSegments()).toContain(stale);
    expect(staleSegments()).not.toContain(live);
    expect(staleSegments()).not.toContain(notOurs);
    expect(removeStaleSegments()).toContain(stale);
    expect(existsSync(`/dev/shm${stale}`)).toBe(false);
    expect(existsSync(`/dev/shm${live}`)).toBe(true);
    expect(existsSync(`/dev/shm${notOurs}`)).toBe(true);
    unlinkSegment(live);
    unlinkSegment(notOurs);
  });

  it('unmaps a segment once its ArrayBuffer has been collected, and not before', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const name = track(segmentName());
    const mapped = () => readFileSync('/proc/self/maps', 'utf8').includes(`/dev/shm${name}`);
    // The segment lives only inside this function; a view of it escapes until we drop it.
    let view: Uint8Array | undefined = ((): Uint8Array => {
      const segment = createSegment(name, 4096);
      unlinkSegment(name);
      return new Uint8Array(segment.buffer, 100, 10);
    })();
    view[0] = 5;
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(mapped()).toBe(true);
    expect(view[0]).toBe(5);
    view = undefined;
    for (let i = 0; i < 50 && mapped(); i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(mapped()).toBe(false);
  });
});
