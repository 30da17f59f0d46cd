import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/spawn.js';

const { FEATURES } = createRequire(import.meta.url)('../.dependency-cruiser.cjs') as { FEATURES: string[] };

/**
 * SQL by name: every statement a feature runs is a named function of the feature's `queries.ts`, or
 * of a file in its `sql/` folder (graphile-worker's src/sql/*.ts and pg-boss's plans are the models),
 * so every statement touching a table is found in one place per feature. Definitions that only
 * build SQL text (the export types', each metric's) are run through those functions. Outside the
 * features: src/db runs what it is handed, and the demo and the dev tools build their own worlds.
 */
const NOT_FEATURES = ['db/', 'demo/', 'dev/'];

/** Whether a module's text runs SQL itself: a call of `sql(…)` / `pgSql(…)`, or `.query(` with SQL text. */
export function runsSql(text: string): boolean {
  return /\b(sql|pgSql)(<[^>]*>)?\(/.test(text) || /\.query\(\s*[`'"](SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(text);
}

const isStatementModule = (path: string) => path.endsWith('/queries.ts') || path.includes('/sql/');

function modulesRunningSql(): string[] {
  const dir = join(ROOT, 'src');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !NOT_FEATURES.some((p) => f.startsWith(p)))
    .filter((f) => runsSql(readFileSync(join(dir, f), 'utf8')))
    .map((f) => `src/${f}`);
}

describe('SQL by name', () => {
  it('every feature runs SQL only in its queries.ts or sql/ folder', () => {
    const running = modulesRunningSql();
    expect(running.filter((f) => !isStatementModule(f))).toEqual([]);
    // Every feature but those that keep nothing in the database has its statements somewhere to be found.
    const touching = new Set(running.map((f) => f.split('/')[1]));
    expect(FEATURES.filter((f) => !touching.has(f))).toEqual(['board', 'system']);
  });

  it('the check sees a statement run elsewhere', () => {
    expect(runsSql("const [row] = await sql<{ id: string }>(em, 'SELECT id FROM teams WHERE id = ?', [id]);")).toBe(true);
    expect(runsSql('await client.query(`UPDATE teams SET name = $1`, [name]);')).toBe(true);
    expect(runsSql('const rows = await teamsOfMember(em, org, developerId);')).toBe(false);
    expect(isStatementModule('src/slack/notifications.ts')).toBe(false);
  });
});
