import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../db/sql.js';

/** An incident as the webhook reports it, to be an incidents row. */
export interface IncidentRow {
  source: string;
  external_id: string;
  repository_full_name: string;
  title: string | null;
  opened_at: string;
  resolved_at: string | null;
  sha: string | null;
  deployment_external_id: number | null;
}

/**
 * Insert an incident, or update it by (source, id) when anything changed. Returns whether it was
 * created, updated, or already as given.
 */
export async function upsertIncident(em: EntityManager, r: IncidentRow): Promise<'created' | 'updated' | 'unchanged'> {
  const [row] = await sql<{ created: boolean }>(
    em,
    `INSERT INTO incidents (source, external_id, repository_full_name, title, opened_at, resolved_at, sha, deployment_external_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (source, external_id) DO UPDATE SET repository_full_name = EXCLUDED.repository_full_name, title = EXCLUDED.title,
            opened_at = EXCLUDED.opened_at, resolved_at = EXCLUDED.resolved_at, sha = EXCLUDED.sha,
            deployment_external_id = EXCLUDED.deployment_external_id, updated_at = now()
      WHERE (incidents.repository_full_name, incidents.title, incidents.opened_at, incidents.resolved_at, incidents.sha, incidents.deployment_external_id)
            IS DISTINCT FROM (EXCLUDED.repository_full_name, EXCLUDED.title, EXCLUDED.opened_at, EXCLUDED.resolved_at, EXCLUDED.sha, EXCLUDED.deployment_external_id)
     RETURNING (xmax = 0) AS created`,
    [r.source, r.external_id, r.repository_full_name, r.title, r.opened_at, r.resolved_at, r.sha, r.deployment_external_id],
  );
  return row ? (row.created ? 'created' : 'updated') : 'unchanged';
}

/** An incident with the deployment it is attributed to (delivery_incidents). */
export interface DeliveryIncident {
  kind: string;
  key: string;
  repository_full_name: string;
  deployment_external_id: string | null;
  deployment_source: string | null;
  sha: string | null;
  title: string | null;
  opened_at: Date;
  resolved_at: Date | null;
}

/** The newest incidents (of one repository, or all), newest first. */
export async function latestIncidents(em: EntityManager, repo: string | null, limit: number): Promise<DeliveryIncident[]> {
  return sql<DeliveryIncident>(
    em,
    `SELECT i.kind, i.key, i.repository_full_name, d.external_id AS deployment_external_id, d.source AS deployment_source, i.sha, i.title, i.opened_at, i.resolved_at
       FROM delivery_incidents i LEFT JOIN deployments d ON d.id = i.deployment_id
      WHERE (?::text IS NULL OR i.repository_full_name = ?) ORDER BY i.opened_at DESC, i.key LIMIT ?`,
    [repo, repo, limit],
  );
}
