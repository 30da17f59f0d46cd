import { z } from 'zod';
import { metricFiltersSchema } from '../metrics/index.js';
import { FORMULA_FIRST_CHARS } from '../lib/spreadsheet-safe.js';
import {
  commitInOrganizationSql,
  organizationMembersSql,
  pullInOrganizationSql,
  reviewInOrganizationSql,
  roleOfOrganizationSql,
} from '../organizations/index.js';

/**
 * What each export_type selects. Every query is one indexed scan filtered by the export's config;
 * timestamps leave the database as ISO-8601 UTC text so CSV and JSON agree byte for byte.
 */
/** Row exports, streamed from one query. */
/** The export types whose rows name people (a developer, an author, a reviewer, an assignee). */
export const PERSON_EXPORT_TYPES = ['commits', 'pull_requests', 'code_reviews', 'developers', 'learning_paths', 'pr_lifecycle', 'issues'] as const;
export const EXPORT_TYPES = [
  'commits',
  'pull_requests',
  'code_reviews',
  'developers',
  'team_metrics',
  'learning_paths',
  'deployments',
  'incidents',
  'pr_lifecycle',
  'issues',
] as const;
export type ExportType = (typeof EXPORT_TYPES)[number];
export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Every export_type a request may name: the row exports plus a rendered custom report. */
export const REQUEST_EXPORT_TYPES = [...EXPORT_TYPES, 'report'] as const;
/** Which formats make sense for which type: a PDF of raw rows does not; a report has all three. */
export function formatsFor(type: string): readonly string[] {
  return type === 'report' ? ['pdf', 'csv', 'json'] : EXPORT_FORMATS;
}

/** export_jobs.config: the report filters (dates, teams, developers) plus what exports add. */
export const exportConfigSchema = metricFiltersSchema
  // An export names one repository (`repository`), a report's filters several.
  .omit({ repositories: true })
  .extend({
    repository: z.string().max(255).optional(),
    /** export_type "report": the custom report to render */
    report_id: z.uuid({ message: 'must be a custom report UUID' }).optional(),
    /** the organization the export is of: its requester's (see exportOrganization) */
    organization_id: z.uuid({ message: 'must be an organization UUID' }).optional(),
  })
  .strict();
export type ExportConfig = z.infer<typeof exportConfigSchema>;
/** A config whose organization is settled: the only kind a query is built from. */
export type ScopedExportConfig = ExportConfig & { organization_id: string };

const ts = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
/** Hours between two moments, to two decimals, as a number (empty when either is missing). */
const hoursBetween = (from: string, to: string) => `round((extract(epoch FROM ${to} - ${from}) / 3600)::numeric, 2)::float8`;

export interface ExportQuery {
  columns: string[];
  sql: string;
  params: unknown[];
  /** Free-text columns are already formula-neutralised by the SQL (see `csvSafe`). */
  csvSafe: boolean;
}

/**
 * A spreadsheet evaluates a cell that starts with = + - @ (or a tab / carriage return / line feed)
 * as a formula (CSV injection, OWASP), also behind leading blanks (spaces, NBSP, zero-width spaces)
 * and in the full-width forms ＝ ＋ － ＠; such text gets a leading apostrophe. Done in SQL for CSV
 * exports, so the file can be streamed by COPY straight from PostgreSQL; the same rule as
 * `neutraliseFormula` (FORMULA_SQL_PATTERN and FORMULA_PATTERN are kept equal by a test).
 */
export const FORMULA_SQL_PATTERN =
  '^[ \\t\\r\\n\\v\\f\\u00a0\\u1680\\u2000-\\u200d\\u2028\\u2029\\u202f\\u205f\\u2060\\u3000\\ufeff]*[=+@\\uff1d\\uff0b\\uff0d\\uff20-]|^[\\t\\r\\n]';

/**
 * A text column of a CSV export, formula-neutralised: the regular expression only runs on a text
 * whose first character could start a formula (a blank or a sign), so the usual cell costs one
 * `strpos` (bench (c)).
 */
export function textColumn(expr: string, csvSafe: boolean): string {
  return csvSafe
    ? `CASE WHEN strpos('${FORMULA_FIRST_CHARS}', left(${expr}, 1)) > 0 AND (${expr}) ~ '${FORMULA_SQL_PATTERN}' THEN '''' || (${expr}) ELSE (${expr}) END`
    : expr;
}

