import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
// semver comes with npm's own dependency tree (read here to judge ranges exactly as npm does).
const semver = require('semver') as { satisfies(version: string, range: string): boolean; minVersion(range: string): { version: string } | null };

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

/**
 * The runtime is one every installed package supports: `npm ci` refuses a mismatch (.npmrc
 * engine-strict), and this test names the package that would, for the Node.js running the tests
 * and, for what ships (dependencies, not devDependencies), for the oldest Node.js package.json allows.
 */
describe('engines', () => {
  it('every package in the lock file supports the Node.js the project runs on', () => {
    const lock = JSON.parse(read('../package-lock.json')) as {
      packages: Record<string, { version?: string; engines?: { node?: string } | string[]; dev?: boolean }>;
    };
    const oldest = semver.minVersion((JSON.parse(read('../package.json')) as { engines: { node: string } }).engines.node)!.version;
    const wrong = Object.entries(lock.packages).flatMap(([path, p]) => {
      const range = Array.isArray(p.engines) ? undefined : p.engines?.node;
      if (!path || !range) return [];
      const name = `${path.replace(/^.*node_modules\//, '')}@${p.version}`;
      return [process.versions.node, ...(p.dev ? [] : [oldest])].filter((v) => !semver.satisfies(v, range)).map((v) => `${name} wants node ${range}, not ${v}`);
    });
    expect(wrong).toEqual([]);
    expect(read('../.npmrc')).toMatch(/^engine-strict=true$/m);
  });
});
