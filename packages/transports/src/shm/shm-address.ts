import { Code, RpcError } from '@conduit/runtime';

/** What a server name may hold: it becomes part of a socket name, and URLs must carry it unescaped. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Throws InvalidArgument unless `name` is a usable server name. */
export function checkShmName(name: unknown): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new RpcError(
      Code.InvalidArgument,
      `shm: name must be 1-100 letters, digits, '.', '_' or '-' (starting with a letter or digit), got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

/** `shm://name`. */
export function shmUrl(name: string): string {
  return `shm://${name}`;
}

/** The name in `shm://name`; anything after it (a path, a port) is a mistake worth naming. */
export function nameOfShmUrl(url: URL): string {
  if (url.pathname !== '' && url.pathname !== '/') {
    throw new RpcError(Code.InvalidArgument, `shm URL ${url.href} has a path; expected shm://name`);
  }
  if (url.port !== '' || url.username !== '' || url.search !== '') {
    throw new RpcError(Code.InvalidArgument, `shm URL ${url.href} has more than a name; expected shm://name`);
  }
  return checkShmName(url.hostname);
}

/**
 * Where a server named `name` takes connection requests: a Unix socket in Linux's abstract
 * namespace (the leading NUL). It has no file, so a server killed with SIGKILL leaves nothing
 * behind and the next one can bind the same name at once; the user id in it keeps two users'
 * servers of one name apart (the segments themselves are mode 0600, so another user's client
 * could connect but never map one).
 */
export function socketNameOf(name: string): string {
  return `\0conduit-shm.${process.getuid?.() ?? 0}.${name}`;
}