/**
 * The bound values of one export query. Each is declared once in a leading
 * `WITH arg AS (SELECT ?::type AS aN, …)` and referred to by name (`(SELECT aN FROM arg)::type`) wherever
 * the SQL uses it, so a value is bound once however often it is used; never spliced into the text.
 */
class QueryArgs {
  readonly params: unknown[] = [];
  private readonly decls: string[] = [];

  ref(value: unknown, type: 'timestamptz' | 'uuid' | 'uuid[]' | 'text' | 'int'): string {
    this.params.push(value);
    const name = `a${this.params.length}`;
    this.decls.push(`?::${type} AS ${name}`);
    // The cast makes it an expression: `= ANY((SELECT aN FROM arg))` would be read as ANY(subquery).
    return `(SELECT ${name} FROM arg)::${type}`;
  }

  wrap(body: string): string {
    return this.decls.length ? `WITH arg AS (SELECT ${this.decls.join(', ')})\n${body}` : body;
  }
}

/**
 * Developer filter, as one predicate: members of the organization's teams, and of those the explicit
 * ids and/or the members of the named teams (of the organization only).
 */
function developerFilter(column: string, { cfg, args, org }: QueryParts): string {
  const parts: string[] = [];
  if (cfg.developer_ids?.length) parts.push(`${column} = ANY(${args.ref(cfg.developer_ids, 'uuid[]')})`);
  if (cfg.team_ids?.length)
    parts.push(`${column} IN (SELECT unnest(developer_ids) FROM teams WHERE id = ANY(${args.ref(cfg.team_ids, 'uuid[]')}) AND organization_id = ${org})`);
  const members = `${column} IN ${organizationMembersSql(org)}`;
  return parts.length ? `(${members} AND (${parts.join(' OR ')}))` : members;
}

/** The date window of the config, bound once: `days` back from now, and/or `start` and `end`. */
function windowOf(cfg: ExportConfig, args: QueryArgs, now: Date): { from: string[]; before: string | null } {
  const r = cfg.date_range;
  const from: string[] = [];
  if (r?.days) from.push(args.ref(new Date(now.getTime() - r.days * 86_400_000).toISOString(), 'timestamptz'));
  if (r?.start) from.push(args.ref(r.start, 'timestamptz'));
  return { from, before: r?.end ? args.ref(r.end, 'timestamptz') : null };
}

function dateFilter(column: string, w: { from: string[]; before: string | null }): string {
  const parts = [...w.from.map((f) => `${column} >= ${f}`), ...(w.before ? [`${column} < ${w.before}`] : [])];
  return parts.length ? parts.join(' AND ') : 'TRUE';
}

/** What a query builder gets: the export's config, the parameter list it appends to, "now", the text-column wrapper. */
interface QueryParts {
  cfg: ExportConfig;
  args: QueryArgs;
  /** the organization's id, bound once (SQL) */
  org: string;
  now: Date;
  t: (expr: string) => string;
  /** the organization's policy: a team's numbers about fewer people are withheld (empty) */
  minGroupSize: number;
}
type QueryText = Pick<ExportQuery, 'columns' | 'sql'>;

/** One builder per export type: its columns and its SQL, values bound through `args`. */
const QUERIES: Record<ExportType, (parts: QueryParts) => QueryText> = {
  commits: commitsQuery,
  pull_requests: pullRequestsQuery,
  code_reviews: codeReviewsQuery,
  developers: developersQuery,
  team_metrics: teamMetricsQuery,
  learning_paths: learningPathsQuery,
  deployments: deploymentsQuery,
  incidents: incidentsQuery,
  pr_lifecycle: prLifecycleQuery,
  issues: issuesQuery,
};

/** The query of one export: always within its organization (members of its teams, its teams, the work of its repositories). */
export function exportQuery(type: ExportType, cfg: ScopedExportConfig, now = new Date(), { csvSafe = false, minGroupSize = 1 } = {}): ExportQuery {
  const args = new QueryArgs();
  const org = args.ref(cfg.organization_id, 'uuid');
  const { columns, sql } = QUERIES[type]({ cfg, args, org, now, t: (expr) => textColumn(expr, csvSafe), minGroupSize });
  return { columns, sql: args.wrap(sql), params: args.params, csvSafe };
}

