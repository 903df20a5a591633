/**
 * Named limits of the multicast transport; README.md in this folder explains each choice.
 */

/**
 * Default of `replyDelay`: a member waits a random 0-20 ms before replying, so a hundred members
 * do not answer one call in the same instant and overflow the caller's socket buffer (mDNS waits
 * 20-120 ms for the same reason; calls here want answers sooner).
 */
export const DEFAULT_REPLY_DELAY_MS = 20;

/** Default of `replyTimeout`: a call with no deadline that nobody answered fails after a second. */
export const DEFAULT_REPLY_TIMEOUT_MS = 1_000;

/**
 * When a client sends an open call's request again, counted from the first send: a datagram lost
 * on its way to a member (or the member's reply lost) costs one resend, not the call. A call ends
 * its resends when it ends (the runtime sends CANCEL). Members answer a resend from their kept
 * reply without running the call again.
 */
export const RESEND_AFTER_MS: readonly number[] = [50, 200];

/**
 * How long a member keeps a reply (and the memory that a call ran) for answering resends: well
 * past the last resend, so a resent call never runs twice.
 */
export const KEPT_REPLY_MS = 5_000;

/** A member keeps at most this many calls' replies, over all callers; the oldest go first. */
export const MAX_KEPT_CALLS = 4_096;

/** A member forgets a caller that sent nothing for this long; its calls are cancelled. */
export const CALLER_IDLE_MS = 60_000;

/** How often a member looks for expired replies and idle callers. */
export const SWEEP_INTERVAL_MS = 1_000;
