import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import type * as Koffi from 'koffi';

/**
 * The libc calls the shm transport needs, through koffi. This is the only file that touches
 * koffi, and it loads it on first use: importing `@conduit/transports` must keep working on a
 * machine where koffi's native part is missing or the platform has no POSIX shared memory.
 */

/** Thrown when this machine cannot run the shm transport; the message says what is missing. */
export class ShmUnsupportedError extends Error {
  override readonly name = 'ShmUnsupportedError';
}

// Linux's values (asm-generic, shared by x64, arm64, ppc64le, s390x and riscv64). Only Linux is
// supported, so they are not looked up at run time.
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_CLOEXEC = 0o2000000;
const PROT_READ = 0x1;
const PROT_WRITE = 0x2;
const MAP_SHARED = 0x1;
/** mmap's MAP_FAILED, `(void *)-1`, as koffi hands pointers back: an unsigned 64-bit BigInt. */
const MAP_FAILED = 0xffff_ffff_ffff_ffffn;

/** Where glibc keeps POSIX shared-memory objects; shm_open(name) is open(`/dev/shm${name}`). */
export const SHM_DIRECTORY = '/dev/shm';

/** The libc calls, each throwing a Node-style error (`code`, `syscall`) instead of returning -1. */
export interface ShmNative {
  /** shm_open; returns the file descriptor. */
  shmOpen(name: string, flags: number, mode: number): number;
  shmUnlink(name: string): void;
  /** posix_fallocate(fd, 0, size): gives the object its size and reserves every page now. */
  allocate(fd: number, size: number): void;
  /** mmap(NULL, size, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0); returns the address. */
  mapShared(fd: number, size: number): bigint;
  munmap(address: bigint, size: number): void;
  close(fd: number): void;
  /** An ArrayBuffer over `size` bytes at `address`, without copying (koffi.view). */
  view(address: bigint, size: number): ArrayBuffer;
}

/** An error shaped like Node's own (`code`, `syscall`), so os-errors.ts can map it to an RpcError code. */
export class ShmOsError extends Error {
  override readonly name = 'ShmOsError';
  constructor(
    readonly syscall: string,
    /** The errno name, e.g. `ENOENT`. */
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([name, value]) => [value, name]));

let loaded: ShmNative | string | undefined;

/** The bindings, loading koffi and libc on first call; throws ShmUnsupportedError when they cannot be had. */
export function shmNative(): ShmNative {
  loaded ??= load();
  if (typeof loaded === 'string') throw new ShmUnsupportedError(loaded);
  return loaded;
}

/** Whether the shm transport can run here, and if not, why (without throwing). */
export function shmSupport(): { ok: true } | { ok: false; reason: string } {
  try {
    shmNative();
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/** The bindings, or the reason they cannot be made. */
function load(): ShmNative | string {
  if (process.platform !== 'linux') return `shm transport needs Linux with ${SHM_DIRECTORY}: this is ${process.platform}`;
  if (!existsSync(SHM_DIRECTORY)) return `shm transport needs Linux with ${SHM_DIRECTORY}: ${SHM_DIRECTORY} does not exist`;
  let koffi: typeof Koffi;
  try {
    koffi = createRequire(import.meta.url)('koffi') as typeof Koffi;
  } catch (error) {
    return `shm transport needs the koffi package: ${(error as Error).message}`;
  }
  try {
    return bind(koffi);
  } catch (error) {
    return `shm transport could not bind libc.so.6 through koffi: ${(error as Error).message}`;
  }
}

function bind(koffi: typeof Koffi): ShmNative {
  const libc = koffi.load('libc.so.6');
  const shm_open = libc.func('int shm_open(const char *name, int oflag, uint32_t mode)');
  const shm_unlink = libc.func('int shm_unlink(const char *name)');
  // Returns the error number itself and leaves errno alone.
  const posix_fallocate = libc.func('int posix_fallocate(int fd, int64_t offset, int64_t len)');
  const mmap = libc.func('void *mmap(void *addr, size_t length, int prot, int flags, int fd, int64_t offset)');
  const munmap = libc.func('int munmap(void *addr, size_t length)');
  const close = libc.func('int close(int fd)');
  const strerror = libc.func('const char *strerror(int errnum)');

  const fail = (syscall: string, errno: number, subject: string): ShmOsError =>
    new ShmOsError(syscall, errnoNames.get(errno) ?? `errno ${errno}`, `${syscall} ${subject}: ${strerror(errno) as string}`);

  return {
    shmOpen(name, flags, mode) {
      const fd = shm_open(name, flags, mode) as number;
      if (fd < 0) throw fail('shm_open', koffi.errno(), name);
      return fd;
    },
    shmUnlink(name) {
      if ((shm_unlink(name) as number) !== 0) throw fail('shm_unlink', koffi.errno(), name);
    },
    allocate(fd, size) {
      const errno = posix_fallocate(fd, 0, size) as number;
      if (errno !== 0) throw fail('posix_fallocate', errno, `fd ${fd}, ${size} bytes`);
    },
    mapShared(fd, size) {
      const address = mmap(null, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) as bigint | null;
      if (address === null || address === MAP_FAILED) throw fail('mmap', koffi.errno(), `fd ${fd}, ${size} bytes`);
      return address;
    },
    munmap(address, size) {
      if ((munmap(address, size) as number) !== 0) throw fail('munmap', koffi.errno(), `${size} bytes at 0x${address.toString(16)}`);
    },
    close(fd) {
      if ((close(fd) as number) !== 0) throw fail('close', koffi.errno(), `fd ${fd}`);
    },
    view: (address, size) => koffi.view(address, size),
  };
}
