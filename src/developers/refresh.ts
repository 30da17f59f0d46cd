import type { EntityManager } from '@mikro-orm/postgresql';
import { PermanentError } from '../errors/index.js';
import { clearDirty, dirtyToken } from '../people/index.js';
import { DOMAIN_OF_LANGUAGE, frameworksFromPaths, seniority, type Seniority } from './evidence.js';
import { developerForProfile, languageRows, pathRows, writeProfile, yearStats } from './queries.js';

export type ProfileRefresh = { developerId: string; skipped: 'bot' } | { developerId: string; languages: number; frameworks: string[]; seniority: Seniority };

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
  const dev = await developerForProfile(em, developerId);
  if (!dev) throw new PermanentError(`Developer ${developerId} does not exist`);
  if (dev.bot) {
    await clearDirty(em, developerId, token);
    return { developerId, skipped: 'bot' };
  }

  const langRows = await languageRows(em, developerId);
  const languages = Object.fromEntries(langRows.map((r) => [r.lang, { lines: Number(r.lines), commits: Number(r.commits) }]));

  const paths = await pathRows(em, developerId);
  const frameworks = frameworksFromPaths(paths.map((p) => ({ path: p.path, commits: Number(p.commits) })));
  const domains = domainShares(langRows);

  const stats = await yearStats(em, developerId);
  const tenureYears = dev.github_created_at ? (Date.now() - new Date(dev.github_created_at).getTime()) / (365.25 * 86_400_000) : 0;
  const level = seniority({
    tenureYears,
    languages: langRows.filter((r) => Number(r.lines) >= 100).length,
    reviews: Number(stats.reviews),
    mergedPrs: Number(stats.merged),
    commits: Number(stats.commits),
  });
  const skills = [
    ...langRows.slice(0, 8).map((r) => r.lang.toLowerCase()),
    ...Object.entries(frameworks)
      .sort((a, b) => b[1].commits - a[1].commits)
      .slice(0, 8)
      .map(([name]) => name.toLowerCase()),
  ];

  await writeProfile(em, developerId, { languages, frameworks, domains, skills, level: level.level, score: level.score, lastActivity: stats.last });
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
