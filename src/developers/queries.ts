import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray, sql } from '../db/sql.js';
import { lastActivityOf } from './evidence.js';

/** Every statement of developer profiles: what a profile is computed from, and the profile written back. */

/** Set developers.last_activity_at from their newest work; returns it (undefined: no such developer). */
export async function updateLastActivity(em: EntityManager, developerId: string): Promise<Date | null | undefined> {
  const [row] = await sql<{ last_activity_at: Date | null }>(
    em,
    `UPDATE developers d SET last_activity_at = ${lastActivityOf('d.id')}, updated_at = now() WHERE d.id = ? RETURNING d.last_activity_at`,
    [developerId],
  );
  return row ? row.last_activity_at : undefined;
}

export async function developerForProfile(em: EntityManager, developerId: string): Promise<{ github_created_at: string | null; bot: boolean } | null> {
  const [dev] = await sql<{ github_created_at: string | null; bot: boolean }>(
    em,
    `SELECT github_created_at, EXISTS (SELECT 1 FROM developer_bots b WHERE b.developer_id = d.id) AS bot FROM developers d WHERE id = ?`,
    [developerId],
  );
  return dev ?? null;
}

/** Authored commits, and co-authored ones (no lines), of developer `?` (bound once, read as me.id). */
const MINE = `(WITH me AS (SELECT ?::uuid AS id)
               SELECT c.id, c.languages, c.files, true AS authored FROM counted_commits c, me WHERE c.developer_id = me.id
               UNION ALL
               SELECT c.id, c.languages, c.files, false FROM counted_commits c JOIN commit_coauthors a ON a.sha = c.sha, me
                WHERE a.developer_id = me.id AND c.developer_id IS DISTINCT FROM a.developer_id)`;

/** Per language: the lines of the developer's authored commits, and the commits (co-authored ones too), most lines first. */
export async function languageRows(em: EntityManager, developerId: string): Promise<{ lang: string; lines: string; commits: string }[]> {
  return sql<{ lang: string; lines: string; commits: string }>(
    em,
    `SELECT l.key AS lang, sum(CASE WHEN m.authored THEN l.value::bigint ELSE 0 END) AS lines, count(*) AS commits
       FROM ${MINE} m, jsonb_each_text(m.languages) l
      GROUP BY l.key ORDER BY 2 DESC, 3 DESC, 1`,
    [developerId],
  );
}

/** Per path the developer's commits touched (excluded files left out): how many commits. */
export async function pathRows(em: EntityManager, developerId: string): Promise<{ path: string; commits: string }[]> {
  return sql<{ path: string; commits: string }>(
    em,
    `SELECT f->>'path' AS path, count(DISTINCT m.id) AS commits
       FROM ${MINE} m, jsonb_array_elements(m.files) f
      WHERE f->>'excluded' IS NULL GROUP BY 1`,
    [developerId],
  );
}

/** The last year's counted commits, merged pull requests and reviews, and the newest activity. */
export async function yearStats(em: EntityManager, developerId: string): Promise<{ commits: string; merged: string; reviews: string; last: string | null }> {
  const [stats] = await sql<{ commits: string; merged: string; reviews: string; last: string | null }>(
    em,
    `SELECT (SELECT count(*) FROM counted_commits WHERE developer_id = me.id AND committed_at > now() - interval '365 days') AS commits,
            (SELECT count(*) FROM pull_requests WHERE developer_id = me.id AND merged_at > now() - interval '365 days') AS merged,
            (SELECT count(*) FROM code_reviews WHERE reviewer_id = me.id AND submitted_at > now() - interval '365 days') AS reviews,
            ${lastActivityOf('me.id')} AS last
       FROM (SELECT ?::uuid AS id) me`,
    [developerId],
  );
  return stats!;
}

export async function writeProfile(
  em: EntityManager,
  developerId: string,
  p: { languages: unknown; frameworks: unknown; domains: unknown; skills: string[]; level: string; score: number; lastActivity: string | null },
): Promise<void> {
  await sql(
    em,
    `UPDATE developers SET languages = ?::jsonb, frameworks = ?::jsonb, domains = ?::jsonb, skills = ?::text[],
            seniority_level = ?, seniority_score = ?, last_activity_at = ?, profile_updated_at = now(), updated_at = now()
      WHERE id = ?`,
    [JSON.stringify(p.languages), JSON.stringify(p.frameworks), JSON.stringify(p.domains), pgArray(p.skills), p.level, p.score, p.lastActivity, developerId],
  );
}
