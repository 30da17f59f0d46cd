import type pg from 'pg';
import { resolveScope, scopeLookup, type ScopedFilters, type Scope } from './filters.js';
import { queryOn, replacePlaceholders } from '../db/sql.js';
import { valuesPerBucket, valuesPerDeveloper } from './queries.js';
import { doraLevels, overallDoraLevel } from './dora.js';
import { learningProgressMetric, readinessMetric, skillLevelsMetric } from '../career/index.js';
import { commitInOrganizationSql, pullInOrganizationSql, reviewInOrganizationSql } from '../organizations/index.js';
import { DEFAULT_CATEGORY_MAPPING, INVESTMENT_CATEGORIES } from '../issues/index.js';

/**
 * The metrics library: one SQL query per metric over the synced tables, scoped by a date window and
 * a developer set. Each query filters on (developer_id, date) so idx_commits_developer_date,
 * idx_code_reviews_reviewer_date and idx_pull_requests_developer_id serve it on large tables
 * (`npm run bench` prints the plans on 1M commits).
 */
export type MetricResult =
  { kind: 'scalar'; value: number | null; unit: string } | { kind: 'breakdown'; unit: string; items: { label: string; value: number }[] };

interface Ctx {
  q: <T extends pg.QueryResultRow>(text: string, params: unknown[]) => Promise<T[]>;
  scope: Scope;
  /** the database, for a metric that is more than one statement (agreement_attainment) */
  client: pg.ClientBase | pg.Pool;
}

/**
 * Every metric's SQL reads its window bounds from one bound row, `win`: WINDOW_SQL, then the
 * metric's statement using START and END (each bound once, however often the SQL uses them; the
 * line chart substitutes each bucket's bounds for them). The developer set is bound in the statement
 * itself, where it is used: seeing it, the planner takes idx_commits_developer_date for one developer
 * (`npm run bench`, (e)), not the date index across everybody.
 */
const WINDOW_SQL = 'WITH win AS (SELECT ?::timestamptz AS s, ?::timestamptz AS e) ';
const START = '(SELECT s FROM win)';
const END = '(SELECT e FROM win)';

/**
 * The scope's filters, by what a query reads: each returns ` AND …` for the row alias given (empty
 * when nothing narrows it), binding its values in the order the SQL text uses them. The developer
 * set (author or reviewer), and with an organization only the work of its repositories
 * (src/organizations/repositories.ts): a person's work elsewhere is another organization's.
 */
export interface ScopeSql {
  /** commits (counted_commits or commits) as `alias` */
  commits(alias: string): string;
  /**
   * The view of counted commits to read: `counted_commits_wide` (merges and bots left out by hashed
   * lookups) for a scope of more than WIDE_SCOPE people or everyone, else `counted_commits` (an index
   * probe per commit); the same rows either way.
   */
  countedCommits(): string;
  /** pull requests as `alias` */
  pulls(alias: string): string;
  /** code reviews as `alias`, by their reviewer */
  reviews(alias: string): string;
  /**
   * deployments as `alias` (counted_deployments): of the organization's repositories; with team or
   * developer filters, those that shipped a commit of one of the people (a failed one: whose sha is
   * one of theirs).
   */
  deployments(alias: string): string;
  /** commits as `alias` reaching production: of the organization's repositories; with team or developer filters, the people's. */
  delivered(alias: string): string;
  /** delivery_incidents as `alias`: of the organization's repositories; with team or developer filters, attributed to one of the people's deployments. */
  incidents(alias: string): string;
  /** issues as `alias`: of the organization's repositories (or Jira site), not a bot's; with team or developer filters, those the people opened or are assigned. */
  issues(alias: string): string;
  /** issues as `alias` of the organization's repositories (whoever's): an issue a pull request links to. */
  issuesOfOrganization(alias: string): string;
  /** the organization's id as an SQL expression (NULL without one) */
  organization(): string;
}

