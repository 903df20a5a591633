/** Exit codes: documented in the README, relied on by scripts. */
export const EXIT_OK = 0;
/** Problems in a service file, or with `--check`, generated files that are out of date. */
export const EXIT_DIAGNOSTICS = 1;
export const EXIT_USAGE = 2;

/**
 * A mistake in how conduit was invoked or configured (arguments, config file, input paths, an
 * output that cannot be written): printed as `conduit: <message>` without a stack trace, exit code 2.
 * A message of several lines is several problems, each printed on its own `conduit:` line.
 */
export class UsageError extends Error {
  constructor(problems: string | readonly string[]) {
    super(typeof problems === 'string' ? problems : problems.join('\n'));
  }
}

/** How a usage error is printed: one `conduit:` line per problem. */
export function formatUsageError(error: UsageError): string {
  return error.message
    .split('\n')
    .map((line) => `conduit: ${line}\n`)
    .join('');
}
