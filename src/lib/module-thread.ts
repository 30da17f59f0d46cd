import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread running the module at `entry` (a URL beside the caller's own module): the compiled
 * JavaScript as it is, or, when the caller runs from its TypeScript sources (`entry` ends in .ts:
 * `npm run` without a build, the tests, the bench), the same module after tsx is registered in the
 * thread (a thread does not inherit the loader its parent registered).
 */
export function moduleThread(entry: URL): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry);
  const boot = `const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((tsx) => tsx.register()).then(() => import(workerData.entry));`;
  return new Worker(boot, { eval: true, workerData: { tsx: tsxApi(), entry: entry.href } });
}

/** tsx's ESM API (`tsx/esm/api` as an import resolves it, by the package's exports map), as a URL. */
function tsxApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return new URL(exports['./esm/api']!.import.default, pathToFileURL(manifest)).href;
}
