/** What one member of a multicast test group counts of what reached it. */
export interface Tally {
  /** `increment` calls that ran. */
  increments: number;
  /** Calls of `slow` cancelled while they waited. */
  cancelled: number;
  /** Notes that arrived, in order. */
  notes: string[];
  /** Datagrams the member's transport dropped, all reasons together. */
  dropped: number;
  /** Requests the member's transport recognised as copies of one it already took. */
  duplicates: number;
}

/**
 * The service every member of a multicast test group serves, each under its own name: the tests
 * tell the members apart by their answers and count what each one ran.
 */
export interface RollCall {
  /** This member's name. */
  name(): Promise<string>;
  /** Adds `by` to this member's counter and answers the new total. Not idempotent: a call run twice counts twice. */
  increment(by: number): Promise<number>;
  /** Fails with FailedPrecondition on the members named in `names`; answers its name on the others. */
  failOn(names: string[]): Promise<string>;
  /** Answers its name after `ms` times the member's rank (1, 2, 3…), unless cancelled first. */
  slow(ms: number): Promise<string>;
  /** What reached this member so far. */
  tally(): Promise<Tally>;
  /** A note to every member, asking no reply. */
  note(text: string): void;
  /** Answers its argument. */
  echo(data: Uint8Array): Promise<Uint8Array>;
  /** Counts from 1 to `n`: a stream, which multicast cannot carry. */
  count(n: number): AsyncIterable<number>;
}
