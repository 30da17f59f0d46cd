import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/spawn.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
/** Every `code span` of the README. */
const spans = [...README.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
/** The first cells of the path table (`| Path | Role |`). */
const tableRows = (() => {
  const start = README.indexOf('| Path | Role |');
  const rows = README.slice(start).split('\n').slice(2);
  return rows
    .slice(
      0,
      rows.findIndex((l) => !l.startsWith('|')),
    )
    .map((l) => l.split('|')[1]!.trim());
})();

describe('the README names what is there', () => {
  it('every repository path it names exists (src/, test/, bench/, …, and a service’s feature/file.ts)', () => {
    const paths = spans.filter((s) => /^(src|test|bench|migrations|docs|scripts|bin)\/[\w./-]*$/.test(s));
    const servicePaths = spans.filter((s) => /^[a-z-]+\/[\w/-]+\.ts$/.test(s) && !/^(src|test|bench|scripts|bin)\//.test(s));
    expect(paths.length).toBeGreaterThan(40);
    expect(servicePaths.length).toBeGreaterThan(15);
    expect(paths.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
    expect(servicePaths.filter((p) => !existsSync(join(ROOT, 'src', p)))).toEqual([]);
  });

  it('its path table has a row for every folder of src that holds code (jobs/ folders under `src/<feature>/jobs/`)', () => {
    expect(tableRows.length).toBeGreaterThan(20);
    const named = new Set(tableRows.flatMap((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\/$/, ''))));
    const folders = readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => relative(ROOT, e.parentPath))
      .filter((dir, i, all) => all.indexOf(dir) === i && dir !== 'src');
    expect(folders.length).toBeGreaterThan(20);
    const missing = folders.filter((dir) => !named.has(dir) && !/\/jobs$/.test(dir) && dir !== 'src/cli/commands');
    expect(missing).toEqual([]);
    expect(named.has('src/<feature>/jobs')).toBe(true);
  });
});
