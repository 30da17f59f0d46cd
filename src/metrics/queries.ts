import { sql, type PgQueryable } from '../db/sql.js';
import { pullInOrganizationSql } from '../organizations/index.js';

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

/**
 * A metric's statement (`inner`, reading the developer set as `g.id`) evaluated for each developer:
 * `unnest` of the ids, a correlated subquery each, in the order given.
 */
export async function valuesPerDeveloper(
  client: PgQueryable,
  window: string,
  inner: string,
  windowParams: unknown[],
  params: unknown[],
  developerIds: string[],
): Promise<(string | null)[]> {
  const rows = await sql<{ v: string | null }>(
    client,
    `${window}SELECT (SELECT q.v FROM (${inner}) q) AS v
       FROM unnest(?::uuid[]) WITH ORDINALITY AS g(id, i)
      ORDER BY g.i`,
    [...windowParams, ...params, developerIds],
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

/**
 * A team's pull requests (its people's, in the organization's repositories, bots' left out) that can
 * have a working agreement's moment in [from, to): opened before `to`, and open or closed at `from`
 * or later; with their size, clocks and whether someone else approved before the merge.
 */
export async function agreementPullRows(client: PgQueryable, teamId: string, organizationId: string, from: Date, to: Date) {
  return sql<Record<string, unknown>>(
    client,
    `SELECT p.github_id::text, gr.repository_full_name AS repository, p.number, p.title,
            coalesce(p.additions, 0) + coalesce(p.deletions, 0) AS lines, p.created_at, p.merged_at, p.closed_at,
            ph.t1 AS ready_at, ph.first_response_at,
            EXISTS (SELECT 1 FROM counted_code_reviews r WHERE r.pull_request_id = p.id AND r.reviewer_id IS DISTINCT FROM p.developer_id
                       AND r.state = 'approved' AND r.submitted_at IS NOT NULL AND (p.merged_at IS NULL OR r.submitted_at <= p.merged_at)) AS approved
       FROM counted_pull_requests p
       JOIN github_pull_repositories gr ON gr.github_id = p.github_id
       LEFT JOIN pull_request_phases ph ON ph.github_id = p.github_id
      WHERE p.developer_id IN (SELECT m FROM unnest((SELECT developer_ids FROM teams WHERE id = ?::uuid AND organization_id = ?::uuid)) AS t(m))
        AND ${pullInOrganizationSql('p', '?::uuid')}
        AND p.created_at < ?::timestamptz AND (p.closed_at IS NULL OR p.closed_at >= ?::timestamptz)
      ORDER BY p.created_at, p.github_id`,
    [teamId, organizationId, organizationId, to.toISOString(), from.toISOString()],
  );
}

/** The active working agreements of an organization (of some of its teams), labelled `<team>: <agreement>`. */
export async function activeAgreementsOf(client: PgQueryable, organizationId: string | null, teamIds: string[] | null) {
  return sql<Record<string, unknown>>(
    client,
    `SELECT t.name || ': ' || a.name AS label, a.organization_id::text, a.team_id::text, a.metric, a.comparison, a.target::float AS target, a.share::float AS share
       FROM working_agreements a JOIN teams t ON t.id = a.team_id
      WHERE a.paused_at IS NULL AND (?::uuid IS NULL OR a.organization_id = ?::uuid) AND (?::uuid[] IS NULL OR a.team_id = ANY(?::uuid[]))
      ORDER BY t.name, a.name`,
    [organizationId, organizationId, teamIds, teamIds],
  );
}
