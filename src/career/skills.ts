import * as linguist from 'linguist-languages';
import type { EntityManager } from '@mikro-orm/postgresql';
import { queryOn, type Query } from '../db/sql.js';
import { evidenceRows } from './queries.js';
import { DOMAIN_OF_LANGUAGE, FRAMEWORK_RULES } from '../developers/index.js';

/**
 * Skill levels, 0-100, from what the sync knows — the vocabulary of `career_roles.required_skills`.
 *
 * Every number is computed from the developer's counted work (merge commits and bots left out) in the
 * 365 days before the moment `at`, each piece weighted by its age: w = 0.5^(age in days / 180), so
 * work half a year old counts half, a year old a quarter. With W·x the weighted sum of x:
 *
 * | skill kind | keys | level |
 * |---|---|---|
 * | language | Linguist's names as keys (`python`, `typescript`, `cpp` for C++, `csharp` for C#) | min(60, 20·log10(1 + W·lines / 10)) + min(40, 10·log2(1 + W·commits touching it)) |
 * | domain | `frontend`, `backend`, `systems`, `data`, `mobile` (languages grouped as the profile groups them) | the same, over the domain's languages together |
 * | framework | `react`, `django`, `docker`, `kubernetes` … (the profile's file rules) | min(100, 25·log2(1 + W·commits touching a matching file)) |
 * | practice | `testing` (test files), `infrastructure` (CI, containers, IaC, build files), `documentation` (Markdown, reStructuredText, docs/), `system_design` (commits touching 3+ top-level directories and 5+ files) | the framework curve over the commits that touch such files |
 * | practice | `code_review` | min(70, 17.5·log2(1 + W·reviews given on others' pull requests)) + a turnaround bonus: with 3+ reviews, 30 × clamp((120 h − median hours from PR opened to review) / 96 h) |
 *
 * So 15 recency-weighted commits make a framework or practice 100; 10,000 weighted lines and 15
 * weighted commits make a language 100; 15 reviews with a median turnaround of a day make code_review 100.
 *
 * What this does not measure: the quality of code or reviews, design done in documents and
 * discussions, work outside the synced repositories, pairing and mentoring, or any skill nothing in
 * git or GitHub shows. `system_design` is only a proxy (changes that cut across a codebase).
 */

export const PRACTICE_SKILLS = ['code_review', 'testing', 'infrastructure', 'documentation', 'system_design'] as const;
export const DOMAIN_SKILLS = ['frontend', 'backend', 'systems', 'data', 'mobile'] as const;