/** The window's values, and the scope's filters binding the rest. */
function params(scope: Scope): [unknown[], ScopeSql] {
  const p: unknown[] = [scope.start.toISOString(), scope.end.toISOString()];
  const ids = scope.developerIds;
  const org = scope.organizationId;
  const dev = (col: string) => {
    if (ids === null) return '';
    p.push(ids);
    return ` AND ${col} = ANY(?::uuid[])`;
  };
  const inOrg = (predicate: (alias: string, org: string) => string, alias: string) => {
    if (!org) return '';
    p.push(org);
    return ` AND ${predicate(alias, '?::uuid')}`;
  };
  // A repositories filter: the work of those repositories only (a pull request's and a review's by
  // the repository recorded beside the pull request).
  const repos = scope.repositories;
  const inRepos = (sqlOf: (set: string) => string) => {
    if (repos === null) return '';
    p.push(repos);
    return ` AND ${sqlOf('?::text[]')}`;
  };
  const byName = (a: string) => inRepos((set) => `${a}.repository_full_name = ANY(${set})`);
  const pullsIn = (set: string) => `(SELECT gr.github_id FROM github_pull_repositories gr WHERE gr.repository_full_name = ANY(${set}))`;
  // An issue is the organization's by its repository (GitHub) or by its organization (Jira).
  const inOrgIssues = (a: string) => {
    if (!org) return '';
    p.push(org, org);
    return ` AND (${commitInOrganizationSql(a, '?::uuid')} OR ${a}.organization_id = ?::uuid)`;
  };
  // Delivery is the repositories' (an organization's outside contributors' work ships too): the
  // people narrow it only when a filter names them.
  const people = (sqlOf: (ids: string) => string) => {
    if (!scope.peopleFiltered || ids === null) return '';
    p.push(ids);
    return ` AND ${sqlOf('?::uuid[]')}`;
  };
  // The set is bound once, where it is used once.
  const theirDeployment = (a: string, set: string) =>
    `EXISTS (SELECT 1 FROM commits pc WHERE pc.developer_id = ANY(${set})
                AND (pc.sha = ${a}.sha OR pc.sha IN (SELECT pdc.sha FROM deployment_commits pdc WHERE pdc.deployment_id = ${a}.id)))`;
  return [
    p,
    {
      commits: (a) => dev(`${a}.developer_id`) + inOrg(commitInOrganizationSql, a) + byName(a),
      countedCommits: () => countedCommitsView(scope),
      pulls: (a) => dev(`${a}.developer_id`) + inOrg(pullInOrganizationSql, a) + inRepos((set) => `${a}.github_id IN ${pullsIn(set)}`),
      reviews: (a) =>
        dev(`${a}.reviewer_id`) +
        inOrg(reviewInOrganizationSql, a) +
        inRepos((set) => `${a}.pull_request_id IN (SELECT rp.id FROM pull_requests rp WHERE rp.github_id IN ${pullsIn(set)})`),
      deployments: (a) => inOrg(commitInOrganizationSql, a) + byName(a) + people((set) => theirDeployment(a, set)),
      delivered: (a) => inOrg(commitInOrganizationSql, a) + byName(a) + people((set) => `${a}.developer_id = ANY(${set})`),
      issuesOfOrganization: (a) => inOrgIssues(a),
      organization: () => {
        if (!org) return 'NULL::uuid';
        p.push(org);
        return '?::uuid';
      },
      // A bot's issue (a dependency dashboard, an alert) is stored, and linked to, but counted nowhere.
      issues: (a) =>
        ` AND NOT EXISTS (SELECT 1 FROM developer_bots ib WHERE ib.developer_id = ${a}.developer_id)` +
        inOrgIssues(a) +
        byName(a) +
        people((set) => `(ARRAY[${a}.developer_id] || coalesce(${a}.assignee_ids, '{}')) && ${set}`),
      incidents: (a) =>
        inOrg(commitInOrganizationSql, a) +
        byName(a) +
        people(
          (set) =>
            `${a}.deployment_id IN (SELECT pd.id FROM counted_deployments pd WHERE pd.repository_full_name = ${a}.repository_full_name AND ${theirDeployment('pd', set)})`,
        ),
    },
  ];
}

const scalar = (value: unknown, unit: string): MetricResult => ({ kind: 'scalar', value: value === null || value === undefined ? null : Number(value), unit });

async function one(ctx: Ctx, text: (s: ScopeSql) => string, unit: string): Promise<MetricResult> {
  const [p, dev] = params(ctx.scope);
  const rows = await ctx.q<{ v: string | null }>(WINDOW_SQL + text(dev), p);
  return scalar(rows[0]?.v ?? null, unit);
}

async function breakdown(ctx: Ctx, text: (s: ScopeSql) => string, unit: string): Promise<MetricResult> {
  const [p, dev] = params(ctx.scope);
  const rows = await ctx.q<{ label: string; v: string }>(WINDOW_SQL + text(dev), p);
  return { kind: 'breakdown', unit, items: rows.map((r) => ({ label: String(r.label), value: Number(r.v) })) };
}

/** More people than this: their commits are read through counted_commits_wide. */
export const WIDE_SCOPE = 20;

/**
 * The view of counted commits a scope reads: counted_commits_wide for more than WIDE_SCOPE people
 * (or everyone, or a statement evaluated per person) when the merges' hashed lookup fits in the
 * server's hash memory; else counted_commits. PostgreSQL hashes a `NOT IN` subquery only when its
 * table fits in work_mem × hash_mem_multiplier, and otherwise rescans it for every commit: a
 * repository with more merges than that reads the per-commit index probes instead (slower, never
 * that cliff).
 */
export function countedCommitsView(scope: Pick<Scope, 'developerIds' | 'manyPeople' | 'mergesFit'>): 'counted_commits' | 'counted_commits_wide' {
  const wide = scope.developerIds === null || scope.developerIds.length > WIDE_SCOPE || scope.manyPeople;
  return wide && scope.mergesFit ? 'counted_commits_wide' : 'counted_commits';
}

/**
 * Whether the merges' hashed lookup fits in the hash memory of `client`'s session: the partial
 * index's row count as last analysed (unknown before: no), 80 bytes a hashed sha (PostgreSQL's own
 * estimate is 64: a margin), against work_mem × hash_mem_multiplier.
 */
export async function mergesFitInMemory(client: pg.ClientBase | pg.Pool): Promise<boolean> {
  const [row] = await queryOn(client)<{ fits: boolean }>(
    `SELECT coalesce((SELECT c.reltuples FROM pg_class c WHERE c.relname = 'idx_commit_graph_merges' AND c.relkind = 'i'), -1) BETWEEN 0 AND
            pg_size_bytes(current_setting('work_mem')) * current_setting('hash_mem_multiplier')::float8 / 80 AS fits`,
    [],
  );
  return row?.fits === true;
}

/** The scope, told whether the merges fit when that decides its view of commits (a scope of few people reads counted_commits either way: no lookup). */
async function withMergesFit(client: pg.ClientBase | pg.Pool, scope: Scope): Promise<Scope> {
  if (countedCommitsView({ ...scope, mergesFit: true }) === 'counted_commits') return scope;
  return { ...scope, mergesFit: await mergesFitInMemory(client) };
}

