import { Code, DEFAULT_MAX_MESSAGE_SIZE, RpcError, type Transport } from '@conduit/runtime';
import { checkShmName, nameOfShmUrl, shmUrl } from './shm-address.js';
import { connectShm } from './shm-connect.js';
import { listenShm } from './shm-listener.js';
import { shmSupport } from './shm-native.js';
import { isRingCapacity } from './spsc-ring.js';
import { warnOnStderr } from '../os-errors.js';

export interface ShmOptions {
  /**
   * The server's name: 1-100 letters, digits, '.', '_' or '-'. Server and clients meet through a
   * Unix socket of that name (Linux's abstract namespace: no file to clean up); each connection
   * then gets a shared-memory segment of its own.
   */
  name: string;
  /**
   * Server side: bytes of each ring (one per direction), a power of two from 4 KiB. Default
   * 1 MiB. Messages larger than a quarter of it are split and reassembled; a full ring makes
   * the writer wait. The client takes what the server offers.
   */
  ringSize?: number;
  /** Largest message in bytes, both directions. Default 4 MiB (`DEFAULT_MAX_MESSAGE_SIZE`), gRPC's. */
  maxMessageSize?: number;
  /**
   * Microseconds this side keeps polling its rings after the last message before it sleeps on
   * the doorbell. Polling answers in about a microsecond but keeps a core busy; a sleeper is
   * woken by a syscall on each side (tens of µs, far more on a VM whose idle CPU was halted).
   * Default 200: back-to-back calls then never sleep, and an idle connection stops polling after
   * 0.2 ms. The measurements behind it are in the README (Performance, shm).
   */
  spinMicros?: number;
  /** Milliseconds to wait for the handshake, both sides. Default 5000, as for tcp. */
  connectTimeout?: number;
  /**
   * Server side: hears what no caller is told about (failed handshakes, segments a crashed
   * process left). Default: one line on stderr prefixed `[conduit]`, as for fifo.
   */
  onError?: (problem: string, cause?: unknown) => void;
}

const DEFAULT_RING_SIZE = 1 << 20;
const DEFAULT_SPIN_MICROS = 200;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/**
 * POSIX shared memory between processes on one machine: per connection a segment holding one
 * lock-free ring per direction, so a message crosses with two copies and, while both sides are
 * busy, no syscall. Linux only (shm_open and mmap through koffi); elsewhere `connect` and
 * `listen` fail with FailedPrecondition saying why, and every other transport still works.
 */
export function shm(options: ShmOptions): Transport {
  const name = checkShmName(options.name);
  const ringSize = options.ringSize ?? DEFAULT_RING_SIZE;
  if (!isRingCapacity(ringSize)) {
    throw new RpcError(Code.InvalidArgument, `shm: ringSize must be a power of two from 4096 to 1 GiB, got ${String(ringSize)}`);
  }
  const address = shmUrl(name);
  const common = {
    name,
    address,
    maxMessageSize: options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
    spinMicros: options.spinMicros ?? DEFAULT_SPIN_MICROS,
    connectTimeout: options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
  };
  return {
    name: 'shm',
    address,
    connect: async (handlers) => {
      checkSupport(address);
      return connectShm(common, handlers);
    },
    listen: async (accept) => {
      checkSupport(address);
      return listenShm({ ...common, ringSize, report: options.onError ?? warnOnStderr }, accept);
    },
  };
}

/** Throws FailedPrecondition naming what is missing (Linux, /dev/shm, koffi) when shm cannot work here. */
function checkSupport(address: string): void {
  const support = shmSupport();
  if (!support.ok) throw new RpcError(Code.FailedPrecondition, `${address}: ${support.reason}`);
}

/** `shm://name` → an shm transport with default options. */
export function shmFromUrl(url: URL): Transport {
  return shm({ name: nameOfShmUrl(url) });
}