function commitsQuery(parts: QueryParts): QueryText {
  const { cfg, args, now, t, org } = parts;
  const where = [dateFilter('c.committed_at', windowOf(cfg, args, now)), developerFilter('c.developer_id', parts), commitInOrganizationSql('c', org)];
  if (cfg.repository) {
    const repository = args.ref(cfg.repository, 'text');
    where.push(`(c.repository_full_name = ${repository} OR c.repository_name = ${repository})`);
  }
  return {
    columns: ['sha', 'developer', 'repository', 'message', 'additions', 'deletions', 'files_changed', 'languages', 'committed_at'],
    sql: `SELECT c.sha, ${t('d.github_username')} AS developer, ${t('coalesce(c.repository_full_name, c.repository_name)')} AS repository, ${t('c.message')} AS message,
                 c.additions, c.deletions, c.files_changed, c.languages::text AS languages, ${ts('c.committed_at')} AS committed_at
            FROM commits c LEFT JOIN developers d ON d.id = c.developer_id
           WHERE ${where.join(' AND ')}
           ORDER BY c.committed_at, c.sha`,
  };
}

function pullRequestsQuery(parts: QueryParts): QueryText {
  const { cfg, args, now, t, org } = parts;
  const where = [dateFilter('p.created_at', windowOf(cfg, args, now)), developerFilter('p.developer_id', parts), pullInOrganizationSql('p', org)];
  if (cfg.repository) where.push(`p.repository_name = ${args.ref(cfg.repository.split('/').pop(), 'text')}`);
  return {
    columns: ['number', 'repository', 'author', 'title', 'state', 'additions', 'deletions', 'changed_files', 'created_at', 'merged_at', 'closed_at'],
    sql: `SELECT p.number, ${t('p.repository_name')} AS repository, ${t('d.github_username')} AS author, ${t('p.title')} AS title, ${t('p.state')} AS state, p.additions, p.deletions,
                 p.changed_files, ${ts('p.created_at')} AS created_at, ${ts('p.merged_at')} AS merged_at, ${ts('p.closed_at')} AS closed_at
            FROM pull_requests p LEFT JOIN developers d ON d.id = p.developer_id
           WHERE ${where.join(' AND ')}
           ORDER BY p.created_at, p.github_id`,
  };
}

function codeReviewsQuery(parts: QueryParts): QueryText {
  const { cfg, args, now, t, org } = parts;
  const where = [dateFilter('r.submitted_at', windowOf(cfg, args, now)), developerFilter('r.reviewer_id', parts), reviewInOrganizationSql('r', org)];
  return {
    columns: ['pull_request', 'repository', 'reviewer', 'state', 'submitted_at'],
    sql: `SELECT pr.number AS pull_request, ${t('pr.repository_name')} AS repository, ${t('d.github_username')} AS reviewer, ${t('r.state')} AS state,
                 ${ts('r.submitted_at')} AS submitted_at
            FROM code_reviews r LEFT JOIN developers d ON d.id = r.reviewer_id LEFT JOIN pull_requests pr ON pr.id = r.pull_request_id
           WHERE ${where.join(' AND ')}
           ORDER BY r.submitted_at, r.github_id`,
  };
}

/**
 * The organization's people. Their profile (skills, seniority) is computed from all their work, so
 * for a person also in another organization's teams it would tell this one about work done there:
 * those columns are left empty for them. Last activity is their latest commit, pull request or review
 * in this organization's repositories, for everyone.
 */