const COMMITS_IN = (s: ScopeSql) => `FROM ${s.countedCommits()} c WHERE c.committed_at >= ${START} AND c.committed_at < ${END}${s.commits('c')}`;
const PRS_CREATED_IN = (s: ScopeSql) => `FROM counted_pull_requests p WHERE p.created_at >= ${START} AND p.created_at < ${END}${s.pulls('p')}`;
const PRS_MERGED_IN = (s: ScopeSql) => `FROM counted_pull_requests p WHERE p.merged_at >= ${START} AND p.merged_at < ${END}${s.pulls('p')}`;
/** A weekday commit outside working time (09:00-18:00 UTC); shared with the insight signals. */
export const afterHoursSql = (col: string) =>
  `(extract(isodow FROM ${col} AT TIME ZONE 'UTC') < 6 AND (extract(hour FROM ${col} AT TIME ZONE 'UTC') < 9 OR extract(hour FROM ${col} AT TIME ZONE 'UTC') >= 18))`;
export const weekendSql = (col: string) => `(extract(isodow FROM ${col} AT TIME ZONE 'UTC') >= 6)`;
const AFTER_HOURS = afterHoursSql('c.committed_at');
const WEEKEND = weekendSql('c.committed_at');

/** Hours, to two decimals, of the percentile `q` of an interval expression. */
const hoursAt = (q: number, interval: string) => `round((percentile_cont(${q}) WITHIN GROUP (ORDER BY extract(epoch FROM ${interval})) / 3600)::numeric, 2)`;
/** The window's length in days. */
const WINDOW_DAYS = `(extract(epoch FROM ${END} - ${START}) / 86400)`;
/** Successful production deployments (of the source each repository uses) in the window. */
const DEPLOYED_IN = (s: ScopeSql) => `FROM counted_deployments d WHERE d.succeeded_at >= ${START} AND d.succeeded_at < ${END}${s.deployments('d')}`;
/**
 * Each commit (merges and bots left out) at the first successful production deployment that shipped
 * it, when that deployment is in the window: a commit shipped again after a rollback counts at its
 * first arrival only.
 */
const FIRST_SHIPPED_IN = (s: ScopeSql) => `FROM counted_deployments d
   JOIN deployment_commits dc ON dc.deployment_id = d.id
   JOIN counted_commits c ON c.sha = dc.sha
  WHERE d.succeeded_at >= ${START} AND d.succeeded_at < ${END}${s.delivered('c')}
    AND NOT EXISTS (SELECT 1 FROM deployment_commits e JOIN counted_deployments ed ON ed.id = e.deployment_id
                     WHERE e.sha = dc.sha AND ed.repository_full_name = d.repository_full_name AND ed.succeeded_at IS NOT NULL
                       AND (ed.succeeded_at, ed.external_id) < (d.succeeded_at, d.external_id))`;
const leadTime = (q: number) => (ctx: Ctx) => one(ctx, (d) => `SELECT ${hoursAt(q, 'd.succeeded_at - c.committed_at')} AS v ${FIRST_SHIPPED_IN(d)}`, 'hours');

/** The delivery (DORA) metrics: over deployments and incidents, scoped by repository (src/metrics/dora.ts has the levels). */
const DELIVERY: Record<string, { description: string; run: (ctx: Ctx) => Promise<MetricResult> }> = {
  deployments: { description: 'Successful production deployments', run: (ctx) => one(ctx, (d) => `SELECT count(*) AS v ${DEPLOYED_IN(d)}`, 'deployments') },
  deployment_frequency: {
    description: 'Successful production deployments per day',
    run: (ctx) => one(ctx, (d) => `SELECT round(count(*) / nullif(${WINDOW_DAYS}, 0)::numeric, 4) AS v ${DEPLOYED_IN(d)}`, 'deployments per day'),
  },
  deployments_per_week: {
    description: 'Successful production deployments per week',
    run: (ctx) => one(ctx, (d) => `SELECT round(count(*) * 7 / nullif(${WINDOW_DAYS}, 0)::numeric, 2) AS v ${DEPLOYED_IN(d)}`, 'deployments per week'),
  },
  lead_time_for_changes: {
    description: 'Median hours from a commit (its author date) to the first successful production deployment that shipped it; merges and bots left out',
    run: leadTime(0.5),
  },
  lead_time_for_changes_p75: { description: '75th percentile of the lead time for changes, in hours', run: leadTime(0.75) },
  change_failure_rate: {
    description: 'Share of production deployments (succeeded or failed) that a failure, a revert or an incident is attributed to; each counted once',
    run: (ctx) =>
      one(
        ctx,
        (d) => `SELECT round(avg((d.id IN (SELECT i.deployment_id FROM delivery_incidents i WHERE i.deployment_id IS NOT NULL))::int)::numeric, 4) AS v
                  FROM counted_deployments d
                 WHERE coalesce(d.succeeded_at, d.failed_at) >= ${START} AND coalesce(d.succeeded_at, d.failed_at) < ${END}${d.deployments('d')}`,
        'ratio',
      ),
  },
  time_to_restore: {
    description:
      'Median hours from a failure or incident opened in the window to its resolution (the next successful production deployment, or the incident resolved); open ones left out',
    run: (ctx) =>
      one(
        ctx,
        (d) => `SELECT ${hoursAt(0.5, 'i.resolved_at - i.opened_at')} AS v FROM delivery_incidents i
                 WHERE i.opened_at >= ${START} AND i.opened_at < ${END} AND i.resolved_at IS NOT NULL${d.incidents('i')}`,
        'hours',
      ),
  },
  dora_level: {
    description:
      'DORA performance level of each of the four metrics and overall (the lowest): 4 elite, 3 high, 2 medium, 1 low; none without a deployment in the window',
    run: async (ctx) => {
      const value = async (name: string) => {
        const r = await DELIVERY[name]!.run(ctx);
        return r.kind === 'scalar' ? r.value : null;
      };
      const unit = 'level (4 elite, 3 high, 2 medium, 1 low)';
      if (!(await value('deployments'))) return { kind: 'breakdown', unit, items: [] };
      const levels = doraLevels({
        deployment_frequency: await value('deployment_frequency'),
        lead_time_for_changes: await value('lead_time_for_changes'),
        change_failure_rate: await value('change_failure_rate'),
        time_to_restore: await value('time_to_restore'),
      });
      const items = Object.entries(levels).map(([label, v]) => ({ label, value: v }));
      return { kind: 'breakdown', unit, items: [...items, { label: 'overall', value: overallDoraLevel(levels)! }] };
    },
  },
  deployment_rework_rate: {
    description: 'Share of successful production deployments that were unplanned fixes: the one that resolved a failed deployment or shipped a revert',
    run: (ctx) =>
      one(
        ctx,
        (d) => `SELECT round(avg((EXISTS (SELECT 1 FROM delivery_incidents i
                                          WHERE i.kind IN ('failed-deployment', 'revert') AND i.repository_full_name = d.repository_full_name
                                            AND i.resolved_at = d.succeeded_at))::int)::numeric, 4) AS v ${DEPLOYED_IN(d)}`,
        'ratio',
      ),
  },
  incidents: {
    description: 'Failures and incidents opened (failed deployments, reverts of deployed work, reported incidents)',
    run: (ctx) =>
      one(ctx, (d) => `SELECT count(*) AS v FROM delivery_incidents i WHERE i.opened_at >= ${START} AND i.opened_at < ${END}${d.incidents('i')}`, 'incidents'),
  },
};

