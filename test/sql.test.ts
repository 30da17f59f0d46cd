import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onceEach, sql, toKnexPlaceholders, toPgPlaceholders } from '../src/db/sql.js';
import { useTestWorld } from './hooks.js';

/** The `?` placeholders on a node-postgres client: numbered in order, never inside quotes. */
describe('sql', () => {
  const w = useTestWorld();
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: w.db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
  });

  it('numbers each ? outside literals and quoted identifiers', () => {
    expect(toPgPlaceholders(`SELECT ?::int AS "a?", 'is it?' AS q, ? AS b WHERE x = 'it''s ?' AND y = ?`)).toBe(
      `SELECT $1::int AS "a?", 'is it?' AS q, $2 AS b WHERE x = 'it''s ?' AND y = $3`,
    );
  });

  it('on an EntityManager too: a question mark in a literal or a quoted name stays text, the others bind in order', async () => {
    expect(toKnexPlaceholders(`SELECT ? AS "a?", 'is it?' AS q`)).toBe(`SELECT ? AS "a\\?", 'is it\\?' AS q`);
    const rows = await sql<Record<string, unknown>>(w.db.orm.em.fork(), `SELECT ?::int AS "a?", 'really?' AS q, ?::text AS b, 'bugs' ~ '^bugs?$' AS r`, [
      7,
      'x',
    ]);
    expect(rows).toEqual([{ 'a?': 7, q: 'really?', b: 'x', r: true }]);
  });

  it('binds values in order on a real connection; a question mark in a literal stays text', async () => {
    const rows = await sql<{ a: number; q: string; b: string }>(client, `SELECT ?::int AS a, 'really?' AS q, ?::text AS b`, [7, 'x']);
    expect(rows).toEqual([{ a: 7, q: 'really?', b: 'x' }]);
  });

  it('onceEach: a statement asked for again (same text and values) is run once; other values, and a failed one, run again', async () => {
    const sent: string[] = [];
    const target = {
      query: async <R extends pg.QueryResultRow>(text: string, params: unknown[]) => {
        sent.push(JSON.stringify(params));
        return client.query<R>(text, params);
      },
    };
    const once = onceEach(target);
    const [a, b] = await Promise.all([sql<{ n: number }>(once, 'SELECT ?::int AS n', [1]), sql<{ n: number }>(once, 'SELECT ?::int AS n', [1])]);
    expect([a, b]).toEqual([[{ n: 1 }], [{ n: 1 }]]);
    expect(await sql<{ n: number }>(once, 'SELECT ?::int AS n', [2])).toEqual([{ n: 2 }]);
    await expect(sql(once, 'SELECT 1 / ?::int AS n', [0])).rejects.toThrow(/division by zero/);
    await expect(sql(once, 'SELECT 1 / ?::int AS n', [0])).rejects.toThrow(/division by zero/);
    expect(sent).toEqual(['[1]', '[2]', '[0]', '[0]']);
  });

  it("MikroORM's connections run without JIT compilation (it costs a report's statements more than it saves)", async () => {
    expect(await sql(w.db.orm.em.fork(), 'SHOW jit')).toEqual([{ jit: 'off' }]);
  });
});