function developersQuery(parts: QueryParts): QueryText {
  const { t, org } = parts;
  const where = [developerFilter('d.id', parts)];
  // Whether they are in another organization's teams: asked once per person (x.elsewhere), read by three columns.
  const elsewhere = `EXISTS (SELECT 1 FROM teams ot WHERE d.id = ANY(ot.developer_ids) AND ot.organization_id <> ${org})`;
  const own = (expr: string) => `CASE WHEN x.elsewhere THEN NULL ELSE ${expr} END`;
  const lastActivity = `GREATEST(
      (SELECT max(c.committed_at) FROM commits c WHERE c.developer_id = d.id AND ${commitInOrganizationSql('c', org)}),
      (SELECT max(p.created_at) FROM pull_requests p WHERE p.developer_id = d.id AND ${pullInOrganizationSql('p', org)}),
      (SELECT max(r.submitted_at) FROM code_reviews r WHERE r.reviewer_id = d.id AND ${reviewInOrganizationSql('r', org)}))`;
  return {
    columns: ['github_username', 'name', 'seniority_level', 'seniority_score', 'skills', 'last_activity_at'],
    sql: `SELECT ${t('d.github_username')} AS github_username, ${t('d.name')} AS name, ${t(own('d.seniority_level'))} AS seniority_level,
                 ${own('d.seniority_score')} AS seniority_score, ${t(own("array_to_string(d.skills, ';')"))} AS skills,
                 ${ts(lastActivity)} AS last_activity_at
            FROM developers d CROSS JOIN LATERAL (SELECT ${elsewhere} AS elsewhere) x WHERE ${where.join(' AND ')} ORDER BY d.github_username`,
  };
}

function teamMetricsQuery({ cfg, args, org, now, t, minGroupSize }: QueryParts): QueryText {
  // One window, bound once, read by five subqueries.
  const w = windowOf(cfg, args, now);
  // A team of fewer people than the organization's group size: its numbers withheld (empty).
  const big = `cardinality(t.developer_ids) >= ${args.ref(minGroupSize, 'int')}`;
  const n = (expr: string) => `CASE WHEN ${big} THEN (${expr}) END`;
  const commitsIn = `${dateFilter('c.committed_at', w)} AND ${commitInOrganizationSql('c', org)}`;
  const prsIn = `${dateFilter('pr.created_at', w)} AND ${pullInOrganizationSql('pr', org)}`;
  const teamWhere = [`t.organization_id = ${org}`, ...(cfg.team_ids?.length ? [`t.id = ANY(${args.ref(cfg.team_ids, 'uuid[]')})`] : [])];
  return {
    columns: ['team', 'members', 'commits', 'additions', 'deletions', 'prs_opened', 'prs_merged'],
    sql: `SELECT ${t('t.name')} AS team, cardinality(t.developer_ids) AS members,
                 ${n(`SELECT count(*) FROM counted_commits c WHERE c.developer_id = ANY(t.developer_ids) AND ${commitsIn}`)} AS commits,
                 ${n(`SELECT coalesce(sum(c.additions), 0) FROM counted_commits c WHERE c.developer_id = ANY(t.developer_ids) AND ${commitsIn}`)} AS additions,
                 ${n(`SELECT coalesce(sum(c.deletions), 0) FROM counted_commits c WHERE c.developer_id = ANY(t.developer_ids) AND ${commitsIn}`)} AS deletions,
                 ${n(`SELECT count(*) FROM counted_pull_requests pr WHERE pr.developer_id = ANY(t.developer_ids) AND ${prsIn}`)} AS prs_opened,
                 ${n(`SELECT count(*) FROM counted_pull_requests pr WHERE pr.developer_id = ANY(t.developer_ids) AND pr.merged_at IS NOT NULL AND ${prsIn}`)} AS prs_merged
            FROM teams t WHERE ${teamWhere.join(' AND ')} ORDER BY t.name, t.id`,
  };
}

/**
 * One row per milestone of the organization's members' learning paths (a path without milestones, one
 * that had nothing to close, is one row with the milestone columns empty). The date range selects
 * paths started in it.
 */
function learningPathsQuery(parts: QueryParts): QueryText {
  const { cfg, args, now, t, org } = parts;
  // Paths towards a standard role or one of this organization's: another organization's custom roles are its own.
  const where = [dateFilter('p.started_at', windowOf(cfg, args, now)), developerFilter('p.developer_id', parts), roleOfOrganizationSql('r', org)];
  return {
    columns: [
      'developer',
      'target_role',
      'path_status',
      'started_at',
      'estimated_months',
      'target_date',
      'path_completed_at',
      'milestone',
      'skill',
      'target_level',
      'progress_percentage',
      'milestone_status',
      'milestone_target_date',
      'milestone_completed_at',
    ],
    sql: `SELECT ${t('d.github_username')} AS developer, ${t('r.name')} AS target_role, ${t('p.status')} AS path_status, ${ts('p.started_at')} AS started_at,
                 p.estimated_months, ${ts('p.target_date')} AS target_date, ${ts('p.completed_at')} AS path_completed_at,
                 ${t('m.title')} AS milestone, ${t('m.skill')} AS skill, m.target_level, m.progress_percentage, ${t('m.status')} AS milestone_status,
                 ${ts('m.target_date')} AS milestone_target_date, ${ts('m.completed_at')} AS milestone_completed_at
            FROM learning_paths p JOIN developers d ON d.id = p.developer_id JOIN career_roles r ON r.id = p.target_role_id
            LEFT JOIN learning_milestones m ON m.learning_path_id = p.id
           WHERE ${where.join(' AND ')}
           ORDER BY d.github_username, p.started_at, p.id, m.target_date, m.skill`,
  };
}