/** Merged pull requests of the window, with their lifecycle clocks (pull_request_phases). */
const PHASES_MERGED_IN = (s: ScopeSql) => `FROM pull_request_phases p WHERE p.merged_at >= ${START} AND p.merged_at < ${END}${s.pulls('p')}`;
/** A phase between two clocks: its median or p75 in hours over the window's merged pull requests that have both. */
const phase = (from: string, to: string, q: number) => (ctx: Ctx) =>
  one(ctx, (d) => `SELECT ${hoursAt(q, `p.${to} - p.${from}`)} AS v ${PHASES_MERGED_IN(d)} AND p.${from} IS NOT NULL AND p.${to} IS NOT NULL`, 'hours');
/** A review by someone other than the author (bots' left out by counted_code_reviews). */
const OTHERS_REVIEW = (extra = '') =>
  `SELECT 1 FROM counted_code_reviews r WHERE r.pull_request_id = p.id AND r.reviewer_id IS DISTINCT FROM p.developer_id AND r.submitted_at IS NOT NULL${extra}`;

/** The pull-request lifecycle: its phases (README, "Pull-request lifecycle") and review quality. */
const LIFECYCLE: Record<string, { description: string; run: (ctx: Ctx) => Promise<MetricResult> }> = {
  ...Object.fromEntries(
    (
      [
        ['coding_time', 't0', 't1', 'first commit → ready for review'],
        ['pickup_time', 't1', 't2', 'ready for review → first response by someone else'],
        ['review_time', 't2', 't3', 'first response → first approval (or merge without one)'],
        ['merge_time', 't3', 't4', 'approval → merge'],
        ['deploy_time', 't4', 't5', 'merge → first successful production deployment that shipped it'],
        ['cycle_time', 't0', 't5', 'first commit → production (the sum of the five phases)'],
      ] as const
    ).flatMap(([name, from, to, what]) => [
      [name, { description: `Median hours of ${what}, of pull requests merged in the window`, run: phase(from, to, 0.5) }],
      [`${name}_p75`, { description: `75th percentile hours of ${what}, of pull requests merged in the window`, run: phase(from, to, 0.75) }],
    ]),
  ),
  merged_without_review: {
    description: 'Share of merged pull requests with no approving review by someone other than the author (bots left out)',
    run: (ctx) =>
      one(ctx, (d) => `SELECT round(avg((NOT EXISTS (${OTHERS_REVIEW(" AND r.state = 'approved'")}))::int)::numeric, 4) AS v ${PRS_MERGED_IN(d)}`, 'ratio'),
  },
  self_merged: {
    description: 'Share of merged pull requests merged by their author',
    run: (ctx) =>
      one(
        ctx,
        (d) => `SELECT round(avg((l.merged_by_github_id = a.github_id)::int)::numeric, 4) AS v
                  FROM counted_pull_requests p JOIN pull_request_lifecycles l ON l.github_id = p.github_id JOIN developers a ON a.id = p.developer_id
                 WHERE p.merged_at >= ${START} AND p.merged_at < ${END} AND l.merged_by_github_id IS NOT NULL${d.pulls('p')}`,
        'ratio',
      ),
  },
  review_depth: {
    description: 'Review comments per merged pull request reviewed by someone other than the author',
    run: (ctx) =>
      one(
        ctx,
        (d) => `SELECT round(avg(coalesce(p.review_comments_count, 0))::numeric, 2) AS v ${PRS_MERGED_IN(d)} AND EXISTS (${OTHERS_REVIEW()})`,
        'comments',
      ),
  },
  rework_after_review: {
    description: 'Share of reviewed merged pull requests with a commit made after their first review by someone else',
    run: (ctx) =>
      one(
        ctx,
        (
          d,
        ) => `SELECT round(avg((EXISTS (SELECT 1 FROM pull_request_commits c WHERE c.pull_github_id = p.github_id AND c.committed_at > fr.first))::int)::numeric, 4) AS v
                  FROM counted_pull_requests p JOIN pull_request_lifecycles l ON l.github_id = p.github_id
                  CROSS JOIN LATERAL (SELECT min(r.submitted_at) AS first FROM counted_code_reviews r
                                       WHERE r.pull_request_id = p.id AND r.reviewer_id IS DISTINCT FROM p.developer_id) fr
                 WHERE p.merged_at >= ${START} AND p.merged_at < ${END} AND fr.first IS NOT NULL${d.pulls('p')}`,
        'ratio',
      ),
  },
  pr_size: {
    description: 'Median lines changed (added + deleted) of merged pull requests',
    run: (ctx) =>
      one(
        ctx,
        (d) => `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY coalesce(p.additions, 0) + coalesce(p.deletions, 0)) AS v ${PRS_MERGED_IN(d)}`,
        'lines',
      ),
  },
  oldest_open_prs: {
    description: 'The pull requests open longest at the end of the window (repository#number and title), with their age in days',
    run: (ctx) =>
      breakdown(
        ctx,
        (d) => `SELECT coalesce(gr.repository_full_name, p.repository_name) || '#' || p.number || ' ' || coalesce(p.title, '') AS label,
                       round((extract(epoch FROM ${END} - p.created_at) / 86400)::numeric, 1) AS v
                  FROM counted_pull_requests p LEFT JOIN github_pull_repositories gr ON gr.github_id = p.github_id
                 WHERE p.created_at < ${END} AND (p.merged_at IS NULL OR p.merged_at >= ${END}) AND (p.closed_at IS NULL OR p.closed_at >= ${END})${d.pulls('p')}
                 ORDER BY p.created_at, p.github_id LIMIT 100`,
        'days',
      ),
  },
  open_pr_age: {
    description: 'Median age in days of the pull requests open at the end of the window',
    run: (ctx) =>
      one(
        ctx,
        (d) => `SELECT round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ${END} - p.created_at)) / 86400)::numeric, 2) AS v
                  FROM counted_pull_requests p
                 WHERE p.created_at < ${END} AND (p.merged_at IS NULL OR p.merged_at >= ${END}) AND (p.closed_at IS NULL OR p.closed_at >= ${END})${d.pulls('p')}`,
        'days',
      ),
  },
};

