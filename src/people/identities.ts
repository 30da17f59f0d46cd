import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray, sql } from '../db/sql.js';
import { trailerValues } from './trailers.js';

/**
 * Who wrote a commit when GitHub does not say (author null: the email is linked to no account).
 * We resolve the git author email through developer_identities, which we learn from:
 * - `github` (confidence 100): a commit GitHub did link to an account, so its email is that account's;
 * - `noreply` (100): GitHub's `<id>+<login>@users.noreply.github.com` names the account by id;
 *   the older `<login>@users.noreply.github.com` (90) names it by login;
 * - `profile` (90): the public email of a GitHub user (github.sync-developer).
 * An email claimed by two developers is ambiguous and resolves to nobody.
 */

export const IDENTITY_CONFIDENCE = { github: 100, noreply: 100, 'noreply-login': 90, profile: 90 } as const;
export type IdentitySource = keyof typeof IDENTITY_CONFIDENCE;

const NOREPLY = /^(?:(\d+)\+)?([a-z0-9](?:[a-z0-9-]{0,38}))@users\.noreply\.github\.com$/;

export function normaliseEmail(email: string | null | undefined): string | null {
  const e = email?.trim().toLowerCase();
  return e && e.includes('@') && e.length <= 320 ? e : null;
}

/** GitHub's noreply address → the account it names (id for the newer form, login only for the older). */
export function parseNoreply(email: string): { id: number | null; login: string } | null {
  const m = NOREPLY.exec(email);
  return m ? { id: m[1] ? Number(m[1]) : null, login: m[2]! } : null;
}

/**
 * The `Co-authored-by: Name <email>` trailers (GitHub's convention) of the message's trailer block,
 * found by git's rules (trailers.ts: the final paragraph, never the title), each email once, lower-cased.
 */
export function parseCoAuthors(message: string | null | undefined): { name: string; email: string }[] {
  const out = new Map<string, string>();
  for (const value of trailerValues(message ?? '', 'Co-authored-by')) {
    const m = /^(.*?)[ \t]*<([^<>\s]+)>$/.exec(value);
    const email = normaliseEmail(m?.[2]);
    if (m && email && !out.has(email)) out.set(email, m[1]!.slice(0, 255));
  }
  return [...out].map(([email, name]) => ({ email, name }));
}

export interface LearntIdentity {
  email: string;
  developer_id: string;
  source: IdentitySource;
}

/** Record identities; returns the emails that were new (their unattributed commits may now resolve). */
export async function learnIdentities(em: EntityManager, ids: LearntIdentity[]): Promise<string[]> {
  const unique = [...new Map(ids.map((i) => [`${i.email} ${i.developer_id}`, { ...i, confidence: IDENTITY_CONFIDENCE[i.source] }])).values()];
  if (unique.length === 0) return [];
  const rows = await sql<{ email: string }>(
    em,
    `INSERT INTO developer_identities (email, developer_id, source, confidence)
     SELECT i.email, i.developer_id, i.source, i.confidence
       FROM jsonb_to_recordset(?::jsonb) AS i(email text, developer_id uuid, source text, confidence smallint)
     ON CONFLICT (email, developer_id) DO NOTHING
     RETURNING email`,
    [JSON.stringify(unique)],
  );
  return [...new Set(rows.map((r) => r.email))];
}

/**
 * email → developer for the emails that resolve to exactly one developer. Older noreply addresses
 * (login only) resolve through the developer of that login, and are remembered as identities.
 */
export async function resolveEmails(em: EntityManager, emails: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(emails)];
  if (unique.length === 0) return new Map();
  const byLogin = unique.flatMap((e) => {
    const n = parseNoreply(e);
    return n && n.id === null ? [{ email: e, login: n.login }] : [];
  });
  if (byLogin.length > 0) {
    const found = await sql<{ email: string; id: string }>(
      em,
      `SELECT l.email, d.id FROM jsonb_to_recordset(?::jsonb) AS l(email text, login text)
         JOIN developers d ON lower(d.github_username) = l.login`,
      [JSON.stringify(byLogin)],
    );
    await learnIdentities(
      em,
      found.map((f) => ({ email: f.email, developer_id: f.id, source: 'noreply-login' })),
    );
  }
  const rows = await sql<{ email: string; developer_id: string }>(
    em,
    `SELECT email, (array_agg(developer_id))[1] AS developer_id FROM developer_identities
      WHERE email = ANY(?::text[]) GROUP BY email HAVING count(*) = 1`,
    [pgArray(unique)],
  );
  return new Map(rows.map((r) => [r.email, r.developer_id]));
}

/**
 * Commits (and co-author credits) stored without a developer whose email has just become known are
 * attributed now. Returns the developers who gained work.
 */
export async function reattribute(em: EntityManager, emails: string[]): Promise<string[]> {
  if (emails.length === 0) return [];
  const resolved = await resolveEmails(em, emails);
  if (resolved.size === 0) return [];
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

/**
 * Developers who have just appeared (or been renamed) claim the older noreply address of their
 * login, `<login>@users.noreply.github.com`, where earlier commits or co-author credits carry it
 * unresolved (they were written before the developer existed). Returns the emails learnt, for
 * `reattribute`.
 */
export async function learnLoginNoreply(em: EntityManager, developerIds: Iterable<string>): Promise<string[]> {
  const ids = [...new Set(developerIds)];
  if (ids.length === 0) return [];
  const found = await sql<{ email: string; id: string }>(
    em,
    `SELECT e.email, d.id FROM developers d
       CROSS JOIN LATERAL (SELECT lower(d.github_username) || '@users.noreply.github.com' AS email) e
      WHERE d.id = ANY(?::uuid[])
        AND (EXISTS (SELECT 1 FROM commit_graph g JOIN commits c ON c.sha = g.sha WHERE g.author_email = e.email AND c.developer_id IS NULL)
          OR EXISTS (SELECT 1 FROM commit_coauthors a WHERE a.email = e.email AND a.developer_id IS NULL))`,
    [pgArray(ids)],
  );
  return learnIdentities(
    em,
    found.map((f) => ({ email: f.email, developer_id: f.id, source: 'noreply-login' })),
  );
}