/**
 * A deployment (alias `d`) of the people a filter names: one that shipped one of their commits, or
 * whose sha is one of theirs (a failed one ships nothing); TRUE without a team or developer filter
 * (an organization's delivery is its repositories', whoever's work it carried).
 */
function deploymentOfPeople(d: string, parts: QueryParts): string {
  if (!parts.cfg.developer_ids?.length && !parts.cfg.team_ids?.length) return 'TRUE';
  return `EXISTS (SELECT 1 FROM commits pc WHERE ${developerFilter('pc.developer_id', parts)}
                     AND (pc.sha = ${d}.sha OR pc.sha IN (SELECT pdc.sha FROM deployment_commits pdc WHERE pdc.deployment_id = ${d}.id)))`;
}

/** The production deployments the DORA numbers count (counted_deployments), created in the window, with what each shipped and whether an incident is attributed to it. */
function deploymentsQuery(parts: QueryParts): QueryText {
  const { cfg, args, now, t, org } = parts;
  const where = [dateFilter('d.created_at', windowOf(cfg, args, now)), commitInOrganizationSql('d', org), deploymentOfPeople('d', parts)];
  if (cfg.repository) where.push(`d.repository_full_name = ${args.ref(cfg.repository, 'text')}`);
  return {
    columns: ['repository', 'source', 'deployment', 'environment', 'sha', 'status', 'created_at', 'succeeded_at', 'failed_at', 'commits_shipped', 'incidents'],
    sql: `SELECT ${t('d.repository_full_name')} AS repository, d.source, d.external_id AS deployment, ${t('d.environment')} AS environment, d.sha, d.status,
                 ${ts('d.created_at')} AS created_at, ${ts('d.succeeded_at')} AS succeeded_at, ${ts('d.failed_at')} AS failed_at,
                 (SELECT s.commits FROM deployment_shipments s WHERE s.deployment_id = d.id AND s.sha_known) AS commits_shipped,
                 (SELECT count(*) FROM delivery_incidents i WHERE i.deployment_id = d.id) AS incidents
            FROM counted_deployments d
           WHERE ${where.join(' AND ')}
           ORDER BY d.created_at, d.external_id`,
  };
}

/** Every incident opened in the window (failed deployments, reverts of deployed work, reported ones), with the deployment it is attributed to. */
function incidentsQuery(parts: QueryParts): QueryText {
  const { cfg, args, now, t, org } = parts;
  const where = [dateFilter('i.opened_at', windowOf(cfg, args, now)), commitInOrganizationSql('i', org)];
  if (parts.cfg.developer_ids?.length || parts.cfg.team_ids?.length) where.push(`d.id IS NOT NULL AND ${deploymentOfPeople('d', parts)}`);
  if (cfg.repository) where.push(`i.repository_full_name = ${args.ref(cfg.repository, 'text')}`);
  return {
    columns: ['repository', 'kind', 'reported_id', 'title', 'deployment', 'sha', 'opened_at', 'resolved_at', 'hours_to_restore'],
    sql: `SELECT ${t('i.repository_full_name')} AS repository, i.kind, ${t("CASE WHEN i.kind = 'webhook' THEN i.key END")} AS reported_id, ${t('i.title')} AS title,
                 d.external_id AS deployment, i.sha, ${ts('i.opened_at')} AS opened_at, ${ts('i.resolved_at')} AS resolved_at,
                 ${hoursBetween('i.opened_at', 'i.resolved_at')} AS hours_to_restore
            FROM delivery_incidents i LEFT JOIN counted_deployments d ON d.id = i.deployment_id
           WHERE ${where.join(' AND ')}
           ORDER BY i.opened_at, i.kind, i.key`,
  };
}