/** A bug: an issue of type Bug, or labelled bug (`bug`, `bugs`, `type: bug`, `kind/bug`, any case: issue_terms()). */
const IS_BUG = (a: string) => `EXISTS (SELECT 1 FROM issue_terms(${a}.issue_type, ${a}.labels) bt(m) WHERE bt.m IN ('bug', 'bugs'))`;

/**
 * The issues a pull request (alias `p`) links to, of the organization: by its own references (title,
 * branch, body) or its commits' messages.
 */
const LINKED_ISSUES = (p: string, d: ScopeSql) => `SELECT l.issue_id FROM issue_links l JOIN issues li ON li.id = l.issue_id
   WHERE ((l.source_kind = 'pull' AND l.source_id = ${p}.github_id::text)
      OR (l.source_kind = 'commit' AND l.source_id IN (SELECT pc.sha FROM pull_request_commits pc WHERE pc.pull_github_id = ${p}.github_id)))${d.issuesOfOrganization('li')}`;

const sqlText = (v: string) => `'${v.replace(/'/g, "''")}'`;
const DEFAULTS_VALUES = Object.entries(DEFAULT_CATEGORY_MAPPING)
  .map(([m, c]) => `(${sqlText(m)}, ${sqlText(c)})`)
  .join(', ');
const RANK_VALUES = INVESTMENT_CATEGORIES.map((c, k) => `(${sqlText(c)}, ${k + 1})`).join(', ');

/**
 * Each merged pull request of the window in exactly one category: the first, in INVESTMENT_CATEGORIES'
 * order, that a linked issue's type or a label maps to (the organization's mapping, else the
 * default); none: `other`. The categories' shares, in % to one decimal, summing to exactly 100 (the
 * largest remainders get the last tenths); all five always listed.
 */
function investment(weight: 'lines' | 'count') {
  return async (ctx: Ctx): Promise<MetricResult> => {
    const r = await breakdown(
      ctx,
      (d) => `SELECT x.category AS label, sum(x.w) AS v FROM (
          SELECT ${weight === 'lines' ? 'coalesce(p.additions, 0) + coalesce(p.deletions, 0)' : '1'} AS w,
                 coalesce((SELECT rk.category FROM (${LINKED_ISSUES('p', d)}) li2
                             JOIN issues i ON i.id = li2.issue_id
                             CROSS JOIN LATERAL issue_terms(i.issue_type, i.labels) ms(m)
                             JOIN (SELECT cm.match, cm.category FROM issue_category_mappings cm WHERE cm.organization_id = ${d.organization()}
                                   UNION ALL SELECT dm.match, dm.category FROM (VALUES ${DEFAULTS_VALUES}) dm(match, category)
                                    WHERE NOT EXISTS (SELECT 1 FROM issue_category_mappings om WHERE om.organization_id = ${d.organization()} AND om.match = dm.match)) mp ON mp.match = ms.m
                             JOIN (VALUES ${RANK_VALUES}) rk(category, rank) ON rk.category = mp.category
                            ORDER BY rk.rank LIMIT 1), 'other') AS category
          ${PRS_MERGED_IN(d)}) x GROUP BY x.category`,
      weight === 'lines' ? 'lines' : 'pull requests',
    );
    if (r.kind !== 'breakdown') return r;
    const raw = new Map(r.items.map((i) => [i.label, i.value]));
    return { kind: 'breakdown', unit: '%', items: percentages(INVESTMENT_CATEGORIES.map((c) => ({ label: c, value: raw.get(c) ?? 0 }))) };
  };
}

/** Shares in % to one decimal that sum to exactly 100 (largest remainder); all 0 when there is nothing. */
function percentages(items: { label: string; value: number }[]): { label: string; value: number }[] {
  const total = items.reduce((s, i) => s + i.value, 0);
  if (total <= 0) return items.map((i) => ({ label: i.label, value: 0 }));
  const tenths = items.map((i) => (i.value / total) * 1000);
  const floors = tenths.map(Math.floor);
  let left = 1000 - floors.reduce((s, f) => s + f, 0);
  const order = tenths.map((t, k) => ({ k, rest: t - floors[k]! })).sort((a, b) => b.rest - a.rest || a.k - b.k);
  for (const { k } of order) {
    if (left <= 0) break;
    floors[k]! += 1;
    left -= 1;
  }
  return items.map((i, k) => ({ label: i.label, value: floors[k]! / 10 }));
}

