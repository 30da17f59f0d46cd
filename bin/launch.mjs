// Starts one of the project's entry points: its compiled JavaScript in dist/ when the build is up to
// date with the sources, else the TypeScript itself through tsx (a checkout being edited, an image
// without the build). AEXY_FROM_SOURCE=1 always runs the sources.
import { readdirSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url);

/** Whether `dir`/dist was built after every file of its src/ and migrations/ last changed. */
export function buildIsFresh(dir = root) {
  let stamp;
  try {
    stamp = statSync(new URL('dist/.build-stamp', dir)).mtimeMs;
  } catch {
    return false;
  }
  for (const sub of ['src', 'migrations']) {
    for (const entry of readdirSync(new URL(sub, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && statSync(`${entry.parentPath ?? entry.path}/${entry.name}`).mtimeMs > stamp) return false;
    }
  }
  return true;
}

/** Import an entry point given by its source path (`src/cli/main.ts`). */
export async function launch(source) {
  if (process.env.AEXY_FROM_SOURCE !== '1' && buildIsFresh()) return import(new URL(`dist/${source.replace(/\.ts$/, '.js')}`, root).href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(new URL(source, root).href);
}
