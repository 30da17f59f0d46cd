// Compiles src/ and migrations/ to dist/ (tsc -p tsconfig.build.json), so the CLI, the worker and the
// board start without compiling TypeScript, and stamps the build (dist/.build-stamp). Run by `npm ci`
// and `npm install` (the `prepare` script) and by `npm run build`. Without TypeScript (npm ci
// --omit=dev) it says so and builds nothing: the launchers (bin/launch.mjs) then run the sources
// through tsx, as they do whenever a source file is newer than the build.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url);
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.log('aexy build: TypeScript is not installed (production install): the sources run through tsx');
  process.exit(0);
}
if (!existsSync(new URL('src', root))) {
  console.log('aexy build: no sources here yet; nothing to build');
  process.exit(0);
}
rmSync(new URL('dist', root), { recursive: true, force: true });
const started = Date.now();
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
writeFileSync(new URL('dist/.build-stamp', root), `${new Date().toISOString()}\n`);
console.log(`aexy build: dist/ compiled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
