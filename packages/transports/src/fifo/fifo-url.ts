import { fileURLToPath, pathToFileURL } from 'node:url';
import { Code, RpcError } from '@conduit/runtime';

/** `fifo:///tmp/app.fifo` for an absolute path, percent-encoded like a file URL where needed. */
export function fifoUrl(path: string): string {
  return `fifo://${pathToFileURL(path).pathname}`;
}

/**
 * The absolute path a `fifo:///absolute/path` URL names. A host, a relative path, a query or a
 * fragment is an InvalidArgument: a FIFO is a local file and nothing in the URL may be ignored.
 */
export function pathOfFifoUrl(url: URL): string {
  const expected = 'expected fifo:///absolute/path';
  if (url.host !== '') throw new RpcError(Code.InvalidArgument, `'${url.href}' names a host, but a FIFO is a local file (${expected})`);
  if (!url.pathname.startsWith('/')) throw new RpcError(Code.InvalidArgument, `'${url.href}' has a relative path (${expected})`);
  if (url.search !== '' || url.hash !== '') throw new RpcError(Code.InvalidArgument, `'${url.href}' has a query or fragment (${expected})`);
  try {
    return fileURLToPath(`file://${url.pathname}`);
  } catch (cause) {
    throw new RpcError(Code.InvalidArgument, `'${url.href}' is not a valid path: ${(cause as Error).message}`, { cause });
  }
}
