/**
 * Named limits and timings of the udp transport. Each bounds something a peer or the network could
 * otherwise make unbounded, or says how patient one end is; README.md in this folder lists them.
 */

/**
 * Default largest datagram, our header included: 1400 bytes of UDP payload fit Ethernet's
 * 1500-byte MTU behind IPv6 and UDP headers with room for a tunnel, so no datagram relies on IP
 * fragmentation (one lost IP fragment loses the whole datagram, and many paths drop fragments).
 */
export const DEFAULT_MAX_DATAGRAM_SIZE = 1400;
/** The smallest `maxDatagramSize`: a DATA header plus a useful fragment, and an ACK with a bitmap. */
export const MIN_DATAGRAM_SIZE = 256;
/** The largest UDP payload IPv4 can carry. */
export const MAX_DATAGRAM_SIZE = 65_507;

/** Retransmission timeout before any round trip was measured: a LAN or loopback answers well within it. */
export const INITIAL_RETRANSMIT_MS = 20;
/** The retransmission timeout never goes below this, so a busy event loop does not cause retransmissions. */
export const MIN_RETRANSMIT_MS = 20;
/**
 * Backoff stops growing here (unless the measured round trip is longer). It also bounds how long a
 * call waiting for its reply goes without a probe, so a crashed server is noticed (through ICMP
 * port unreachable) within about half a second.
 */
export const MAX_RETRANSMIT_MS = 500;
/** Each wait is spread by ±20 %, so peers that lost the same burst do not retransmit in step. */
export const RETRANSMIT_JITTER = 0.2;

/**
 * How long an ack of whole messages waits for a DATA going the other way to carry it (a reply
 * carries its call's, the next call the reply's) before it leaves in an ACK of its own. Long enough
 * for a quick handler or a caller's next call, so a fast call costs two datagrams instead of four;
 * a call slower than this spends far more than one datagram's cost anyway. Short beside the 20 ms
 * minimum retransmission timeout: the peer's timer does not fire for a delayed ack, and the round
 * trips it measures (which include the delay) stay near the real ones.
 */
export const ACK_DELAY_MS = 1;

/**
 * DATA datagrams one connection may have in flight (sent, neither acknowledged nor given up as
 * lost). 128 × 1400 bytes is about 175 KiB: under Linux's default 208 KiB socket receive buffer,
 * so a large message does not overrun the receiver's socket before it can read.
 */
export const SEND_WINDOW_DATAGRAMS = 128;
/**
 * A fragment counts as lost once this many fragments sent after it were acknowledged (TCP's three
 * duplicate acks): repaired at once instead of after a timeout, while a little reordering is
 * still forgiven.
 */
export const REORDER_TOLERANCE = 3;

/**
 * Default `retryWindow`: how long one end keeps retransmitting to a peer that acknowledges
 * nothing, or probing one that answers nothing, before it declares the connection lost
 * (Unavailable). It is also the longest a server keeps an unacknowledged reply.
 */
export const DEFAULT_RETRY_WINDOW_MS = 30_000;
/**
 * Default `idleTimeout`: a server forgets a client it has heard nothing from for this long.
 * Clients send a KEEPALIVE after a quarter of it without sending anything, so only a client that
 * is gone is forgotten.
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/** Default `connectTimeout`: how long a client waits for OPENED, as tcp waits for its handshake. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/**
 * How long a closing connection keeps retransmitting what the peer has not acknowledged (the last
 * replies, a GOAWAY) before it sends CLOSE anyway: a peer that stopped answering must not hold it.
 */
export const CLOSE_FLUSH_MS = 2_000;

/**
 * A partial message that got no new fragment for this long is dropped and its memory freed: its
 * sender is gone or never meant to finish it. A live sender retransmits far more often than this.
 */
export const REASSEMBLY_TIMEOUT_MS = 10_000;
/** How often a listener and a client look for idle peers, stale partial messages and expired calls. */
export const SWEEP_INTERVAL_MS = 1_000;
/** A client sweeps more often when the server's idle timeout is short, but never more often than this. */
export const MIN_SWEEP_INTERVAL_MS = 10;

/**
 * What each stored fragment costs of the receive budget beyond its bytes, so that many tiny
 * fragments are bounded in count as well as in bytes.
 */
export const FRAGMENT_OVERHEAD_BYTES = 64;
/** Default server-wide bound on the bytes of partial and held (out-of-order) messages of all clients. */
export const DEFAULT_SERVER_BUFFER_BYTES = 64 * 1024 * 1024;
/**
 * How far beyond the next message to deliver a sequence number may be. A sender has far fewer
 * messages outstanding; anything further is noise or an attack.
 */
export const MAX_MESSAGES_AHEAD = 65_536;

/**
 * Default reply-cache bounds (server-wide). A reply is normally acknowledged one round trip after
 * it is sent and leaves the cache then, so these bind only when clients stop acknowledging.
 */
export const DEFAULT_REPLY_CACHE_ENTRIES = 65_536;
export const DEFAULT_REPLY_CACHE_BYTES = 64 * 1024 * 1024;
/**
 * How many evicted idempotent replies a listener remembers, so that their callers can be asked to
 * call again: a marker is a few dozen bytes, so far more than replies fit.
 */
export const MAX_EVICTION_MARKERS = 65_536;
/**
 * An idempotent call that is still running is remembered until its timeout plus this, so a probe
 * for it arriving just after the server's own deadline still finds it.
 */
export const RUNNING_CALL_SLACK_MS = 1_000;

/**
 * Socket buffers asked for: large enough for bursts from many clients at once. The kernel caps the
 * request at net.core.rmem_max / wmem_max without complaint.
 */
export const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
