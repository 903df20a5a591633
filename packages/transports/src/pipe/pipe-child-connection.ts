import { Code, RpcError, type Connection, type ConnectionHandlers } from '@conduit/runtime';
import { PeerClosedError, StreamConnection } from '../stream/stream-connection.js';
import type { PipeChild, PipeChildExit } from './pipe-child.js';

/**
 * How long, once the child's stdout has closed, the connection waits for the child's exit status
 * before it reports the close, so that failed calls can say how the child ended. A dying child's
 * stdout closes and its exit is reaped within milliseconds of each other; the bound only matters
 * for a child that closed its stdout and lives on.
 */
const EXIT_WAIT_MS = 1_000;

/** What the quoted text of a child's stray output is followed by: the usual cause, and the fix. */
const CHILD_TEXT_HINT = 'a stray console.log in the child? Write logs to stderr';

/** How the parent ends a child whose connection is over; see PipeSpawnOptions. */
export interface ChildStopGrace {
  readonly closeGrace: number;
  readonly killGrace: number;
}

/**
 * The parent's connection to one child: length-prefixed messages to its stdin and from its stdout,
 * tied to the child's life. However the connection ends, the child gets stdin EOF and then the
 * stop sequence (SIGTERM after `closeGrace`, SIGKILL after `killGrace`) if it does not exit; when
 * the child ends it, the close reason says how the child ended (`… exited with code 3`).
 */
export class PipeChildConnection implements Connection {
  readonly peer: string;
  readonly headroom: number;
  readonly #child: PipeChild;
  readonly #stream: StreamConnection;
  readonly #grace: ChildStopGrace;
  /** Set once this side ends the connection: its reason needs nothing from the child. */
  #endedHere = false;
  #open = true;

  constructor(child: PipeChild, maxMessageSize: number, grace: ChildStopGrace) {
    this.peer = `pipe:${child.command} (pid ${child.pid})`;
    this.#child = child;
    this.#grace = grace;
    this.#stream = new StreamConnection({ input: child.stdout, output: child.stdin }, this.peer, maxMessageSize, { textHint: CHILD_TEXT_HINT });
    this.headroom = this.#stream.headroom;
  }

  start(handlers: ConnectionHandlers): void {
    this.#stream.start({
      onMessage: (message) => handlers.onMessage(message),
      onOversized: (head, size) => handlers.onOversized(head, size),
      onClose: (reason) => this.#closed(reason, handlers),
    });
    void this.#child.exited.then((exit) => {
      if (!this.#open) return;
      // A child that exited closes its stdout, unless a process it started still holds it open:
      // the connection must not wait on that grandchild forever.
      setTimeout(() => {
        if (!this.#open) return;
        this.#endedHere = true;
        this.#stream.close(new RpcError(Code.Unavailable, `${exit.description}, but its stdout stayed open (held by a process it started?)`));
        // The child's stdin went with it, so there is nothing to flush: stop reading at once.
        this.#child.stdout.destroy();
      }, EXIT_WAIT_MS).unref();
    });
  }

  send(message: Uint8Array): void {
    this.#stream.send(message);
  }

  close(reason?: RpcError): void {
    this.#endedHere = true;
    this.#stream.close(reason);
    this.#child.stop(this.#grace.closeGrace, this.#grace.killGrace);
  }

  #closed(reason: RpcError | undefined, handlers: ConnectionHandlers): void {
    this.#open = false;
    // The stream has closed the child's stdin by now: that EOF is the child's cue to exit.
    this.#child.stop(this.#grace.closeGrace, this.#grace.killGrace);
    if (this.#endedHere) {
      handlers.onClose(reason);
      return;
    }
    void this.#child.exitWithin(EXIT_WAIT_MS).then((exit) => handlers.onClose(this.#reason(reason, exit)));
  }

  /**
   * Why the child's side ended: how the child ended, when it did so by itself. A reason that says
   * more than "the pipe closed" (text on stdout, a message cut short) stays first, with the exit
   * after it. An exit the parent's stop sequence caused is a consequence, not a reason.
   */
  #reason(reason: RpcError | undefined, ended: PipeChildExit | undefined): RpcError {
    const plain = reason === undefined || reason instanceof PeerClosedError || isOsError(reason.cause);
    const exit = this.#child.signalled ? undefined : ended;
    if (exit === undefined) return plain ? new RpcError(Code.Unavailable, `${this.#child.name} closed its stdout`, { cause: reason }) : reason;
    if (plain) return new RpcError(Code.Unavailable, exit.description, { cause: reason });
    return new RpcError(reason.code, `${reason.message}; ${exit.description}`, { cause: reason });
  }
}

/** An errno error (EPIPE, ECONNRESET): the pipe broke because the child went away, which its exit says better. */
function isOsError(cause: unknown): boolean {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.startsWith('E') && !code.startsWith('ERR_');
}
