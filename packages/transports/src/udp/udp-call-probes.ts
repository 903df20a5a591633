import { retransmitDelay, type RttEstimator } from './udp-retransmit.js';
import type { TimeoutRefresh } from './udp-reliable-sender.js';

export interface CallProbesOptions {
  readonly retryWindow: number;
  readonly rtt: RttEstimator;
  /** Sends PROBE for the call sent as message `seq`. */
  readonly probe: (seq: number, callId: number) => void;
  /** When the server was last heard from. */
  readonly lastHeardAt: () => number;
  /** The server answered no probe for the retry window. */
  readonly onUnanswered: (problem: string) => void;
}

/** A call the client waits to hear the reply of. */
export interface AwaitedCall {
  /** The sequence number its CALL went out with (a new one when sent again). */
  seq: number;
  /** The CALL message, kept to send again should the server ask (RERUN). */
  readonly message: Buffer;
  readonly refresh: TimeoutRefresh | undefined;
  /** The server has the CALL: from now on it is probed, not resent. */
  acknowledged: boolean;
  attempts: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The client side of "retransmit a call until its reply arrives". Until the server acknowledges
 * the CALL, the ReliableSender sends it again; from then on only a header-sized PROBE goes, with
 * the same backoff, because the server has every byte: a PROBE of a finished call makes the server
 * send its cached reply again, one of a running call gets a PROBE_ACK. Probing also notices a
 * server that died while a long call ran (ICMP port unreachable on the next probe), and one that
 * answers no probe for the retry window. It stops when the reply is whole, or the call is cancelled
 * (the runtime sends CANCEL at the deadline too).
 */
export class CallProbes {
  readonly #options: CallProbesOptions;
  readonly #calls = new Map<number, AwaitedCall>();

  constructor(options: CallProbesOptions) {
    this.#options = options;
  }

  /** The runtime sent call `callId` as message `seq`. */
  expect(callId: number, seq: number, message: Buffer, refresh: TimeoutRefresh | undefined): void {
    this.#calls.set(callId, { seq, message, refresh, acknowledged: false, attempts: 0, timer: undefined });
  }

  /** The server acknowledged message `seq`, the CALL of `callId`: start probing. */
  acknowledged(callId: number, seq: number): void {
    const call = this.#calls.get(callId);
    if (call === undefined || call.seq !== seq) return;
    call.acknowledged = true;
    call.attempts = 0;
    this.#arm(callId, call);
  }

  /** The reply to `callId` is whole. Returns the CALL's sequence number if it was not acknowledged yet (the reply proves it arrived). */
  answered(callId: number): number | undefined {
    const call = this.#take(callId);
    return call === undefined || call.acknowledged ? undefined : call.seq;
  }

  /** The runtime gave call `callId` up (CANCEL). Returns its CALL's sequence number, to stop sending it. */
  forget(callId: number): number | undefined {
    return this.#take(callId)?.seq;
  }

  /**
   * The server evicted the reply of idempotent call `callId` and asks for the call again. Returns
   * the call to send again, unless this RERUN is about an older copy (`wireSeq` is not its current
   * message).
   */
  rerun(callId: number, wireSeq: number): AwaitedCall | undefined {
    const call = this.#calls.get(callId);
    if (call === undefined || !call.acknowledged || call.seq >>> 0 !== wireSeq) return undefined;
    clearTimeout(call.timer);
    return call;
  }

  /** Call `callId` went out again as message `seq`. */
  resent(callId: number, seq: number): void {
    const call = this.#calls.get(callId);
    if (call === undefined) return;
    call.seq = seq;
    call.acknowledged = false;
  }

  stop(): void {
    for (const call of this.#calls.values()) clearTimeout(call.timer);
    this.#calls.clear();
  }

  #take(callId: number): AwaitedCall | undefined {
    const call = this.#calls.get(callId);
    if (call === undefined) return undefined;
    clearTimeout(call.timer);
    this.#calls.delete(callId);
    return call;
  }

  #arm(callId: number, call: AwaitedCall): void {
    clearTimeout(call.timer);
    call.timer = setTimeout(() => this.#probe(callId, call), retransmitDelay(this.#options.rtt.timeout, call.attempts)).unref();
  }

  #probe(callId: number, call: AwaitedCall): void {
    const { retryWindow } = this.#options;
    if (performance.now() - this.#options.lastHeardAt() >= retryWindow) {
      this.#options.onUnanswered(`no answer to probes for ${retryWindow} ms`);
      return;
    }
    this.#options.probe(call.seq, callId);
    call.attempts++;
    this.#arm(callId, call);
  }
}