/** The issues (GitHub's and, later, Jira's): opened, resolved, how long they took, how many are bugs. */
const ISSUES: Record<string, { description: string; run: (ctx: Ctx) => Promise<MetricResult> }> = {
  issues_opened: {
    description: 'Issues opened',
    run: (ctx) => one(ctx, (d) => `SELECT count(*) AS v FROM issues i WHERE i.created_at >= ${START} AND i.created_at < ${END}${d.issues('i')}`, 'issues'),
  },
  issues_resolved: {
    description: 'Issues resolved (closed as completed; not as not planned or a duplicate)',
    run: (ctx) => one(ctx, (d) => `SELECT count(*) AS v FROM issues i WHERE i.resolved_at >= ${START} AND i.resolved_at < ${END}${d.issues('i')}`, 'issues'),
  },
  ...Object.fromEntries(
    ([0.5, 0.75] as const).map((q) => [
      q === 0.5 ? 'issue_cycle_time' : 'issue_cycle_time_p75',
      {
        description: `${q === 0.5 ? 'Median' : '75th percentile'} hours from an issue's start (its first move into progress; GitHub: its creation) to its resolution, of the issues resolved in the window`,
        run: (ctx: Ctx) =>
          one(
            ctx,
            (d) => `SELECT ${hoursAt(q, 'i.resolved_at - coalesce(i.started_at, i.created_at)')} AS v FROM issues i
                     WHERE i.resolved_at >= ${START} AND i.resolved_at < ${END}${d.issues('i')}`,
            'hours',
          ),
      },
    ]),
  ),
  linked_pr_share: {
    description: 'Share of merged pull requests linked to at least one issue of the organization (by their title, branch, body or commits)',
    run: (ctx) => one(ctx, (d) => `SELECT round(avg((EXISTS (${LINKED_ISSUES('p', d)}))::int)::numeric, 4) AS v ${PRS_MERGED_IN(d)}`, 'ratio'),
  },
  investment_balance: {
    description: 'Lines changed by merged pull requests per investment category (their linked issues’), in % summing to 100',
    run: investment('lines'),
  },
  investment_balance_count: {
    description: 'Merged pull requests per investment category (their linked issues’), in % summing to 100',
    run: investment('count'),
  },
  bug_share: {
    description: 'Share of the issues opened in the window that are bugs (type Bug, or a bug label)',
    run: (ctx) =>
      one(
        ctx,
        (d) =>
          `SELECT round(avg((${IS_BUG('i')})::int)::numeric, 4) AS v FROM issues i WHERE i.created_at >= ${START} AND i.created_at < ${END}${d.issues('i')}`,
        'ratio',
      ),
  },
};

/**
 * Single-value metrics that are one aggregate over the scope's counted commits in the window: each
 * alone is `SELECT <aggregate> AS v` over COMMITS_IN, and several are computed in one statement, one
 * scan of those rows (computeCommitAggregates).
 */
const COMMIT_AGGREGATES: Record<string, { aggregate: string; unit: string }> = {
  commits: { aggregate: 'count(*)', unit: 'commits' },
  lines_added: { aggregate: 'coalesce(sum(c.additions), 0)', unit: 'lines' },
  lines_deleted: { aggregate: 'coalesce(sum(c.deletions), 0)', unit: 'lines' },
  after_hours_share: { aggregate: `round(avg((${AFTER_HOURS})::int)::numeric, 4)`, unit: 'ratio' },
  weekend_share: { aggregate: `round(avg((${WEEKEND})::int)::numeric, 4)`, unit: 'ratio' },
};

/** Whether `name` is one of the commit aggregates computeCommitAggregates computes together. */
export function isCommitAggregate(name: string): boolean {
  return Object.hasOwn(COMMIT_AGGREGATES, name);
}

/** A COMMIT_AGGREGATES metric alone. */
const commitAggregate = (name: string) => (ctx: Ctx) => {
  const { aggregate, unit } = COMMIT_AGGREGATES[name]!;
  return one(ctx, (d) => `SELECT ${aggregate} AS v ${COMMITS_IN(d)}`, unit);
};

