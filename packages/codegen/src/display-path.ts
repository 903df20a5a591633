import { relative, resolve } from 'node:path';

/** Paths as the user would type them: relative to the working directory, forward slashes. */
export function displayPath(path: string): string {
  return relative(process.cwd(), resolve(path)).split('\\').join('/') || '.';
}