/**
 * One row per pull request opened in the window (bots' left out) with every moment of its lifecycle
 * and its phases in hours (README, "Pull-request lifecycle"); pull requests read without a lifecycle
 * (the REST path) are not in it.
 */
function prLifecycleQuery(parts: QueryParts): QueryText {
  const { cfg, args, now, t, org } = parts;
  const where = [dateFilter('p.created_at', windowOf(cfg, args, now)), developerFilter('p.developer_id', parts), pullInOrganizationSql('p', org)];
  if (cfg.repository) where.push(`p.repository_full_name = ${args.ref(cfg.repository, 'text')}`);
  return {
    columns: [
      'number',
      'repository',
      'author',
      'title',
      'created_at',
      'first_commit_at',
      'ready_at',
      'first_response_at',
      'first_approval_at',
      'merged_at',
      'deployed_at',
      'coding_hours',
      'pickup_hours',
      'review_hours',
      'merge_hours',
      'deploy_hours',
      'cycle_hours',
    ],
    sql: `SELECT pr.number, ${t('p.repository_full_name')} AS repository, ${t('d.github_username')} AS author, ${t('pr.title')} AS title, ${ts('p.created_at')} AS created_at,
                 ${ts('p.first_commit_at')} AS first_commit_at, ${ts('p.ready_at')} AS ready_at, ${ts('p.first_response_at')} AS first_response_at,
                 ${ts('p.first_approval_at')} AS first_approval_at, ${ts('p.merged_at')} AS merged_at, ${ts('p.deployed_at')} AS deployed_at,
                 ${hoursBetween('p.t0', 'p.t1')} AS coding_hours, ${hoursBetween('p.t1', 'p.t2')} AS pickup_hours, ${hoursBetween('p.t2', 'p.t3')} AS review_hours,
                 ${hoursBetween('p.t3', 'p.t4')} AS merge_hours, ${hoursBetween('p.t4', 'p.t5')} AS deploy_hours, ${hoursBetween('p.t0', 'p.t5')} AS cycle_hours
            FROM pull_request_phases p JOIN pull_requests pr ON pr.id = p.id LEFT JOIN developers d ON d.id = p.developer_id
           WHERE ${where.join(' AND ')}
           ORDER BY p.created_at, p.github_id`,
  };
}

/**
 * The organization's issues opened in the window (GitHub's, of its repositories), with their state,
 * type, labels, moments and how many pull requests link to them; with a team or developer filter,
 * those the people opened or are assigned.
 */
function issuesQuery(parts: QueryParts): QueryText {
  const { cfg, args, now, t, org } = parts;
  const where = [dateFilter('i.created_at', windowOf(cfg, args, now)), commitInOrganizationSql('i', org)];
  if (cfg.developer_ids?.length || cfg.team_ids?.length)
    where.push(
      `(${developerFilter('i.developer_id', parts)} OR EXISTS (SELECT 1 FROM unnest(i.assignee_ids) ia(id) WHERE ${developerFilter('ia.id', parts)}))`,
    );
  if (cfg.repository) where.push(`i.repository_full_name = ${args.ref(cfg.repository, 'text')}`);
  return {
    columns: [
      'source',
      'key',
      'repository',
      'title',
      'state',
      'state_reason',
      'type',
      'labels',
      'author',
      'created_at',
      'resolved_at',
      'closed_at',
      'linked_pull_requests',
    ],
    sql: `SELECT i.source, ${t('i.issue_key')} AS key, ${t('i.repository_full_name')} AS repository, ${t('i.title')} AS title, i.state, i.state_reason,
                 ${t('i.issue_type')} AS type, ${t("coalesce((SELECT string_agg(l, ', ' ORDER BY l) FROM jsonb_array_elements_text(i.labels) l), '')")} AS labels,
                 ${t('d.github_username')} AS author, ${ts('i.created_at')} AS created_at, ${ts('i.resolved_at')} AS resolved_at, ${ts('i.closed_at')} AS closed_at,
                 (SELECT count(*) FROM issue_links l WHERE l.issue_id = i.id AND l.source_kind = 'pull')::int AS linked_pull_requests
            FROM issues i LEFT JOIN developers d ON d.id = i.developer_id
           WHERE ${where.join(' AND ')}
           ORDER BY i.created_at, i.id`,
  };
}
