import type pg from 'pg';
import { afterHoursSql, weekendSql } from '../metrics/index.js';
import { sql } from '../db/sql.js';
import { scopedCountedSql } from '../organizations/index.js';

/**
 * Signals: numbers computed in SQL over a data window (and the window before it, for trends).
 * They are the only thing a model sees: no commit messages, PR titles or other user text, so nothing
 * a developer writes can be taken as an instruction by the LLM.
 */
export interface DeveloperSignals {
  window_days: number;
  commits: number;
  commits_previous_window: number;
  /** commits / previous window's commits (1 = flat; null when there was nothing before) */
  activity_trend: number | null;
  active_days: number;
  after_hours_share: number;
  weekend_share: number;
  /** longest run of consecutive days with commits in the window */
  longest_streak_days: number;
  prs_opened: number;
  pr_cycle_time_hours: number | null;
  pr_cycle_time_hours_previous: number | null;
  reviews_given: number;
  review_turnaround_hours: number | null;
  open_prs_waiting_over_48h: number;
  /** share of lines in the developer's top language (1 = a single language) */
  language_concentration: number | null;
  days_since_last_activity: number | null;
}

export interface TeamSignals {
  window_days: number;
  members: number;
  commits: number;
  commits_previous_window: number;
  activity_trend: number | null;
  after_hours_share: number;
  open_prs_waiting_over_48h: number;
  median_time_to_first_review_hours: number | null;
  /** share of the team's reviews done by its busiest reviewer */
  top_reviewer_share: number | null;
  /** fewest members who together authored half of the team's commits */
  bus_factor: number;
  /** share of the team's commits by its most active member */
  top_committer_share: number | null;
}

const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const nn = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 1000) / 1000);

/** The window [start, end) ending at `now`, and the start of the window before it (for trends). */
function windowBounds(now: Date, windowDays: number): { start: string; end: string; prev: string } {
  const day = 86_400_000;
  return {
    end: now.toISOString(),
    start: new Date(now.getTime() - windowDays * day).toISOString(),
    prev: new Date(now.getTime() - 2 * windowDays * day).toISOString(),
  };
}

/** The counted work of the signals' organization (`org` of their `arg` row; NULL: all of it). */
const COMMITS = scopedCountedSql.commits('(SELECT org FROM arg)');
const PULLS = scopedCountedSql.pulls('(SELECT org FROM arg)');
const REVIEWS = scopedCountedSql.reviews('(SELECT org FROM arg)');

/** commits / previous window's commits; null when there was nothing before. */
const activityTrend = (commits: number, before: number) => (before > 0 ? nn(commits / before) : null);

/**
 * A developer's signals; with an organization, of their work in its repositories only (their work
 * elsewhere is another organization's business).
 */
export async function developerSignals(
  client: pg.ClientBase | pg.Pool,
  developerId: string,
  windowDays: number,
  now = new Date(),
  organizationId: string | null = null,
): Promise<DeveloperSignals> {
  const { start, end, prev } = windowBounds(now, windowDays);
  const [r] = (await sql<Record<string, unknown>>(
    client,
    `WITH arg AS (SELECT ?::uuid AS subject, ?::timestamptz AS w_start, ?::timestamptz AS w_end, ?::timestamptz AS w_prev, ?::uuid AS org),
          cur AS (SELECT committed_at, languages FROM ${COMMITS} sc WHERE developer_id = (SELECT subject FROM arg) AND committed_at >= (SELECT w_start FROM arg) AND committed_at < (SELECT w_end FROM arg)),
          days AS (SELECT DISTINCT (committed_at AT TIME ZONE 'UTC')::date AS d FROM cur),
          runs AS (SELECT d - (row_number() OVER (ORDER BY d))::int AS grp FROM days),
          langs AS (SELECT l.key, sum(l.value::bigint) AS lines FROM cur, jsonb_each_text(cur.languages) l GROUP BY l.key)
     SELECT (SELECT count(*) FROM cur) AS commits,
            (SELECT count(*) FROM ${COMMITS} sc WHERE developer_id = (SELECT subject FROM arg) AND committed_at >= (SELECT w_prev FROM arg) AND committed_at < (SELECT w_start FROM arg)) AS commits_prev,
            (SELECT count(*) FROM days) AS active_days,
            (SELECT avg((${afterHoursSql('committed_at')})::int) FROM cur) AS after_hours,
            (SELECT avg((${weekendSql('committed_at')})::int) FROM cur) AS weekend,
            (SELECT coalesce(max(c), 0) FROM (SELECT count(*) AS c FROM runs GROUP BY grp) r) AS streak,
            (SELECT count(*) FROM ${PULLS} sp WHERE developer_id = (SELECT subject FROM arg) AND created_at >= (SELECT w_start FROM arg) AND created_at < (SELECT w_end FROM arg)) AS prs_opened,
            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM merged_at - created_at) / 3600)
               FROM ${PULLS} sp WHERE developer_id = (SELECT subject FROM arg) AND merged_at >= (SELECT w_start FROM arg) AND merged_at < (SELECT w_end FROM arg)) AS cycle,
            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM merged_at - created_at) / 3600)
               FROM ${PULLS} sp WHERE developer_id = (SELECT subject FROM arg) AND merged_at >= (SELECT w_prev FROM arg) AND merged_at < (SELECT w_start FROM arg)) AS cycle_prev,
            (SELECT count(*) FROM ${REVIEWS} sr WHERE reviewer_id = (SELECT subject FROM arg) AND submitted_at >= (SELECT w_start FROM arg) AND submitted_at < (SELECT w_end FROM arg)) AS reviews,
            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.submitted_at - p.created_at) / 3600)
               FROM ${REVIEWS} r JOIN pull_requests p ON p.id = r.pull_request_id
              WHERE r.reviewer_id = (SELECT subject FROM arg) AND r.submitted_at >= (SELECT w_start FROM arg) AND r.submitted_at < (SELECT w_end FROM arg) AND p.developer_id IS DISTINCT FROM (SELECT subject FROM arg)) AS turnaround,
            (SELECT count(*) FROM ${PULLS} sp WHERE developer_id = (SELECT subject FROM arg) AND state = 'open' AND created_at < (SELECT w_end FROM arg) - interval '48 hours') AS waiting,
            (SELECT max(lines)::float / nullif(sum(lines), 0) FROM langs) AS concentration,
            (SELECT extract(epoch FROM (SELECT w_end FROM arg) - max(committed_at)) / 86400 FROM ${COMMITS} sc WHERE developer_id = (SELECT subject FROM arg)) AS idle_days`,
    [developerId, start, end, prev, organizationId],
  )) as [Record<string, unknown>];
  const commits = n(r.commits);
  const before = n(r.commits_prev);
  return {
    window_days: windowDays,
    commits,
    commits_previous_window: before,
    activity_trend: activityTrend(commits, before),
    active_days: n(r.active_days),
    after_hours_share: nn(r.after_hours) ?? 0,
    weekend_share: nn(r.weekend) ?? 0,
    longest_streak_days: n(r.streak),
    prs_opened: n(r.prs_opened),
    pr_cycle_time_hours: nn(r.cycle),
    pr_cycle_time_hours_previous: nn(r.cycle_prev),
    reviews_given: n(r.reviews),
    review_turnaround_hours: nn(r.turnaround),
    open_prs_waiting_over_48h: n(r.waiting),
    language_concentration: nn(r.concentration),
    days_since_last_activity: r.idle_days === null ? null : Math.floor(Number(r.idle_days)),
  };
}

