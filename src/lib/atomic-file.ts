import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Files appear atomically: content goes to a hidden temp file in the target directory (same file
 * system, so rename is atomic), is fsync'd, and only then renamed to its final name.
 */
export async function tempPathFor(dir: string, name: string): Promise<{ tmp: string; final: string }> {
  await mkdir(dir, { recursive: true });
  return { tmp: join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`), final: join(dir, name) };
}

/** fsync `tmp` and rename it to `final`; on any failure the temp file is removed. */
export async function publish(tmp: string, final: string): Promise<void> {
  try {
    const fh = await open(tmp, 'r+');
    await fh.sync();
    await fh.close();
    await rename(tmp, final);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Write a whole buffer atomically; returns the final path. */
export async function writeAtomically(dir: string, name: string, bytes: Buffer): Promise<string> {
  const { tmp, final } = await tempPathFor(dir, name);
  try {
    const fh = await open(tmp, 'w');
    await fh.writeFile(bytes);
    await fh.close();
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await publish(tmp, final);
  return final;
}