export const METRICS: Record<string, { description: string; run: (ctx: Ctx) => Promise<MetricResult> }> = {
  commits: { description: 'Commits', run: commitAggregate('commits') },
  lines_added: { description: 'Lines added', run: commitAggregate('lines_added') },
  lines_deleted: { description: 'Lines deleted', run: commitAggregate('lines_deleted') },
  active_days: {
    description: 'Active days (developer-days with at least one commit)',
    // Counted over a DISTINCT subquery (hashed), not count(DISTINCT (developer, day)), which sorts row values: half the time on 100,000 commits.
    run: (ctx) =>
      one(
        ctx,
        (d) => `SELECT count(*) AS v FROM (SELECT DISTINCT c.developer_id, (c.committed_at AT TIME ZONE 'UTC')::date AS day ${COMMITS_IN(d)}) days`,
        'days',
      ),
  },
  prs_opened: { description: 'Pull requests opened', run: (ctx) => one(ctx, (d) => `SELECT count(*) AS v ${PRS_CREATED_IN(d)}`, 'pull requests') },
  prs_merged: { description: 'Pull requests merged', run: (ctx) => one(ctx, (d) => `SELECT count(*) AS v ${PRS_MERGED_IN(d)}`, 'pull requests') },
  merge_rate: {
    description: 'Share of pull requests opened in the window that are merged',
    run: (ctx) => one(ctx, (d) => `SELECT round(avg((p.merged_at IS NOT NULL)::int)::numeric, 4) AS v ${PRS_CREATED_IN(d)}`, 'ratio'),
  },
  pr_cycle_time: {
    description: 'Median hours from pull request opened to merged',
    run: (ctx) =>
      one(
        ctx,
        (d) =>
          `SELECT round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM p.merged_at - p.created_at)) / 3600)::numeric, 2) AS v ${PRS_MERGED_IN(d)}`,
        'hours',
      ),
  },
  time_to_first_review: {
    description: 'Median hours from pull request opened to its first review by someone other than the author',
    run: (ctx) =>
      one(
        ctx,
        (d) => `SELECT round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM fr.first - p.created_at)) / 3600)::numeric, 2) AS v
                  FROM counted_pull_requests p
                  CROSS JOIN LATERAL (SELECT min(r.submitted_at) AS first FROM counted_code_reviews r
                                       WHERE r.pull_request_id = p.id AND r.reviewer_id IS DISTINCT FROM p.developer_id) fr
                 WHERE p.created_at >= ${START} AND p.created_at < ${END}${d.pulls('p')} AND fr.first IS NOT NULL`,
        'hours',
      ),
  },
  reviews_given: {
    description: 'Reviews submitted',
    run: (ctx) =>
      one(
        ctx,
        (d) => `SELECT count(*) AS v FROM counted_code_reviews r WHERE r.submitted_at >= ${START} AND r.submitted_at < ${END}${d.reviews('r')}`,
        'reviews',
      ),
  },
  review_turnaround: {
    description: 'Median hours from pull request opened to each review given (excluding self-reviews)',
    run: (ctx) =>
      one(
        ctx,
        (d) => `SELECT round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.submitted_at - p.created_at)) / 3600)::numeric, 2) AS v
                  FROM counted_code_reviews r JOIN pull_requests p ON p.id = r.pull_request_id
                 WHERE r.submitted_at >= ${START} AND r.submitted_at < ${END} AND r.reviewer_id IS DISTINCT FROM p.developer_id${d.reviews('r')}`,
        'hours',
      ),
  },
  pr_size_distribution: {
    description: 'Pull requests opened by size (lines changed): XS < 10, S < 50, M < 250, L < 1000, XL',
    run: (ctx) =>
      breakdown(
        ctx,
        (d) => `SELECT s.label, count(p.id) AS v
                  FROM (VALUES (1, 'XS', 0, 10), (2, 'S', 10, 50), (3, 'M', 50, 250), (4, 'L', 250, 1000), (5, 'XL', 1000, 2147483647)) s(ord, label, lo, hi)
                  LEFT JOIN (SELECT p.id, coalesce(p.additions, 0) + coalesce(p.deletions, 0) AS size ${PRS_CREATED_IN(d)}) p ON p.size >= s.lo AND p.size < s.hi
                 GROUP BY s.ord, s.label ORDER BY s.ord`,
        'pull requests',
      ),
  },
  language_mix: {
    description: 'Lines changed per language (vendored and generated files excluded)',
    run: (ctx) =>
      breakdown(
        ctx,
        (d) => `SELECT l.key AS label, sum(l.value::bigint) AS v
                  FROM ${d.countedCommits()} c CROSS JOIN LATERAL jsonb_each_text(c.languages) l
                 WHERE c.committed_at >= ${START} AND c.committed_at < ${END}${d.commits('c')}
                 GROUP BY l.key ORDER BY v DESC, l.key`,
        'lines',
      ),
  },
  after_hours_share: {
    description: 'Share of commits on weekdays outside 09:00-18:00 UTC',
    run: commitAggregate('after_hours_share'),
  },
  weekend_share: {
    description: 'Share of commits on Saturday or Sunday (UTC)',
    run: commitAggregate('weekend_share'),
  },
  ...DELIVERY,
  ...LIFECYCLE,
  ...ISSUES,
};

// Career metrics: computed from the same counted work by the career model (src/career/metrics.ts).
METRICS.skill_levels = { description: 'Average skill level (0-100) of the scope’s people, per skill', run: skillLevelsMetric };
METRICS.career_readiness = { description: 'Readiness for the next level of their track (share of its required skills met), per person', run: readinessMetric };
METRICS.learning_progress = { description: 'Average milestone progress of each person’s learning paths', run: learningProgressMetric };

// Working agreements: the evaluator of the alerts (src/metrics/agreements.ts, which computes metrics itself: loaded when asked).
METRICS.agreement_attainment = {
  description: 'Share of each working agreement’s pull requests settled in the window that kept it (an agreement over a window: of its days), per agreement',
  run: async (ctx) => (await import('./agreements.js')).agreementAttainmentMetric(ctx.client, ctx.scope),
};

export const METRIC_NAMES = Object.keys(METRICS);

/** Is `name` one of ours? An own property only: `constructor` or `__proto__` are not metrics. */
export const isMetric = (name: string): boolean => Object.hasOwn(METRICS, name);

export class UnknownMetricError extends Error {
  override name = 'UnknownMetricError';
}

/** Compute metrics for a filter set with a node-postgres client or pool. */
export async function computeMetrics(
  client: pg.ClientBase | pg.Pool,
  names: string[],
  filters: ScopedFilters,
  now = new Date(),
): Promise<Record<string, MetricResult>> {
  const unknown = names.filter((n) => !isMetric(n));
  if (unknown.length) throw new UnknownMetricError(`Unknown metric(s): ${unknown.join(', ')}. Known metrics: ${METRIC_NAMES.join(', ')}`);
  const q = queryOn(client);
  const scope = await withMergesFit(client, await resolveScope(filters, scopeLookup(client), now));
  const out: Record<string, MetricResult> = {};
  for (const name of names) out[name] = await METRICS[name]!.run({ q, scope, client });
  return out;
}