/** A skill key from a language or framework name: lower case, `+` → `p`, `#` → `sharp`, other runs of non-alphanumerics → `_`. */
export function skillKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/\+/g, 'p')
    .replace(/#/g, 'sharp')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

const LANGUAGE_KEYS = new Map<string, string>(
  Object.values(linguist as unknown as Record<string, { name?: string }>)
    .filter((l): l is { name: string } => typeof l?.name === 'string')
    .map((l) => [skillKey(l.name), l.name]),
);
/** Frameworks whose key is not also a language's (Vue, Svelte, GraphQL are languages to Linguist: the language's lines say more). */
const FRAMEWORKS = FRAMEWORK_RULES.filter((r) => !LANGUAGE_KEYS.has(skillKey(r.name)));
const FRAMEWORK_KEYS = new Map(FRAMEWORKS.map((r) => [skillKey(r.name), r.name]));

/** Every skill key a role may require, with what it is. */
export function skillKind(key: string): 'practice' | 'domain' | 'framework' | 'language' | null {
  if ((PRACTICE_SKILLS as readonly string[]).includes(key)) return 'practice';
  if ((DOMAIN_SKILLS as readonly string[]).includes(key)) return 'domain';
  if (FRAMEWORK_KEYS.has(key)) return 'framework';
  if (LANGUAGE_KEYS.has(key)) return 'language';
  return null;
}

/** A skill's name for people: the language or framework as GitHub names it, or the key in words. */
export function skillLabel(key: string): string {
  const named = FRAMEWORK_KEYS.get(key) ?? LANGUAGE_KEYS.get(key);
  if (named) return named;
  const words = key.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The work a level is computed from (see skillLevels' SQL). */
export interface CommitEvidence {
  committedAt: Date;
  /** lines per language (vendored and generated files already left out by the sync) */
  languages: Record<string, number>;
  /** paths of the commit's counted files */
  paths: string[];
}
export interface ReviewEvidence {
  submittedAt: Date;
  /** hours from the pull request opened to this review */
  turnaroundHours: number;
}

export interface SkillLevel {
  level: number;
  /** what it was computed from, in plain language */
  evidence: string;
}

const HALF_LIFE_DAYS = 180;
export const SKILL_WINDOW_DAYS = 365;
const DAY = 86_400_000;

const TEST_FILE = /(^|\/)(tests?|__tests__|spec|specs)\/|\.(test|spec)\.[a-z0-9]+$|_test\.(go|py|rb|exs?)$|(^|\/)test_[^/]+\.py$|Tests?\.(java|kt|cs|swift)$/i;
const INFRA_FILE =
  /(^|\/)Dockerfile[^/]*$|(^|\/)docker-compose[^/]*\.ya?ml$|(^|\/)compose\.ya?ml$|\.tf$|\.tfvars$|(^|\/)(k8s|kubernetes|helm|charts|deploy|deployment|infra|ansible)\/|(^|\/)Chart\.yaml$|(^|\/)\.github\/workflows\/|(^|\/)\.gitlab-ci\.yml$|(^|\/)Jenkinsfile$|(^|\/)\.circleci\/|(^|\/)Makefile$|\.nix$/;
const DOC_FILE = /\.(md|mdx|rst|adoc|txt)$|(^|\/)docs?\//i;

const round = (v: number) => Math.round(v);
const frameworkCurve = (weightedCommits: number) => round(Math.min(100, 25 * Math.log2(1 + weightedCommits)));
const languageCurve = (weightedLines: number, weightedCommits: number) =>
  round(Math.min(60, 20 * Math.log10(1 + weightedLines / 10)) + Math.min(40, 10 * Math.log2(1 + weightedCommits)));
const fmt = (v: number) => (Math.round(v * 10) / 10).toLocaleString('en-US');

/** A commit that cuts across the codebase: 3+ top-level directories and 5+ files. */
function crossCutting(paths: string[]): boolean {
  if (paths.length < 5) return false;
  return new Set(paths.map((p) => (p.includes('/') ? p.slice(0, p.indexOf('/')) : '.'))).size >= 3;
}

/**
 * Every skill level of one developer at `at`, from their commits and reviews in the window before
 * it (older evidence is ignored). Only skills with evidence appear; any other is 0.
 */
export function levelsFrom(commits: CommitEvidence[], reviews: ReviewEvidence[], at: Date): Record<string, SkillLevel> {
  const since = at.getTime() - SKILL_WINDOW_DAYS * DAY;
  const weight = (t: Date) => 0.5 ** ((at.getTime() - t.getTime()) / DAY / HALF_LIFE_DAYS);
  const inWindow = <T>(t: Date, x: T) => (t.getTime() >= since && t.getTime() < at.getTime() ? x : null);

  type Acc = { lines: number; commits: number; wLines: number; wCommits: number };
  const acc = new Map<string, Acc>();
  const add = (key: string, w: number, lines: number) => {
    const a = acc.get(key) ?? { lines: 0, commits: 0, wLines: 0, wCommits: 0 };
    a.lines += lines;
    a.commits += 1;
    a.wLines += w * lines;
    a.wCommits += w;
    acc.set(key, a);
  };
  for (const c of commits) {
    if (!inWindow(c.committedAt, true)) continue;
    const w = weight(c.committedAt);
    const domains = new Map<string, number>();
    for (const [lang, lines] of Object.entries(c.languages)) {
      add(`language:${skillKey(lang)}`, w, lines);
      const domain = Object.hasOwn(DOMAIN_OF_LANGUAGE, lang) ? DOMAIN_OF_LANGUAGE[lang]! : null;
      if (domain && (DOMAIN_SKILLS as readonly string[]).includes(domain)) domains.set(domain, (domains.get(domain) ?? 0) + lines);
    }
    for (const [domain, lines] of domains) add(`domain:${domain}`, w, lines);
    for (const rule of FRAMEWORKS) if (c.paths.some((p) => rule.pattern.test(p))) add(`framework:${skillKey(rule.name)}`, w, 0);
    if (c.paths.some((p) => TEST_FILE.test(p))) add('practice:testing', w, 0);
    if (c.paths.some((p) => INFRA_FILE.test(p))) add('practice:infrastructure', w, 0);
    if (c.paths.some((p) => DOC_FILE.test(p))) add('practice:documentation', w, 0);
    if (crossCutting(c.paths)) add('practice:system_design', w, 0);
  }

  const out: Record<string, SkillLevel> = {};
  const what: Record<string, string> = {
    testing: 'touching test files',
    infrastructure: 'touching CI, container, infrastructure or build files',
    documentation: 'touching documentation',
    system_design: 'cutting across 3+ top-level directories and 5+ files',
  };
  for (const [k, a] of acc) {
    const [kind, key] = k.split(':') as [string, string];
    if (kind === 'language' || kind === 'domain') {
      out[key] = {
        level: languageCurve(a.wLines, a.wCommits),
        evidence: `${a.lines.toLocaleString('en-US')} lines in ${a.commits} commits in the last ${SKILL_WINDOW_DAYS} days (recency-weighted: ${fmt(a.wLines)} lines, ${fmt(a.wCommits)} commits)`,
      };
    } else {
      out[key] = {
        level: frameworkCurve(a.wCommits),
        evidence: `${a.commits} commits ${what[key] ?? `touching ${skillLabel(key)} files`} in the last ${SKILL_WINDOW_DAYS} days (recency-weighted: ${fmt(a.wCommits)})`,
      };
    }
  }

  const counted = reviews.filter((r) => inWindow(r.submittedAt, true));
  if (counted.length) {
    const wReviews = counted.reduce((s, r) => s + weight(r.submittedAt), 0);
    const sorted = counted.map((r) => r.turnaroundHours).sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    const volume = Math.min(70, 17.5 * Math.log2(1 + wReviews));
    const bonus = counted.length >= 3 ? 30 * Math.min(1, Math.max(0, (120 - median) / 96)) : 0;
    out.code_review = {
      level: round(volume + bonus),
      evidence: `${counted.length} reviews of others' pull requests in the last ${SKILL_WINDOW_DAYS} days (recency-weighted: ${fmt(wReviews)}), median ${fmt(median)} h after the pull request opened`,
    };
  }
  return out;
}

/**
 * The evidence of some developers in the window before `at`: their counted commits (authored; merges
 * and bots are not in counted_commits) and their reviews of others' pull requests, read through
 * idx_commits_developer_date and idx_code_reviews_reviewer_date. Two queries, however many developers.
 * With an organization (a report's), only the work in its repositories is evidence.
 */
export async function evidenceOf(
  q: Query,
  developerIds: string[],
  at: Date,
  organizationId: string | null = null,
): Promise<Map<string, { commits: CommitEvidence[]; reviews: ReviewEvidence[] }>> {
  const since = new Date(at.getTime() - SKILL_WINDOW_DAYS * DAY);
  const { commits, reviews } = await evidenceRows(q, developerIds, since, at, organizationId);
  const out = new Map(developerIds.map((id) => [id, { commits: [] as CommitEvidence[], reviews: [] as ReviewEvidence[] }]));
  for (const c of commits) out.get(c.developer_id)?.commits.push({ committedAt: new Date(c.committed_at), languages: c.languages ?? {}, paths: c.paths ?? [] });
  for (const r of reviews) out.get(r.reviewer_id)?.reviews.push({ submittedAt: new Date(r.submitted_at), turnaroundHours: Math.max(0, Number(r.hours)) });
  return out;
}

/** A developer's skill levels at `at` (default now). */
export async function skillLevels(em: EntityManager, developerId: string, at = new Date()): Promise<Record<string, SkillLevel>> {
  const evidence = (await evidenceOf(queryOn(em), [developerId], at)).get(developerId)!;
  return levelsFrom(evidence.commits, evidence.reviews, at);
}
