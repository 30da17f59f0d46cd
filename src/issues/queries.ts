import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../db/sql.js';

/** Every statement of an organization's issue settings (src/issues/settings.ts checks what they are given). */

export async function ownCategoryMappings(em: EntityManager, organizationId: string): Promise<{ match: string; category: string }[]> {
  return sql(em, `SELECT match, category FROM issue_category_mappings WHERE organization_id = ? ORDER BY match`, [organizationId]);
}

export async function deleteCategoryMapping(em: EntityManager, organizationId: string, match: string): Promise<void> {
  await sql(em, `DELETE FROM issue_category_mappings WHERE organization_id = ? AND match = ?`, [organizationId, match]);
}

export async function writeCategoryMapping(em: EntityManager, organizationId: string, match: string, category: string): Promise<void> {
  await sql(
    em,
    `INSERT INTO issue_category_mappings (organization_id, match, category) VALUES (?, ?, ?)
     ON CONFLICT (organization_id, match) DO UPDATE SET category = EXCLUDED.category`,
    [organizationId, match, category],
  );
}

export async function ownIncidentMatches(em: EntityManager, organizationId: string): Promise<string[]> {
  return (await sql<{ match: string }>(em, `SELECT match FROM issue_incident_matches WHERE organization_id = ? ORDER BY match`, [organizationId])).map(
    (r) => r.match,
  );
}

/** Replace an organization's incident terms, in one transaction. */
export async function replaceIncidentMatches(em: EntityManager, organizationId: string, terms: string[]): Promise<void> {
  await em.transactional(async (tx) => {
    await sql(tx, `DELETE FROM issue_incident_matches WHERE organization_id = ?`, [organizationId]);
    if (terms.length) await sql(tx, `INSERT INTO issue_incident_matches (organization_id, match) SELECT ?, unnest(?::text[])`, [organizationId, terms]);
  });
}
