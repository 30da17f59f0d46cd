import { sql, type PgQueryable } from '../db/sql.js';

/**
 * The statements the metrics library runs beside its metrics: each metric's own SQL is its definition
 * in library.ts (text built for a scope, as the export types' are, run through `queryOn`); these
 * evaluate it per bucket and read the scope's teams.
 */

/**
 * A single-value metric's SQL (`inner`, its window bounds read from b.s and b.e) evaluated once per
 * bucket inside one statement: `unnest` of the bucket bounds, a correlated subquery each.
 */
export async function valuesPerBucket(
  client: PgQueryable,
  inner: string,
  params: unknown[],
  buckets: { start: Date; end: Date }[],
): Promise<(string | null)[]> {
  const rows = await sql<{ v: string | null }>(
    client,
    `SELECT (SELECT q.v FROM (${inner}) q) AS v
       FROM unnest(?::timestamptz[], ?::timestamptz[]) WITH ORDINALITY AS b(s, e, i)
      ORDER BY b.i`,
    [...params, buckets.map((b) => b.start.toISOString()), buckets.map((b) => b.end.toISOString())],
  );
  return rows.map((r) => r.v ?? null);
}

/** The members of some teams (of an organization, when one is given). */
export async function teamMembers(client: PgQueryable, teamIds: string[], organizationId?: string | null): Promise<string[]> {
  const rows = await sql<{ id: string }>(
    client,
    `SELECT DISTINCT m::text AS id FROM teams, unnest(teams.developer_ids) AS m WHERE m IS NOT NULL AND teams.id = ANY(?::uuid[])${organizationId ? ' AND teams.organization_id = ?::uuid' : ''}`,
    organizationId ? [teamIds, organizationId] : [teamIds],
  );
  return rows.map((r) => r.id);
}
