/**
 * A response stream the caller can iterate at once although its call starts later (through the
 * interceptor chain, or once a connection is ready). `break` reaches the real stream through
 * `yield*`, which cancels the call.
 */
export function streamOf<T>(started: Promise<unknown>): AsyncIterable<T> {
  // Never iterated, a failed start must not become an unhandled rejection.
  started.catch(() => {});
  return (async function* () {
    yield* (await started) as AsyncIterable<T>;
  })();
}
