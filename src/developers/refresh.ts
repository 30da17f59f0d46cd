import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray, sql } from '../db/sql.js';
import { PermanentError } from '../errors/index.js';
import { clearDirty, dirtyToken } from '../people/sql/follow-ups.js';
import { DOMAIN_OF_LANGUAGE, frameworksFromPaths, lastActivityOf, seniority, type Seniority } from './evidence.js';

export type ProfileRefresh = { developerId: string; skipped: 'bot' } | { developerId: string; languages: number; frameworks: string[]; seniority: Seniority };

/** Authored commits, and co-authored ones (no lines), of developer `?` (bound once, read as me.id). */
const MINE = `(WITH me AS (SELECT ?::uuid AS id)
               SELECT c.id, c.languages, c.files, true AS authored FROM counted_commits c, me WHERE c.developer_id = me.id
               UNION ALL
               SELECT c.id, c.languages, c.files, false FROM counted_commits c JOIN commit_coauthors a ON a.sha = c.sha, me
                WHERE a.developer_id = me.id AND c.developer_id IS DISTINCT FROM a.developer_id)`;

/**
 * Recompute a developer's profile from their synced work: languages {lang: {lines, commits}}
 * (vendored and generated files already excluded by the sync), frameworks from file evidence,
 * domains (share of lines per domain), skills, seniority, last_activity_at, profile_updated_at.
 *
 * The work counted is the counted_* views': merge commits (their diff repeats the merged commits'
 * lines) and bots are left out. Commits a developer co-authored (`Co-authored-by:`) count in their
 * languages' and frameworks' commit numbers, not in lines, which stay with the author. A bot gets
 * no profile. The developer_dirty mark read first is cleared at the end, unless marked again.
 */
export async function refreshProfile(em: EntityManager, developerId: string): Promise<ProfileRefresh> {
  const token = await dirtyToken(em, developerId);
  const [dev] = await sql<{ github_created_at: string | null; bot: boolean }>(
    em,
    `SELECT github_created_at, EXISTS (SELECT 1 FROM developer_bots b WHERE b.developer_id = d.id) AS bot FROM developers d WHERE id = ?`,
    [developerId],
  );
  if (!dev) throw new PermanentError(`Developer ${developerId} does not exist`);
  if (dev.bot) {
    await clearDirty(em, developerId, token);
    return { developerId, skipped: 'bot' };
  }

  const langRows = await sql<{ lang: string; lines: string; commits: string }>(
    em,
    `SELECT l.key AS lang, sum(CASE WHEN m.authored THEN l.value::bigint ELSE 0 END) AS lines, count(*) AS commits
       FROM ${MINE} m, jsonb_each_text(m.languages) l
      GROUP BY l.key ORDER BY 2 DESC, 3 DESC, 1`,
    [developerId],
  );
  const languages = Object.fromEntries(langRows.map((r) => [r.lang, { lines: Number(r.lines), commits: Number(r.commits) }]));

  const paths = await sql<{ path: string; commits: string }>(
    em,
    `SELECT f->>'path' AS path, count(DISTINCT m.id) AS commits
       FROM ${MINE} m, jsonb_array_elements(m.files) f
      WHERE f->>'excluded' IS NULL GROUP BY 1`,
    [developerId],
  );
  const frameworks = frameworksFromPaths(paths.map((p) => ({ path: p.path, commits: Number(p.commits) })));
  const domains = domainShares(langRows);

  const [stats] = await sql<{ commits: string; merged: string; reviews: string; last: string | null }>(
    em,
    `SELECT (SELECT count(*) FROM counted_commits WHERE developer_id = me.id AND committed_at > now() - interval '365 days') AS commits,
            (SELECT count(*) FROM pull_requests WHERE developer_id = me.id AND merged_at > now() - interval '365 days') AS merged,
            (SELECT count(*) FROM code_reviews WHERE reviewer_id = me.id AND submitted_at > now() - interval '365 days') AS reviews,
            ${lastActivityOf('me.id')} AS last
       FROM (SELECT ?::uuid AS id) me`,
    [developerId],
  );
  const tenureYears = dev.github_created_at ? (Date.now() - new Date(dev.github_created_at).getTime()) / (365.25 * 86_400_000) : 0;
  const level = seniority({
    tenureYears,
    languages: langRows.filter((r) => Number(r.lines) >= 100).length,
    reviews: Number(stats!.reviews),
    mergedPrs: Number(stats!.merged),
    commits: Number(stats!.commits),
  });
  const skills = [
    ...langRows.slice(0, 8).map((r) => r.lang.toLowerCase()),
    ...Object.entries(frameworks)
      .sort((a, b) => b[1].commits - a[1].commits)
      .slice(0, 8)
      .map(([name]) => name.toLowerCase()),
  ];

  await sql(
    em,
    `UPDATE developers SET languages = ?::jsonb, frameworks = ?::jsonb, domains = ?::jsonb, skills = ?::text[],
            seniority_level = ?, seniority_score = ?, last_activity_at = ?, profile_updated_at = now(), updated_at = now()
      WHERE id = ?`,
    [JSON.stringify(languages), JSON.stringify(frameworks), JSON.stringify(domains), pgArray(skills), level.level, level.score, stats!.last, developerId],
  );
  await clearDirty(em, developerId, token);
  return { developerId, languages: Object.keys(languages).length, frameworks: Object.keys(frameworks), seniority: level };
}

/** Share of lines per domain (languages mapped by DOMAIN_OF_LANGUAGE), rounded to 3 decimals. */
function domainShares(langRows: { lang: string; lines: string }[]): Record<string, number> {
  const totalLines = langRows.reduce((s, r) => s + Number(r.lines), 0);
  const domains: Record<string, number> = {};
  for (const r of langRows) {
    const d = Object.hasOwn(DOMAIN_OF_LANGUAGE, r.lang) ? DOMAIN_OF_LANGUAGE[r.lang] : undefined;
    if (d && totalLines > 0) domains[d] = (domains[d] ?? 0) + Number(r.lines) / totalLines;
  }
  for (const k of Object.keys(domains)) domains[k] = Math.round(domains[k]! * 1000) / 1000;
  return domains;
}
