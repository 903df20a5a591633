/**
 * The closed set of status codes a call can end with. Values are gRPC's, so a status seen in a
 * Conduit trace means the same as in a gRPC one; names are Connect-style.
 */
export enum Code {
  Ok = 0,
  Cancelled = 1,
  Unknown = 2,
  InvalidArgument = 3,
  DeadlineExceeded = 4,
  NotFound = 5,
  AlreadyExists = 6,
  PermissionDenied = 7,
  ResourceExhausted = 8,
  FailedPrecondition = 9,
  Aborted = 10,
  OutOfRange = 11,
  Unimplemented = 12,
  Internal = 13,
  Unavailable = 14,
  DataLoss = 15,
  Unauthenticated = 16,
}

/** `Code.DeadlineExceeded` → `deadline_exceeded`, the spelling gRPC and Connect print. */
export function codeName(code: Code): string {
  const name = Code[code];
  if (name === undefined) return `code_${code}`;
  return name.replace(/[A-Z]/g, (letter, at: number) => (at === 0 ? '' : '_') + letter.toLowerCase());
}

/** A code read off the wire is only trusted if it is one of ours; anything else is `Unknown`. */
export function codeFromWire(value: number): Code {
  return Number.isInteger(value) && value >= 0 && value <= Code.Unauthenticated ? (value as Code) : Code.Unknown;
}
