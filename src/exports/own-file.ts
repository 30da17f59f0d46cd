import { lstat, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';

/** Is `path` (a real path) inside the directory `root` (a real path)? */
export function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * The real path of an export's file when it is ours to serve or delete: a regular file inside
 * EXPORT_DIR by its real path (export_jobs rows may be written by another application, and a link
 * or a `..` must not lead outside). Null when it is gone or not ours.
 */
export async function ownExportFile(exportDir: string, filePath: string): Promise<string | null> {
  const root = await realpath(exportDir).catch(() => resolve(exportDir));
  const real = await realpath(filePath).catch(() => null);
  if (!real || !inside(root, real)) return null;
  return (await lstat(real)).isFile() ? real : null;
}
