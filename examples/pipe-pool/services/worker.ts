/**
 * A CPU-bound worker. The pool in pool.ts runs several as child processes, one connection each
 * over the child's stdin and stdout, and spreads calls over them.
 */
export interface Worker {
  /** How many primes lie in [from, to), by trial division: deliberately CPU work. */
  countPrimes(from: number, to: number): Promise<number>;
  /** The process id of the worker that answers. */
  whoami(): Promise<number>;
}
