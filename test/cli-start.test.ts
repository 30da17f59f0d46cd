import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildIsFresh } from '../bin/launch.mjs';
import { buildCli, COMMANDS } from '../src/cli/main.js';

describe('a fast CLI: compiled when the build is current, only the command that runs is loaded', () => {
  it("the listed commands are the modules' own, with their descriptions", async () => {
    const all = await buildCli([], true);
    expect(all.commands.map((c) => [c.name(), c.description()])).toEqual(COMMANDS.map((c) => [c.name, c.description]));
    // `aexy --help` registers only the names: none of the modules (BullMQ, MikroORM, the renderer) is loaded.
    const help = await buildCli(['--help']);
    expect(help.commands.every((c) => c.commands.length === 0 && c.options.length === 0)).toBe(true);
    const sync = await buildCli(['sync', 'repo', 'acme/api']);
    expect(sync.commands.find((c) => c.name() === 'sync')!.commands.map((c) => c.name())).toEqual(['repo', 'issues', 'developer', 'teams']);
  });

  it('runs dist/ only while it is newer than every source file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aexy-launch-'));
    try {
      const root = pathToFileURL(`${dir}/`);
      mkdirSync(join(dir, 'src/cli'), { recursive: true });
      mkdirSync(join(dir, 'migrations'));
      writeFileSync(join(dir, 'src/cli/main.ts'), '');
      writeFileSync(join(dir, 'migrations/index.ts'), '');
      expect(buildIsFresh(root)).toBe(false); // never built
      mkdirSync(join(dir, 'dist'));
      writeFileSync(join(dir, 'dist/.build-stamp'), '');
      const at = (file: string, seconds: number) => utimesSync(join(dir, file), seconds, seconds);
      at('src/cli/main.ts', 1_000);
      at('migrations/index.ts', 1_000);
      at('dist/.build-stamp', 2_000);
      expect(buildIsFresh(root)).toBe(true);
      at('migrations/index.ts', 3_000); // edited after the build
      expect(buildIsFresh(root)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
