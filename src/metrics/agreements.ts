import type pg from 'pg';
import { activeAgreementsOf, agreementPullRows } from './queries.js';
import type { Scope } from './filters.js';
import { computeMetrics, type MetricResult } from './library.js';

/**
 * What a team's working agreement measures, and when it is kept or broken: the one evaluator behind
 * the alerts (src/agreements/) and the preview, and the attainment the reports show.
 *
 * - On pull requests, item by item (ITEM_METRICS): each of the team's pull requests (its people's, in
 *   the organization's repositories, bots' left out) is an item, with a heads-up before it breaks the
 *   agreement and a miss when it does, each at a moment its own history fixes.
 * - Over a window (any single-value metric of the library; an item agreement with a share): the
 *   trailing 7 days at each midnight UTC, `missed` when a day's window breaks the target after one that
 *   kept it, `recovered` when it is back.
 */
export type Comparison = '<=' | '<' | '>=' | '>' | '=';
export const COMPARISONS: readonly Comparison[] = ['<=', '<', '>=', '>', '='];

export interface AgreementTerms {
  organization_id: string;
  team_id: string;
  metric: string;
  comparison: Comparison;
  target: number;
  /** item agreements: the share of the items that must keep it, over a window (null: each item) */
  share: number | null;
}

export interface AgreementEvent {
  kind: 'heads_up' | 'missed' | 'recovered';
  at: Date;
  /** what it is about: `pr:<GitHub id>`, or `window:<the day it ends, YYYY-MM-DD>` */
  item: string;
  pull?: { repository: string; number: number; title: string | null };
  /** the measure at that moment: lines, hours waited, days open; a window's value */
  value: number | null;
}

/**
 * The pull-request metrics an agreement holds item by item, with the comparisons that make sense
 * for each (a size, a wait or an age is kept under a limit; unreviewed merges are kept at none).
 */
export const ITEM_METRICS = {
  pr_size: { unit: 'lines', comparisons: ['<='], what: 'lines changed' },
  pickup_time: { unit: 'hours', comparisons: ['<='], what: 'hours from ready for review to the first response' },
  open_pr_age: { unit: 'days', comparisons: ['<='], what: 'days open' },
  merged_without_review: { unit: 'ratio', comparisons: ['='], what: 'merged without an approving review' },
} as const satisfies Record<string, { unit: string; comparisons: readonly Comparison[]; what: string }>;
export type ItemMetric = keyof typeof ITEM_METRICS;
export const isItemMetric = (m: string): m is ItemMetric => m in ITEM_METRICS;

/** A heads-up comes when this share of a wait or an age has passed without the item being settled. */
export const HEADS_UP_AT = 0.75;
/** The window an agreement over a window is measured on, ending at each midnight UTC. */
export const WINDOW_DAYS = 7;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function compare(value: number, comparison: Comparison, target: number): boolean {
  switch (comparison) {
    case '<=':
      return value <= target;
    case '<':
      return value < target;
    case '>=':
      return value >= target;
    case '>':
      return value > target;
    case '=':
      return value === target;
  }
}

interface PullItem {
  github_id: string;
  repository: string;
  number: number;
  title: string | null;
  lines: number;
  created_at: Date;
  merged_at: Date | null;
  closed_at: Date | null;
  /** t1 of pull_request_phases: ready for review (null: still a draft) */
  ready_at: Date | null;
  first_response_at: Date | null;
  approved: boolean;
}

/**
 * The team's pull requests that can have a moment in [from, to): opened before `to`, and open, or
 * closed at `from` or later (every moment of a pull request is at or before its closing).
 */
async function pullItems(client: pg.ClientBase | pg.Pool, terms: AgreementTerms, from: Date, to: Date): Promise<PullItem[]> {
  const rows = await agreementPullRows(client, terms.team_id, terms.organization_id, from, to);
  return rows.map((r) => ({
    github_id: String(r.github_id),
    repository: String(r.repository),
    number: Number(r.number),
    title: (r.title as string | null) ?? null,
    lines: Number(r.lines),
    created_at: new Date(r.created_at as string),
    merged_at: r.merged_at ? new Date(r.merged_at as string) : null,
    closed_at: r.closed_at ? new Date(r.closed_at as string) : null,
    ready_at: r.ready_at ? new Date(r.ready_at as string) : null,
    first_response_at: r.first_response_at ? new Date(r.first_response_at as string) : null,
    approved: Boolean(r.approved),
  }));
}

/** Whether a pull request is still open at a moment (not merged, not closed by then). */
const openAt = (p: PullItem, at: Date) => !(p.closed_at && p.closed_at <= at) && !(p.merged_at && p.merged_at <= at);

