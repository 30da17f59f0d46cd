import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray, sql } from '../../db/sql.js';

/** developer_identities, and the attribution of commits and co-author credits by email (src/people/identities.ts decides with these). */

/** Insert identities (email, developer, source, confidence); returns the emails of the rows that were new. */
export async function insertIdentities(
  em: EntityManager,
  rows: { email: string; developer_id: string; source: string; confidence: number }[],
): Promise<string[]> {
  const inserted = await sql<{ email: string }>(
    em,
    `INSERT INTO developer_identities (email, developer_id, source, confidence)
     SELECT i.email, i.developer_id, i.source, i.confidence
       FROM jsonb_to_recordset(?::jsonb) AS i(email text, developer_id uuid, source text, confidence smallint)
     ON CONFLICT (email, developer_id) DO NOTHING
     RETURNING email`,
    [JSON.stringify(rows)],
  );
  return inserted.map((r) => r.email);
}

/** For each (email, login), the developer of that login (whatever its case), where there is one. */
export async function developersOfLogins(em: EntityManager, byLogin: { email: string; login: string }[]): Promise<{ email: string; id: string }[]> {
  return sql<{ email: string; id: string }>(
    em,
    `SELECT l.email, d.id FROM jsonb_to_recordset(?::jsonb) AS l(email text, login text)
       JOIN developers d ON lower(d.github_username) = l.login`,
    [JSON.stringify(byLogin)],
  );
}

/** email → developer for the emails claimed by exactly one developer. */
export async function unambiguousIdentities(em: EntityManager, emails: string[]): Promise<Map<string, string>> {
  const rows = await sql<{ email: string; developer_id: string }>(
    em,
    `SELECT email, (array_agg(developer_id))[1] AS developer_id FROM developer_identities
      WHERE email = ANY(?::text[]) GROUP BY email HAVING count(*) = 1`,
    [pgArray(emails)],
  );
  return new Map(rows.map((r) => [r.email, r.developer_id]));
}

/** Attribute the unattributed commits and co-author credits of the given emails; returns the developers who gained work. */
export async function attributeByEmail(em: EntityManager, resolved: Map<string, string>): Promise<string[]> {
  const payload = JSON.stringify([...resolved].map(([email, developer_id]) => ({ email, developer_id })));
  const commits = await sql<{ developer_id: string }>(
    em,
    `UPDATE commits c SET developer_id = r.developer_id
       FROM commit_graph g, jsonb_to_recordset(?::jsonb) AS r(email text, developer_id uuid)
      WHERE g.sha = c.sha AND g.author_email = r.email AND c.developer_id IS NULL
     RETURNING c.developer_id`,
    [payload],
  );
  const coauthors = await sql<{ developer_id: string }>(
    em,
    `UPDATE commit_coauthors a SET developer_id = r.developer_id
       FROM jsonb_to_recordset(?::jsonb) AS r(email text, developer_id uuid)
      WHERE a.email = r.email AND a.developer_id IS NULL
     RETURNING a.developer_id`,
    [payload],
  );
  return [...new Set([...commits, ...coauthors].map((r) => r.developer_id))];
}

/** The developers (of those given) whose login's older noreply address is on unattributed commits or co-author credits, with that address. */
export async function unclaimedLoginNoreply(em: EntityManager, developerIds: string[]): Promise<{ email: string; id: string }[]> {
  return sql<{ email: string; id: string }>(
    em,
    `SELECT e.email, d.id FROM developers d
       CROSS JOIN LATERAL (SELECT lower(d.github_username) || '@users.noreply.github.com' AS email) e
      WHERE d.id = ANY(?::uuid[])
        AND (EXISTS (SELECT 1 FROM commit_graph g JOIN commits c ON c.sha = g.sha WHERE g.author_email = e.email AND c.developer_id IS NULL)
          OR EXISTS (SELECT 1 FROM commit_coauthors a WHERE a.email = e.email AND a.developer_id IS NULL))`,
    [pgArray(developerIds)],
  );
}
