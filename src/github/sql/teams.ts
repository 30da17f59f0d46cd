import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray, sql } from '../../db/sql.js';

/** A team row of an organization (matched by name, the oldest), locked for this transaction; its members as stored. */
export async function lockTeam(em: EntityManager, organizationId: string, name: string): Promise<{ id: string; developerIds: string[] } | null> {
  const [row] = await sql<{ id: string; developer_ids: string[] | string }>(
    em,
    `SELECT id, developer_ids FROM teams WHERE organization_id = ? AND name = ? ORDER BY created_at LIMIT 1 FOR UPDATE`,
    [organizationId, name],
  );
  if (!row) return null;
  const ids = typeof row.developer_ids === 'string' ? row.developer_ids.replace(/[{}]/g, '').split(',') : row.developer_ids;
  return { id: row.id, developerIds: ids };
}

export async function insertTeam(
  em: EntityManager,
  team: { name: string; description: string | null; organizationId: string; developerIds: string[] },
): Promise<void> {
  await sql(em, `INSERT INTO teams (name, description, organization_id, developer_ids) VALUES (?, ?, ?, ?::uuid[])`, [
    team.name,
    team.description,
    team.organizationId,
    pgArray(team.developerIds),
  ]);
}

/** Set a team's members and description, only when one of them changed; returns whether the row was written. */
export async function updateTeam(em: EntityManager, id: string, team: { description: string | null; developerIds: string[] }): Promise<boolean> {
  const rows = await sql(
    em,
    `UPDATE teams t SET developer_ids = v.ids, description = v.description, updated_at = now()
       FROM (SELECT ?::uuid[] AS ids, ?::text AS description) v
      WHERE t.id = ? AND (t.developer_ids IS DISTINCT FROM v.ids OR t.description IS DISTINCT FROM v.description)
      RETURNING t.id`,
    [pgArray(team.developerIds), team.description, id],
  );
  return rows.length > 0;
}
