import { randomBytes } from 'node:crypto';
import { fstatSync, readdirSync } from 'node:fs';
import { errnoOf } from '../os-errors.js';
import { O_CLOEXEC, O_CREAT, O_EXCL, O_RDWR, SHM_DIRECTORY, ShmOsError, shmNative, type ShmNative } from './shm-native.js';

/**
 * The life of one POSIX shared-memory segment: create or open it, map it, unlink its name, and
 * sweep the ones a crashed process left behind.
 *
 * A segment is never unmapped by hand. `buffer` is an ArrayBuffer over the mapping itself, and
 * any typed array, DataView or Buffer made from it reads and writes those pages directly; if the
 * pages were unmapped while one of those views still existed, the next access through it would
 * crash the whole process (SIGSEGV), not throw. Every view keeps its ArrayBuffer alive, so the
 * moment no view can exist is exactly the moment the ArrayBuffer is garbage-collected: a
 * FinalizationRegistry keyed on it does the munmap then. Unlinking the name (unlinkSegment) is
 * separate and immediate; the memory itself lives until the last process unmaps it.
 */
export interface Segment {
  /** The shm_open name, `/conduit-<pid>-<hex>`. */
  readonly name: string;
  /** Bytes mapped. */
  readonly size: number;
  /** The mapping, shared with every other process that maps the segment. */
  readonly buffer: ArrayBuffer;
}

/** Names this module makes, so that staleSegments can tell whose segment a file in /dev/shm is. */
const OUR_NAME = /^conduit-(\d+)-[0-9a-f]+$/;
/** NAME_MAX: shm_open's name (without the leading slash) is one file name in /dev/shm. */
const MAX_NAME_BYTES = 255;

/** The mapping's address and length, kept apart from the ArrayBuffer so holding them does not keep it alive. */
interface Mapping {
  readonly address: bigint;
  readonly size: number;
}

const unmapWhenCollected = new FinalizationRegistry<Mapping>(({ address, size }) => {
  try {
    shmNative().munmap(address, size);
  } catch {
    // munmap only fails on arguments it never gets here; a throw from a finalizer would crash
    // the process, and a leaked mapping is the lesser harm.
  }
});

/** A fresh segment name for this process: `/conduit-<pid>-<16 hex digits>`. */
export function segmentName(): string {
  return `/conduit-${process.pid}-${randomBytes(8).toString('hex')}`;
}

/**
 * Creates the segment `name` (readable and writable by this user only), reserves all `size`
 * bytes of it now, and maps it. Reserving up front is what makes a full /dev/shm an error here
 * instead of a SIGBUS on some later write into a page tmpfs cannot back. If anything fails after
 * the name exists, the name is removed before the error is thrown.
 */
export function createSegment(name: string, size: number): Segment {
  checkName(name);
  checkSize(size);
  const native = shmNative();
  let fd: number;
  try {
    fd = native.shmOpen(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0o600);
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') throw reworded(error, `shared-memory segment ${name} already exists`);
    throw error;
  }
  let open = true;
  try {
    try {
      native.allocate(fd, size);
    } catch (error) {
      if (errnoOf(error) === 'ENOSPC') {
        throw reworded(error, `${SHM_DIRECTORY} is out of space: could not reserve ${size} bytes for shared-memory segment ${name}`);
      }
      throw error;
    }
    const buffer = map(native, fd, size);
    open = false;
    native.close(fd);
    return { name, size, buffer };
  } catch (error) {
    if (open) quietly(() => native.close(fd));
    quietly(() => native.shmUnlink(name));
    throw error;
  }
}

/**
 * Maps the existing segment `name`, whose creator said it is `size` bytes. A segment smaller than
 * that is refused: touching a mapped page past the end of the object would kill the process with
 * SIGBUS.
 */
export function openSegment(name: string, size: number): Segment {
  checkName(name);
  checkSize(size);
  const native = shmNative();
  let fd: number;
  try {
    fd = native.shmOpen(name, O_RDWR | O_CLOEXEC, 0);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') throw reworded(error, `no such shared-memory segment ${name}`);
    throw error;
  }
  try {
    const actual = fstatSync(fd).size;
    if (actual < size) {
      throw new RangeError(`shared-memory segment ${name} is ${actual} bytes, smaller than the ${size} bytes expected`);
    }
    return { name, size, buffer: map(native, fd, size) };
  } finally {
    native.close(fd);
  }
}

/** Removes the name `name` (mappings stay valid until collected); a name already gone is fine. */
export function unlinkSegment(name: string): void {
  checkName(name);
  try {
    shmNative().shmUnlink(name);
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw error;
  }
}

/**
 * Names of segments in /dev/shm made by this module in processes that no longer exist (they
 * crashed or were killed before unlinking). A segment whose pid now belongs to another process
 * is taken for live and left alone.
 */
export function staleSegments(): string[] {
  let entries: string[];
  try {
    entries = readdirSync(SHM_DIRECTORY);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return [];
    throw error;
  }
  const stale: string[] = [];
  for (const entry of entries) {
    const pid = OUR_NAME.exec(entry)?.[1];
    if (pid !== undefined && !isAlive(Number(pid))) stale.push(`/${entry}`);
  }
  return stale;
}

/** Unlinks every stale segment (see staleSegments) and returns their names. */
export function removeStaleSegments(): string[] {
  const stale = staleSegments();
  for (const name of stale) unlinkSegment(name);
  return stale;
}

function map(native: ShmNative, fd: number, size: number): ArrayBuffer {
  const address = native.mapShared(fd, size);
  const buffer = native.view(address, size);
  unmapWhenCollected.register(buffer, { address, size });
  return buffer;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return errnoOf(error) !== 'ESRCH';
  }
}

function checkName(name: string): void {
  const file = name.slice(1);
  if (!name.startsWith('/') || file.length === 0 || file.includes('/') || file === '.' || file === '..' || Buffer.byteLength(file) > MAX_NAME_BYTES) {
    throw new RangeError(`invalid shared-memory segment name ${JSON.stringify(name)}: expected "/" then 1 to ${MAX_NAME_BYTES} bytes without "/"`);
  }
}

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`invalid shared-memory segment size ${size}: expected a positive integer`);
}

/** The same OS error (code and syscall kept for os-errors.ts) with a message that says what it means here. */
function reworded(error: unknown, message: string): ShmOsError {
  const os = error as ShmOsError;
  return new ShmOsError(os.syscall, os.code, message, { cause: error });
}

function quietly(action: () => void): void {
  try {
    action();
  } catch {
    // Already failing: the first error is the one worth reporting.
  }
}
