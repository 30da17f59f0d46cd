import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type PgQueryable } from '../db/sql.js';

/**
 * Organizations are not a table of the contract: an organization is the `organization_id` its teams,
 * custom reports, Slack integrations and tracked repositories carry. Its people are the members of
 * its teams (`teams.developer_ids`); a developer in no team of an organization is nothing of it, and
 * a developer in the teams of two organizations belongs to both (each sees only its own reports).
 */

/**
 * The developer ids of an organization, as SQL over an organization id expression. A NULL in a
 * team's developer_ids is no one (left in, it would make every `NOT IN` of this set unknown, and a
 * check of who is outside the organization pass everybody).
 */
export const organizationMembersSql = (org: string) =>
  `(SELECT m FROM teams, unnest(teams.developer_ids) AS m WHERE teams.organization_id = ${org} AND m IS NOT NULL)`;

/** The developer ids of an organization, as a sorted list. */
export async function organizationMembers(q: EntityManager | PgQueryable, organizationId: string): Promise<string[]> {
  const rows = await sql<{ id: string }>(q, `SELECT DISTINCT m::text AS id FROM ${organizationMembersSql('?::uuid')} AS t(m) ORDER BY 1`, [organizationId]);
  return rows.map((r) => r.id);
}

/** The organizations whose teams list a developer, oldest team first. */
export async function organizationsOfDeveloper(q: EntityManager | PgQueryable, developerId: string): Promise<string[]> {
  const rows = await sql<{ id: string }>(
    q,
    `SELECT organization_id::text AS id FROM teams WHERE ?::uuid = ANY(developer_ids) AND organization_id IS NOT NULL
      GROUP BY organization_id ORDER BY min(created_at), organization_id`,
    [developerId],
  );
  return rows.map((r) => r.id);
}

/**
 * What of a filter lies outside an organization: team ids that are not its teams and developer ids
 * that are not its members. A report or export naming them is refused rather than silently
 * narrowed: a smaller number that looks right is worse than an error.
 */
export async function outsideOrganization(
  q: EntityManager | PgQueryable,
  organizationId: string,
  filters: { team_ids?: string[]; developer_ids?: string[]; repositories?: string[] },
): Promise<string[]> {
  const problems: string[] = [];
  if (filters.team_ids?.length) {
    const rows = await sql<{ id: string }>(
      q,
      `SELECT t::text AS id FROM unnest(?::uuid[]) AS t WHERE NOT EXISTS (SELECT 1 FROM teams WHERE id = t AND organization_id = ?::uuid) ORDER BY 1`,
      [filters.team_ids, organizationId],
    );
    if (rows.length) problems.push(`team_ids: not teams of organization ${organizationId}: ${rows.map((r) => r.id).join(', ')}`);
  }
  if (filters.developer_ids?.length) {
    const rows = await sql<{ id: string }>(
      q,
      `SELECT d::text AS id FROM unnest(?::uuid[]) AS d WHERE d NOT IN ${organizationMembersSql('?::uuid')} ORDER BY 1`,
      [filters.developer_ids, organizationId],
    );
    if (rows.length) problems.push(`developer_ids: not members of organization ${organizationId}'s teams: ${rows.map((r) => r.id).join(', ')}`);
  }
  if (filters.repositories?.length) {
    const rows = await sql<{ name: string }>(
      q,
      `SELECT r AS name FROM unnest(?::text[]) AS r WHERE r NOT IN (SELECT full_name FROM tracked_repositories WHERE organization_id = ?::uuid) ORDER BY 1`,
      [filters.repositories, organizationId],
    );
    if (rows.length) problems.push(`repositories: not repositories of organization ${organizationId}: ${rows.map((r) => r.name).join(', ')}`);
  }
  return problems;
}

/** An organization's stored policy row (none: the defaults apply). */
export async function policyRow(
  q: EntityManager | PgQueryable,
  organizationId: string,
): Promise<{ individual_metrics: string; min_group_size: number } | undefined> {
  const [row] = await sql<{ individual_metrics: string; min_group_size: number }>(
    q,
    `SELECT individual_metrics, min_group_size FROM organization_policies WHERE organization_id = ?::uuid`,
    [organizationId],
  );
  return row;
}

export async function writePolicy(em: EntityManager, organizationId: string, p: { individual_metrics: string; min_group_size: number }): Promise<void> {
  await sql(
    em,
    `INSERT INTO organization_policies (organization_id, individual_metrics, min_group_size) VALUES (?, ?, ?)
     ON CONFLICT (organization_id) DO UPDATE SET individual_metrics = EXCLUDED.individual_metrics, min_group_size = EXCLUDED.min_group_size, updated_at = now()`,
    [organizationId, p.individual_metrics, p.min_group_size],
  );
}

/**
 * Whether a developer leads one of the organization's teams: their Slack user (the integration's
 * user_mappings) is among its notification_settings' team_leads.
 */
export async function isTeamLead(q: EntityManager | PgQueryable, organizationId: string, developerId: string): Promise<boolean> {
  const [row] = await sql<{ lead: boolean }>(
    q,
    `SELECT EXISTS (
       SELECT 1 FROM slack_integrations s
         CROSS JOIN LATERAL jsonb_each_text(coalesce(s.user_mappings, '{}'::jsonb)) um(slack_user, developer)
         CROSS JOIN LATERAL jsonb_each(coalesce(s.notification_settings -> 'team_leads', '{}'::jsonb)) tl(team, leads)
        WHERE s.organization_id = ?::uuid AND s.is_active AND um.developer = ?::text
          AND jsonb_typeof(tl.leads) = 'array' AND tl.leads @> to_jsonb(um.slack_user)
          AND EXISTS (SELECT 1 FROM teams t WHERE t.id::text = tl.team AND t.organization_id = s.organization_id)) AS lead`,
    [organizationId, developerId],
  );
  return Boolean(row?.lead);
}

/** A team's organization and how many people it has (NULLs are no one). */
export async function teamSize(q: EntityManager | PgQueryable, teamId: string): Promise<{ organization_id: string | null; members: number } | undefined> {
  const [row] = await sql<{ organization_id: string | null; members: number }>(
    q,
    `SELECT organization_id::text, (SELECT count(m)::int FROM unnest(developer_ids) m) AS members FROM teams WHERE id = ?::uuid`,
    [teamId],
  );
  return row;
}
