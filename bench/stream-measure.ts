import type { StreamClient } from './clients/stream-client.js';

/** One row of the streaming table: a message size and how many streams run at once. */
export interface StreamShape {
  /** Payload bytes per message. */
  size: number;
  /** Streams open at once on the one connection, each read until the round ends. */
  streams: number;
}

export interface StreamRound {
  messages: number;
  bytes: number;
  seconds: number;
  messagesPerSec: number;
  bytesPerSec: number;
}

/**
 * Opens `shape.streams` streams at once and reads them all until `durationMs` is up, timed from
 * before the first request to after the last stream stopped: a stream's setup and its stop are
 * inside the round, amortized over a second of messages.
 */
export async function measureStreamRound(client: StreamClient, shape: StreamShape, durationMs: number): Promise<StreamRound> {
  const start = process.hrtime.bigint();
  const until = performance.now() + durationMs;
  const tallies = await Promise.all(Array.from({ length: shape.streams }, () => client.drain(shape.size, until)));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  let messages = 0;
  let bytes = 0;
  for (const tally of tallies) {
    messages += tally.messages;
    bytes += tally.bytes;
  }
  return { messages, bytes, seconds, messagesPerSec: messages / seconds, bytesPerSec: bytes / seconds };
}
