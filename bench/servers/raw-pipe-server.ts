/**
 * Baseline server for pipes: echoes every byte of stdin straight back on stdout, no framing.
 * Spawned by its client, which owns both pipes; stdout is the data channel, so it announces
 * nothing and exits when stdin ends.
 */
import { Socket } from 'node:net';

// Our own handles on fd 0 and 1: libuv pipes, written asynchronously like Conduit's pipe transport.
const input = new Socket({ fd: 0, readable: true, writable: false });
const output = new Socket({ fd: 1, readable: false, writable: true });
input.on('data', (chunk: Buffer) => output.write(chunk));
input.on('end', () => process.exit(0));
input.on('error', () => process.exit(0));
output.on('error', () => process.exit(0));
