import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/spawn.js';

/**
 * SQL by name: in these features every statement is a named function of the feature's
 * `queries.ts` (graphile-worker's src/sql/*.ts and pg-boss's plans are the models), so every
 * statement touching a table is found in one place per feature. The export types' own statements are
 * their definitions (src/exports/definitions.ts), which only build SQL text.
 */
const BY_NAME = ['exports', 'reports', 'retention'] as const;

/** Files of a feature that run SQL themselves: a call of `sql(…)` / `pgSql(…)` or `.query(` with SQL text. */
function filesRunningSql(feature: string): string[] {
  const dir = join(ROOT, 'src', feature);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && f !== 'queries.ts')
    .filter((f) => {
      const text = readFileSync(join(dir, f), 'utf8');
      return /\b(sql|pgSql)(<[^>]*>)?\(/.test(text) || /\.query\(\s*[`'"](SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(text);
    })
    .map((f) => `src/${feature}/${f}`);
}

describe('SQL by name', () => {
  it.each(BY_NAME)('src/%s runs SQL only in its queries.ts', (feature) => {
    expect(readFileSync(join(ROOT, 'src', feature, 'queries.ts'), 'utf8')).toMatch(/export async function/);
    expect(filesRunningSql(feature)).toEqual([]);
  });

  it('the check sees a statement run elsewhere', () => {
    // The metrics library runs its statements where they are defined: the check must say so.
    expect(filesRunningSql('metrics').length).toBeGreaterThan(0);
  });
});