/**
 * A pull request's own events and its outcome (whether it kept the agreement, and when that was
 * settled; undecided while it can still go either way).
 */
function pullEvents(
  metric: ItemMetric,
  terms: AgreementTerms,
  p: PullItem,
): { events: Omit<AgreementEvent, 'item' | 'pull'>[]; outcome: { at: Date; kept: boolean } | null } {
  const limit = terms.target;
  switch (metric) {
    case 'pr_size': {
      // The size is what GitHub says now: a pull request opened over the limit gets its heads-up then.
      const over = !compare(p.lines, terms.comparison, limit);
      const events: Omit<AgreementEvent, 'item' | 'pull'>[] = [];
      if (over) events.push({ kind: 'heads_up', at: p.created_at, value: p.lines });
      if (over && p.merged_at) events.push({ kind: 'missed', at: p.merged_at, value: p.lines });
      return { events, outcome: p.merged_at ? { at: p.merged_at, kept: !over } : null };
    }
    case 'pickup_time': {
      if (!p.ready_at) return { events: [], outcome: null };
      // The clock stops at the first response, a merge, or a closing without one.
      const stop = [p.first_response_at, p.merged_at, p.closed_at].filter((d): d is Date => d !== null && d >= p.ready_at!).sort((a, b) => +a - +b)[0];
      const events: Omit<AgreementEvent, 'item' | 'pull'>[] = [];
      const warn = new Date(p.ready_at.getTime() + HEADS_UP_AT * limit * HOUR);
      const deadline = new Date(p.ready_at.getTime() + limit * HOUR);
      if (!stop || stop > warn) events.push({ kind: 'heads_up', at: warn, value: round1(HEADS_UP_AT * limit) });
      if (!stop || stop > deadline) events.push({ kind: 'missed', at: deadline, value: limit });
      const answered = p.first_response_at ?? p.merged_at;
      const outcome = answered && answered <= deadline ? { at: answered, kept: true } : { at: deadline, kept: false };
      // Closed without an answer before the deadline: nothing to hold it to.
      if (p.closed_at && !p.merged_at && (!p.first_response_at || p.first_response_at > p.closed_at) && p.closed_at < deadline)
        return { events, outcome: null };
      return { events, outcome };
    }
    case 'open_pr_age': {
      const events: Omit<AgreementEvent, 'item' | 'pull'>[] = [];
      const warn = new Date(p.created_at.getTime() + HEADS_UP_AT * limit * DAY);
      const deadline = new Date(p.created_at.getTime() + limit * DAY);
      if (openAt(p, warn)) events.push({ kind: 'heads_up', at: warn, value: round1(HEADS_UP_AT * limit) });
      if (openAt(p, deadline)) events.push({ kind: 'missed', at: deadline, value: limit });
      const ended = p.merged_at ?? p.closed_at;
      return { events, outcome: ended && ended < deadline ? { at: ended, kept: true } : { at: deadline, kept: false } };
    }
    case 'merged_without_review': {
      if (!p.merged_at) return { events: [], outcome: null };
      const kept = p.approved;
      return { events: kept || limit !== 0 ? [] : [{ kind: 'missed', at: p.merged_at, value: 1 }], outcome: { at: p.merged_at, kept } };
    }
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const midnight = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

/**
 * The value of an agreement's window ending at `end`: an item agreement's share of items settled in
 * it that kept the agreement; any other's metric for the team over it (null: nothing to measure).
 */
async function windowValue(client: pg.ClientBase | pg.Pool, terms: AgreementTerms, end: Date, items?: PullItem[]): Promise<number | null> {
  const start = new Date(end.getTime() - WINDOW_DAYS * DAY);
  if (isItemMetric(terms.metric)) {
    const metric = terms.metric;
    const settled = (items ?? (await pullItems(client, terms, start, end)))
      .map((p) => pullEvents(metric, terms, p).outcome)
      .filter((o): o is { at: Date; kept: boolean } => o !== null && o.at >= start && o.at < end);
    return settled.length ? settled.filter((o) => o.kept).length / settled.length : null;
  }
  const m = await computeMetrics(client, [terms.metric], {
    organization_id: terms.organization_id,
    team_ids: [terms.team_id],
    date_range: { start: start.toISOString(), end: end.toISOString() },
  });
  const r = m[terms.metric];
  return r?.kind === 'scalar' ? r.value : null;
}

/** Whether a window's value keeps the agreement (an item agreement: its share; another: the target). */
function windowKept(terms: AgreementTerms, value: number): boolean {
  return isItemMetric(terms.metric) ? value >= (terms.share ?? 1) : compare(value, terms.comparison, terms.target);
}

/** Whether an agreement is judged over windows: any agreement on a window metric, and an item agreement with a share. */
export const hasWindow = (terms: Pick<AgreementTerms, 'metric' | 'share'>) => !isItemMetric(terms.metric) || terms.share !== null;
/**
 * Whether an agreement is judged pull request by pull request: an item metric (merged_without_review
 * only at 0); with a share, a pull request gets its heads-up, and the misses are the windows'.
 */
export const hasItems = (terms: Pick<AgreementTerms, 'metric' | 'share' | 'target'>) =>
  isItemMetric(terms.metric) && (terms.metric !== 'merged_without_review' || Number(terms.target) === 0);

/**
 * Every event of an agreement with its moment in [from, to), in order: each pull request's heads-up
 * and miss; each window's miss and recovery (the window before `from` decides the first change).
 * The same function sends the alerts (over the last hours) and previews an agreement (over the last
 * 30 days), so the preview counts what the alerts would have been.
 */
export async function agreementEvents(client: pg.ClientBase | pg.Pool, terms: AgreementTerms, from: Date, to: Date): Promise<AgreementEvent[]> {
  const events: AgreementEvent[] = [];
  if (hasItems(terms)) {
    const metric = terms.metric as ItemMetric;
    for (const p of await pullItems(client, terms, from, to))
      for (const e of pullEvents(metric, terms, p).events)
        if (e.at >= from && e.at < to && (terms.share === null || e.kind === 'heads_up'))
          events.push({ ...e, item: `pr:${p.github_id}`, pull: { repository: p.repository, number: p.number, title: p.title } });
  }
  if (hasWindow(terms)) {
    // The windows ending at the midnights in [from, to), and the one before to compare the first with.
    const first = midnight(new Date(from.getTime() + DAY - 1));
    let kept: boolean | null = null;
    const before = await windowValue(client, terms, new Date(first.getTime() - DAY));
    if (before !== null) kept = windowKept(terms, before);
    for (let end = first; end < to; end = new Date(end.getTime() + DAY)) {
      const value = await windowValue(client, terms, end);
      if (value === null) continue;
      const now = windowKept(terms, value);
      const day = new Date(end.getTime() - DAY).toISOString().slice(0, 10);
      if (!now && kept !== false) events.push({ kind: 'missed', at: end, item: `window:${day}`, value });
      if (now && kept === false) events.push({ kind: 'recovered', at: end, item: `window:${day}`, value });
      kept = now;
    }
  }
  return events.sort((a, b) => +a.at - +b.at || a.item.localeCompare(b.item));
}

/**
 * Attainment of an agreement over [start, end): the share of its pull requests settled in it that
 * kept it; an agreement over windows: the share of the days ending in it whose window kept it.
 */
export async function agreementAttainment(client: pg.ClientBase | pg.Pool, terms: AgreementTerms, start: Date, end: Date): Promise<number | null> {
  if (hasItems(terms) && !hasWindow(terms)) {
    const metric = terms.metric as ItemMetric;
    const settled = (await pullItems(client, terms, start, end))
      .map((p) => pullEvents(metric, terms, p).outcome)
      .filter((o): o is { at: Date; kept: boolean } => o !== null && o.at >= start && o.at < end);
    return settled.length ? round4(settled.filter((o) => o.kept).length / settled.length) : null;
  }
  const days: boolean[] = [];
  for (let d = midnight(new Date(start.getTime() + DAY - 1)); d <= end; d = new Date(d.getTime() + DAY)) {
    if (d.getTime() === start.getTime()) continue;
    const value = await windowValue(client, terms, d);
    if (value !== null) days.push(windowKept(terms, value));
  }
  return days.length ? round4(days.filter(Boolean).length / days.length) : null;
}

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

/**
 * agreement_attainment: each active agreement of the scope's organization (of its teams, with a team
 * filter), labelled `<team>: <agreement>`, with its attainment in the window (agreements with nothing
 * settled in it left out).
 */
export async function agreementAttainmentMetric(client: pg.ClientBase | pg.Pool, scope: Scope): Promise<MetricResult> {
  const rows = (await activeAgreementsOf(client, scope.organizationId, scope.teamIds)) as unknown as ({ label: string } & AgreementTerms)[];
  const items: { label: string; value: number }[] = [];
  for (const r of rows) {
    const v = await agreementAttainment(client, r, scope.start, scope.end);
    if (v !== null) items.push({ label: r.label, value: v });
  }
  return { kind: 'breakdown', unit: 'ratio', items };
}