/**
 * The metrics of `names` that are aggregates of the scope's counted commits in the window
 * (COMMIT_AGGREGATES; the others are left out), all in one statement: one scan of the rows each
 * would scan alone, the same values as computeMetrics gives each (tested).
 */
export async function computeCommitAggregates(
  client: pg.ClientBase | pg.Pool,
  names: string[],
  filters: ScopedFilters,
  now = new Date(),
): Promise<Record<string, MetricResult>> {
  const which = [...new Set(names.filter(isCommitAggregate))];
  if (which.length === 0) return {};
  const scope = await withMergesFit(client, await resolveScope(filters, scopeLookup(client), now));
  const [p, d] = params(scope);
  const selects = which.map((n, i) => `${COMMIT_AGGREGATES[n]!.aggregate} AS v${i}`).join(', ');
  const [row] = await queryOn(client)<Record<string, string | null>>(`${WINDOW_SQL}SELECT ${selects} ${COMMITS_IN(d)}`, p);
  return Object.fromEntries(which.map((n, i) => [n, scalar(row?.[`v${i}`], COMMIT_AGGREGATES[n]!.unit)]));
}

/**
 * A single-value metric over consecutive buckets (a line chart) in ONE query: the metric's own SQL,
 * with its window bounds (START, END) taken from each bucket, evaluated per bucket inside one statement
 * (`unnest` of the bucket bounds, a correlated subquery each). The same numbers as one
 * computeMetrics call per bucket (tested), without a round trip per point.
 */
export async function computeSeries(
  client: pg.ClientBase | pg.Pool,
  name: string,
  filters: ScopedFilters,
  buckets: { start: Date; end: Date }[],
  now = new Date(),
): Promise<(number | null)[]> {
  if (!isMetric(name)) throw new UnknownMetricError(`Unknown metric(s): ${name}. Known metrics: ${METRIC_NAMES.join(', ')}`);
  if (buckets.length === 0) return [];
  // Learn the metric's SQL by running it against a recorder instead of the database.
  let captured: { text: string; params: unknown[] } | undefined;
  const record = async <T extends pg.QueryResultRow>(text: string, params: unknown[]) => {
    captured = { text, params };
    return [] as T[];
  };
  const scope = await withMergesFit(client, await resolveScope(filters, scopeLookup(client), now));
  const probe = await METRICS[name]!.run({ q: record, scope, client });
  if (probe.kind !== 'scalar' || !captured) throw new Error(`computeSeries needs a single-value metric; "${name}" is a breakdown`);
  if (!captured.text.startsWith(WINDOW_SQL)) throw new Error(`metric "${name}" does not read its window from WINDOW_SQL`);
  const inner = captured.text.slice(WINDOW_SQL.length).replaceAll(START, 'b.s').replaceAll(END, 'b.e');
  // The bounds come from each bucket; the developer set (if any) is the statement's own parameter.
  const values = await valuesPerBucket(client, inner, captured.params.slice(2), buckets);
  return values.map((v) => (v === null ? null : Number(v)));
}

/** A developer id no one has: where the recorded SQL binds the developer set, for computePerDeveloper to find. */
const SENTINEL = '00000000-0000-4000-8000-00000000a11d';

/**
 * A single-value metric for each of several developers in ONE query: the metric's own SQL for one
 * developer, with the developer set taken from each row of `unnest(developerIds)` (a correlated
 * subquery each), as a line chart takes its buckets. The same numbers as one computeMetrics call per
 * developer with `developer_ids: [id]` (tested); null for a metric whose SQL does not bind the
 * developer set in one place the recorder can see (the caller then computes them one by one).
 */
export async function computePerDeveloper(
  client: pg.ClientBase | pg.Pool,
  name: string,
  filters: ScopedFilters,
  developerIds: string[],
  now = new Date(),
): Promise<Map<string, number | null> | null> {
  if (!isMetric(name)) throw new UnknownMetricError(`Unknown metric(s): ${name}. Known metrics: ${METRIC_NAMES.join(', ')}`);
  if (developerIds.length === 0) return new Map();
  let captured: { text: string; params: unknown[] } | undefined;
  let statements = 0;
  const record = async <T extends pg.QueryResultRow>(text: string, params: unknown[]) => {
    captured = { text, params };
    statements += 1;
    return [] as T[];
  };
  // The scope of one of them: what differs from one developer to the next is the developer set alone.
  const scope = await resolveScope({ ...filters, developer_ids: [developerIds[0]!] }, scopeLookup(client), now);
  if (scope.developerIds?.length !== 1) return null;
  const probe = await METRICS[name]!.run({
    q: record,
    scope: await withMergesFit(client, { ...scope, developerIds: [SENTINEL], manyPeople: developerIds.length > WIDE_SCOPE }),
    client,
  });
  // One statement, reading its window from WINDOW_SQL: anything else is computed one developer at a time.
  if (probe.kind !== 'scalar' || statements !== 1 || !captured?.text.startsWith(WINDOW_SQL)) return null;
  const isSet = (v: unknown) => Array.isArray(v) && v.length === 1 && v[0] === SENTINEL;
  if (!captured.params.some(isSet)) return null;
  const params = captured.params;
  const inner = replacePlaceholders(captured.text.slice(WINDOW_SQL.length), (i) => (isSet(params[i + 2]) ? 'ARRAY[g.id]' : '?'));
  if (!/^\s*SELECT\b/i.test(inner)) return null;
  const values = await valuesPerDeveloper(
    client,
    WINDOW_SQL,
    inner,
    [params[0], params[1]],
    params.slice(2).filter((v) => !isSet(v)),
    developerIds,
  );
  return new Map(developerIds.map((id, i) => [id, values[i] === null || values[i] === undefined ? null : Number(values[i])]));
}
