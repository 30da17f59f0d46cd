import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../db/sql.js';
import type { Comparison } from '../metrics/index.js';

export interface AgreementRow {
  id: string;
  organization_id: string;
  team_id: string;
  team: string;
  name: string;
  metric: string;
  comparison: Comparison;
  target: number;
  share: number | null;
  channel: string | null;
  paused_at: Date | null;
  created_at: Date;
}

const COLUMNS = `a.id::text, a.organization_id::text, a.team_id::text, t.name AS team, a.name, a.metric, a.comparison, a.target::float AS target,
                 a.share::float AS share, a.channel, a.paused_at, a.created_at`;

/** An organization's agreements (or one team's), by team and name. */
export async function agreementsOf(em: EntityManager, organizationId: string, opts: { teamId?: string; activeOnly?: boolean } = {}): Promise<AgreementRow[]> {
  return sql<AgreementRow>(
    em,
    `SELECT ${COLUMNS} FROM working_agreements a JOIN teams t ON t.id = a.team_id
      WHERE a.organization_id = ? AND (?::uuid IS NULL OR a.team_id = ?::uuid) AND (NOT ?::boolean OR a.paused_at IS NULL)
      ORDER BY t.name, a.name`,
    [organizationId, opts.teamId ?? null, opts.teamId ?? null, opts.activeOnly ?? false],
  );
}

export async function agreementById(em: EntityManager, id: string): Promise<AgreementRow | undefined> {
  const [row] = await sql<AgreementRow>(em, `SELECT ${COLUMNS} FROM working_agreements a JOIN teams t ON t.id = a.team_id WHERE a.id = ?`, [id]);
  return row;
}

/** A team's name if it is a team of the organization. */
export async function teamOfOrganization(em: EntityManager, organizationId: string, teamId: string): Promise<string | undefined> {
  const [row] = await sql<{ name: string }>(em, `SELECT name FROM teams WHERE id = ? AND organization_id = ?`, [teamId, organizationId]);
  return row?.name;
}

/** What an agreement is made of, as written. */
type AgreementDefinition = Pick<AgreementRow, 'organization_id' | 'team_id' | 'name' | 'metric' | 'comparison' | 'target' | 'share' | 'channel'>;

export async function insertAgreement(em: EntityManager, a: AgreementDefinition): Promise<string | null> {
  const [row] = await sql<{ id: string }>(
    em,
    `INSERT INTO working_agreements (organization_id, team_id, name, metric, comparison, target, share, channel) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (team_id, name) DO NOTHING RETURNING id::text`,
    [a.organization_id, a.team_id, a.name, a.metric, a.comparison, a.target, a.share, a.channel],
  );
  return row?.id ?? null;
}

export async function updateAgreement(em: EntityManager, id: string, a: Omit<AgreementDefinition, 'organization_id' | 'team_id'>): Promise<void> {
  await sql(em, `UPDATE working_agreements SET metric = ?, comparison = ?, target = ?, share = ?, channel = ?, name = ?, updated_at = now() WHERE id = ?`, [
    a.metric,
    a.comparison,
    a.target,
    a.share,
    a.channel,
    a.name,
    id,
  ]);
}

export async function setPaused(em: EntityManager, id: string, paused: boolean): Promise<void> {
  await sql(em, `UPDATE working_agreements SET paused_at = CASE WHEN ? THEN coalesce(paused_at, now()) ELSE NULL END, updated_at = now() WHERE id = ?`, [
    paused,
    id,
  ]);
}

/** The organizations with an active agreement (the scheduled evaluation visits each). */
export async function organizationsWithAgreements(em: EntityManager): Promise<string[]> {
  return (await sql<{ id: string }>(em, `SELECT DISTINCT organization_id::text AS id FROM working_agreements WHERE paused_at IS NULL ORDER BY 1`)).map(
    (r) => r.id,
  );
}

/** The organization of a tracked repository, when it has an active agreement (a sync of it queues an evaluation). */
export async function organizationToEvaluate(em: EntityManager, repository: string): Promise<string | null> {
  const [row] = await sql<{ id: string }>(
    em,
    `SELECT tr.organization_id::text AS id FROM tracked_repositories tr
      WHERE tr.full_name = ? AND EXISTS (SELECT 1 FROM working_agreements a WHERE a.organization_id = tr.organization_id AND a.paused_at IS NULL)`,
    [repository],
  );
  return row?.id ?? null;
}