export async function teamSignals(client: pg.ClientBase | pg.Pool, teamId: string, windowDays: number, now = new Date()): Promise<TeamSignals> {
  const { start, end, prev } = windowBounds(now, windowDays);
  const [r] = (await sql<Record<string, unknown>>(
    client,
    `WITH arg0 AS (SELECT ?::uuid AS subject, ?::timestamptz AS w_start, ?::timestamptz AS w_end, ?::timestamptz AS w_prev),
          arg AS (SELECT arg0.*, (SELECT organization_id FROM teams WHERE id = arg0.subject) AS org FROM arg0),
          t AS (SELECT coalesce(developer_ids, '{}') AS ids FROM teams WHERE id = (SELECT subject FROM arg)),
          cur AS (SELECT c.developer_id, c.committed_at FROM ${COMMITS} c, t WHERE c.developer_id = ANY(t.ids) AND c.committed_at >= (SELECT w_start FROM arg) AND c.committed_at < (SELECT w_end FROM arg)),
          per_dev AS (SELECT developer_id, count(*) AS c FROM cur GROUP BY developer_id),
          ranked AS (SELECT c, sum(c) OVER (ORDER BY c DESC, developer_id) AS running, sum(c) OVER () AS total FROM per_dev),
          revs AS (SELECT r.reviewer_id, r.submitted_at, p.created_at, r.pull_request_id FROM ${REVIEWS} r JOIN pull_requests p ON p.id = r.pull_request_id, t
                    WHERE r.reviewer_id = ANY(t.ids) AND r.submitted_at >= (SELECT w_start FROM arg) AND r.submitted_at < (SELECT w_end FROM arg))
     SELECT (SELECT cardinality(ids) FROM t) AS members,
            (SELECT count(*) FROM cur) AS commits,
            (SELECT count(*) FROM ${COMMITS} c, t WHERE c.developer_id = ANY(t.ids) AND c.committed_at >= (SELECT w_prev FROM arg) AND c.committed_at < (SELECT w_start FROM arg)) AS commits_prev,
            (SELECT avg((${afterHoursSql('committed_at')})::int) FROM cur) AS after_hours,
            (SELECT count(*) FROM ${PULLS} p, t WHERE p.developer_id = ANY(t.ids) AND p.state = 'open' AND p.created_at < (SELECT w_end FROM arg) - interval '48 hours') AS waiting,
            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY h) FROM (SELECT extract(epoch FROM min(submitted_at) - min(created_at)) / 3600 AS h FROM revs GROUP BY pull_request_id) x) AS ttfr,
            (SELECT max(k)::float / nullif(sum(k), 0) FROM (SELECT count(*) AS k FROM revs GROUP BY reviewer_id) y) AS top_reviewer,
            (SELECT count(*) FROM ranked WHERE running - c < total / 2.0) AS bus_factor,
            (SELECT max(c)::float / nullif(sum(c), 0) FROM per_dev) AS top_committer`,
    [teamId, start, end, prev],
  )) as [Record<string, unknown>];
  const commits = n(r.commits);
  const before = n(r.commits_prev);
  return {
    window_days: windowDays,
    members: n(r.members),
    commits,
    commits_previous_window: before,
    activity_trend: activityTrend(commits, before),
    after_hours_share: nn(r.after_hours) ?? 0,
    open_prs_waiting_over_48h: n(r.waiting),
    median_time_to_first_review_hours: nn(r.ttfr),
    top_reviewer_share: nn(r.top_reviewer),
    bus_factor: n(r.bus_factor),
    top_committer_share: nn(r.top_committer),
  };
}
