import type pg from 'pg';
import {
  computeCommitAggregates,
  computeMetrics,
  computePerDeveloper,
  computeSeries,
  isCommitAggregate,
  metricFiltersSchema,
  METRICS,
  resolveScope,
  scopeLookup,
  type MetricFilters,
  type MetricResult,
  type ScopedFilters,
} from '../metrics/index.js';
import {
  individualRefusal,
  organizationPolicy,
  organizationsOfDeveloper,
  outsideOrganization,
  tooFew,
  type OrganizationPolicy,
} from '../organizations/index.js';
import { PermanentError } from '../errors/index.js';
import { mapLimit } from '../lib/map-limit.js';
import { checkWidgets, type Widget, type WidgetType } from './widgets.js';
import { formatIssues } from '../lib/zod-issues.js';
import { peopleByLogin, repositoriesOf, teamsOf, workspaceName, type ReportRow } from './queries.js';

export interface ReportWidgetData {
  index: number;
  title: string;
  type: WidgetType | 'error';
  metric?: string;
  unit?: string;
  /** number widgets */
  value?: number | null;
  /** number widgets: the same number over the period before (as long, ending where this one starts) */
  previous?: number | null;
  /** bar / pie / table / line; stacked: one item per bar and part (`series`, the phase) */
  items?: { label: string; value: number; series?: string }[];
  /** What the items' labels and values are, for column headings ("Language", "Lines"). */
  labelHeading?: string;
  valueHeading?: string;
  /** Where the widget asks to be on the dashboard grid (custom_reports.widgets[].position). */
  position?: GridPosition;
  error?: string;
}

/** A widget's cell on the report's grid: column x, row y, spanning w columns and h rows. */
export interface GridPosition {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** custom_reports.layout: the grid's columns, and its rows per PDF page. */
export interface ReportLayout {
  columns: number;
  rows: number;
}

export interface ReportData {
  /** organizationName: its Slack workspace's name when it has one (the platform keeps no organization names). */
  report: { id: string; name: string; description: string | null; organizationId: string; organizationName?: string | null };
  layout: ReportLayout;
  generatedAt: string;
  window: { start: string; end: string };
  /** The period before, for the number widgets' change. */
  previousWindow: { start: string; end: string };
  filters: MetricFilters;
  widgets: ReportWidgetData[];
  /** The scope's delivery numbers in the window and the period before; absent when neither had a production deployment. */
  delivery?: DeliveryNumbers;
}

/** Each delivery number now and in the period before (the report email's delivery line). */
export type DeliveryNumbers = Record<(typeof DELIVERY_METRICS)[number], { value: number | null; previous: number | null }>;
const DELIVERY_METRICS = ['deployments', 'lead_time_for_changes', 'change_failure_rate', 'time_to_restore'] as const;

/** The window of the same length that ends where `window` starts (what a number is compared with). */
function windowBefore(window: { start: Date; end: Date }): { start: Date; end: Date } {
  return { start: new Date(2 * window.start.getTime() - window.end.getTime()), end: window.start };
}

/** A window as a filter's `date_range`. */
function dateRange(window: { start: Date; end: Date }): { start: string; end: string } {
  return { start: window.start.toISOString(), end: window.end.toISOString() };
}

/** The delivery numbers of a report's scope, now and before; none when neither period had a production deployment that ended. */
async function deliveryNumbers(
  client: pg.ClientBase | pg.Pool,
  filters: ScopedFilters,
  window: { start: Date; end: Date },
  now: Date,
): Promise<DeliveryNumbers | undefined> {
  const at = async (w: { start: Date; end: Date }) => computeMetrics(client, [...DELIVERY_METRICS], { ...filters, date_range: dateRange(w) }, now);
  const current = await at(window);
  const before = await at(windowBefore(window));
  const v = (m: typeof current, k: string) => (m[k]?.kind === 'scalar' ? m[k].value : null);
  if (v(current, 'change_failure_rate') === null && v(before, 'change_failure_rate') === null) return undefined;
  return Object.fromEntries(DELIVERY_METRICS.map((k) => [k, { value: v(current, k), previous: v(before, k) }])) as DeliveryNumbers;
}

const int = (v: unknown, min: number, max: number): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : null);

/** The layout of custom_reports.layout: 1-4 columns (2 by default), 1-4 rows a page (2 by default). */
export function layoutOf(raw: unknown): ReportLayout {
  const l = (raw ?? {}) as { columns?: unknown; rows?: unknown };
  return { columns: int(l.columns, 1, 4) ?? 2, rows: int(l.rows, 1, 4) ?? 2 };
}

/** A widget's position when it is a whole-number cell inside the grid, else none (the widget is placed in order). */
export function positionOf(raw: unknown, layout: ReportLayout): GridPosition | undefined {
  const p = (raw ?? {}) as Record<string, unknown>;
  const x = int(p.x, 0, layout.columns - 1);
  const y = int(p.y, 0, 10_000);
  const w = int(p.w ?? 1, 1, layout.columns);
  const h = int(p.h ?? 1, 1, layout.rows);
  if (x === null || y === null || w === null || h === null || x + w > layout.columns) return undefined;
  return { x, y, w, h };
}

/** Column headings of a breakdown metric's labels. */
const BREAKDOWN_HEADINGS: Record<string, string> = {
  language_mix: 'Language',
  pr_size_distribution: 'Size',
  oldest_open_prs: 'Pull request',
  dora_level: 'Metric',
};
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The organization a report's numbers come from: its organization_id, else its creator's only
 * organization. A report of no organization (or of a creator in several) is refused: without one,
 * it would count every developer of every organization.
 */
async function reportOrganization(client: pg.ClientBase | pg.Pool, report: ReportRow): Promise<string> {
  if (report.organization_id) return report.organization_id;
  const orgs = report.creator_id ? await organizationsOfDeveloper(client, report.creator_id) : [];
  if (orgs.length === 1) return orgs[0]!;
  throw new PermanentError(
    `Report "${report.name}" belongs to no organization: set custom_reports.organization_id` +
      (orgs.length > 1 ? ` (its creator is in the teams of ${orgs.length} organizations)` : '') +
      "; a report counts the members of one organization's teams",
  );
}

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Widgets a report renders; more become error entries (they cost queries, pages and memory). */
export const MAX_WIDGETS = 100;
/** Points of one line chart. */
export const MAX_POINTS = 366;
/** Points of all the line charts of one report together. */
export const MAX_REPORT_POINTS = 3_000;

/** Buckets of the window for a line chart: days when the window is a month or less, else weeks. */
function buckets(
  start: Date,
  end: Date,
  by: 'day' | 'week' | undefined,
): { step: 'day' | 'week'; count: number; list: () => { label: string; start: Date; end: Date }[] } {
  const step = by ?? ((end.getTime() - start.getTime()) / 86_400_000 <= 31 ? 'day' : 'week');
  const ms = step === 'day' ? 86_400_000 : 7 * 86_400_000;
  const count = Math.max(0, Math.ceil((end.getTime() - start.getTime()) / ms));
  const list = () => {
    const out = [];
    for (let t = start.getTime(); t < end.getTime(); t += ms)
      out.push({ label: isoDay(new Date(t)), start: new Date(t), end: new Date(Math.min(t + ms, end.getTime())) });
    return out;
  };
  return { step, count, list };
}

/** One widget being evaluated: where to read, what, for whom and when. */
interface WidgetRun {
  client: pg.ClientBase | pg.Pool;
  /** the organization's policy, and why numbers per person are not shown to this report's reader (null: they may be) */
  policy: OrganizationPolicy;
  refusal: string | null;
  w: Widget;
  index: number;
  filters: ScopedFilters;
  window: { start: Date; end: Date };
  range: { start: string; end: string };
  now: Date;
  /** the report's commit aggregates, computed together (aggregatedOnce) */
  known: Aggregated;
  base: { index: number; title: string; type: Widget['type']; metric: string };
}
type Scalar = Extract<MetricResult, { kind: 'scalar' }>;

/** Breakdown metrics whose labels are people. */
const PER_PERSON = ['career_readiness', 'learning_progress'];

async function widgetData(
  client: pg.ClientBase | pg.Pool,
  w: Widget,
  index: number,
  filters: ScopedFilters,
  window: { start: Date; end: Date },
  now: Date,
  line: LinePlan | undefined,
  gate: { policy: OrganizationPolicy; refusal: string | null },
  known: Aggregated,
): Promise<ReportWidgetData> {
  const def = METRICS[w.metric]!;
  const range = dateRange(window);
  const run: WidgetRun = {
    client,
    ...gate,
    w,
    index,
    filters,
    window,
    range,
    now,
    known,
    base: { index, title: w.config.title ?? def.description, type: w.type, metric: w.metric },
  };
  if (w.type === 'stacked') return stackedWidget(run);
  const whole = await metricOver(run, known.window, range);
  if (w.type === 'line' || w.type === 'number') {
    if (whole.kind !== 'scalar') {
      const what = w.type === 'line' ? 'a line chart' : 'a number widget';
      return { ...run.base, type: 'error', error: `widget ${index + 1}: ${what} needs a single-value metric; "${w.metric}" is a breakdown` };
    }
    return w.type === 'line' ? lineWidget(run, whole, line) : numberWidget(run, whole);
  }
  // bar / pie / table
  if (whole.kind === 'breakdown' && PER_PERSON.includes(w.metric) && run.refusal)
    return { ...run.base, type: 'error', error: `widget ${index + 1}: ${w.metric} is a number per person, and ${run.refusal}` };
  if (whole.kind === 'breakdown')
    return {
      ...run.base,
      unit: whole.unit,
      items: whole.items.slice(0, w.config.limit ?? 20),
      labelHeading: BREAKDOWN_HEADINGS[w.metric] ?? 'Item',
      valueHeading: capital(whole.unit),
    };
  if (w.config.group_by === 'repository' || w.config.group_by === 'team') return perGroupWidget(run, whole, w.config.group_by);
  if (run.refusal)
    return {
      ...run.base,
      type: 'error',
      error: `widget ${index + 1}: a ${w.type} per developer shows a number per person, and ${run.refusal}: group it by team or repository`,
    };
  return perDeveloperWidget(run, whole);
}

/**
 * A scalar metric in a bar/pie/table per repository or team of the organization (within the report's
 * repository or team filters): each computed with the report's filters narrowed to it.
 */
async function perGroupWidget(run: WidgetRun, whole: Scalar, by: 'repository' | 'team'): Promise<ReportWidgetData> {
  const { client, filters, range, now, w } = run;
  const org = filters.organization_id!;
  const groups =
    by === 'repository'
      ? (await repositoriesOf(client, org, filters.repositories ?? null)).map((name) => ({ label: name, filters: { ...filters, repositories: [name] } }))
      : (await teamsOf(client, org, filters.team_ids ?? null)).map((t) => ({
          label: t.name,
          filters: { ...filters, team_ids: [t.id], developer_ids: undefined },
        }));
  const items = [];
  for (const g of groups.slice(0, 200)) {
    // A team of fewer people than the policy's group size is left out (its number would be about them).
    if (by === 'team' && (await tooSmall(run, g.filters))) continue;
    const r = (await computeMetrics(client, [w.metric], { ...g.filters, date_range: range }, now))[w.metric] as Scalar;
    // Nothing to measure (a median of nothing, a rate of no deployments) is left out, not shown as 0.
    if (r.value !== null) items.push({ label: g.label, value: r.value });
  }
  items.sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
  return { ...run.base, unit: whole.unit, items: items.slice(0, w.config.limit ?? 20), labelHeading: capital(by), valueHeading: capital(whole.unit) };
}

/** A scalar metric over time: one point a day or week, as planned within the widget's and the report's point limits (linePoints). */
async function lineWidget(run: WidgetRun, whole: Scalar, line: LinePlan | undefined): Promise<ReportWidgetData> {
  const { w, base } = run;
  if (!line?.plan) return { ...base, type: 'error', error: line?.error ?? `widget ${run.index + 1}: no points planned` };
  const plan = line.plan;
  // One grouped query for the whole chart, not one per point.
  const list = plan.list();
  const values = await computeSeries(run.client, w.metric, run.filters, list, run.now);
  return {
    ...base,
    unit: whole.unit,
    items: list.map((b, i) => ({ label: b.label, value: values[i] ?? 0 })),
    labelHeading: plan.step === 'week' ? 'Week of' : 'Day',
    valueHeading: capital(whole.unit),
  };
}

/** The phases a stacked widget shows, in the order work goes through them (cycle_time is their sum per pull request). */
const CYCLE_PHASES = ['coding_time', 'pickup_time', 'review_time', 'merge_time', 'deploy_time'] as const;

/** The metrics a stacked widget can show: the cycle's phases, the investment balance's categories, or each working agreement's attainment. */
const STACKABLE = ['cycle_time', 'investment_balance', 'investment_balance_count', 'agreement_attainment'];

/**
 * A stacked bar per week of the window (or per team of the organization): `cycle_time` as its
 * phases, each part the median hours of that phase of the pull requests merged there; or the
 * investment balance (lines or count) as its categories' shares, each bar summing to 100 %.
 */
async function stackedWidget(run: WidgetRun): Promise<ReportWidgetData> {
  const { client, filters, w, index, base, now } = run;
  if (!STACKABLE.includes(w.metric))
    return { ...base, type: 'error', error: `widget ${index + 1}: a stacked widget shows ${STACKABLE.join(', ')}; "${w.metric}" has no parts` };
  const byTeam = w.config.group_by === 'team';
  if (w.config.group_by && !byTeam && w.config.group_by !== 'week')
    return { ...base, type: 'error', error: `widget ${index + 1}: a stacked widget is grouped by week or team, not ${w.config.group_by}` };
  const groups = byTeam
    ? (await teamsOf(client, filters.organization_id!, filters.team_ids ?? null)).map((t) => ({
        label: t.name,
        filters: { ...filters, team_ids: [t.id], developer_ids: undefined, date_range: run.range },
      }))
    : buckets(run.window.start, run.window.end, 'week')
        .list()
        .map((b) => ({ label: b.label, filters: { ...filters, date_range: { start: b.start.toISOString(), end: b.end.toISOString() } } }));
  const phases = w.metric === 'cycle_time';
  const items: { label: string; value: number; series: string }[] = [];
  for (const g of groups.slice(0, 60)) {
    if (byTeam && (await tooSmall(run, g.filters))) continue;
    if (phases) {
      const m = await computeMetrics(client, [...CYCLE_PHASES], g.filters, now);
      for (const phase of CYCLE_PHASES) {
        const v = m[phase]?.kind === 'scalar' ? m[phase].value : null;
        // A phase with nothing to measure is no part of the bar (not a part of 0 hours).
        if (v !== null) items.push({ label: g.label, value: v, series: phase.replace('_time', '') });
      }
    } else {
      const r = (await computeMetrics(client, [w.metric], g.filters, now))[w.metric];
      if (w.metric === 'agreement_attainment') {
        // Each agreement's share kept in the week (0 is a share too); one with nothing settled has no part.
        if (r?.kind === 'breakdown') for (const i of r.items) items.push({ label: g.label, value: i.value, series: i.label });
        continue;
      }
      // A bar with nothing merged has no parts (not five parts of 0 %).
      if (r?.kind === 'breakdown' && r.items.some((i) => i.value > 0))
        for (const i of r.items) if (i.value > 0) items.push({ label: g.label, value: i.value, series: i.label });
    }
  }
  const unit = phases ? 'hours' : w.metric === 'agreement_attainment' ? 'ratio' : '%';
  return { ...base, unit, items, labelHeading: byTeam ? 'Team' : 'Week of', valueHeading: phases ? 'Hours' : unit === 'ratio' ? 'Share kept' : 'Share (%)' };
}

/** Whether a group's people are fewer than the policy's group size. */
async function tooSmall(run: WidgetRun, filters: ScopedFilters): Promise<boolean> {
  const scope = await resolveScope(filters, scopeLookup(run.client), run.now);
  return tooFew(run.policy, scope.developerIds?.length ?? 0) !== null;
}

/** The widget's metric over `range`: from the report's commit aggregates (`aggregated`) when it is one of them, else computed alone. */
async function metricOver(run: WidgetRun, aggregated: Promise<Record<string, MetricResult>>, range: { start: string; end: string }): Promise<MetricResult> {
  const { metric } = run.w;
  if (isCommitAggregate(metric)) return (await aggregated)[metric]!;
  return (await computeMetrics(run.client, [metric], { ...run.filters, date_range: range }, run.now))[metric]!;
}

/** A scalar metric's value, with its value over the window of the same length before it. */
async function numberWidget(run: WidgetRun, whole: Scalar): Promise<ReportWidgetData> {
  const previous = await metricOver(run, run.known.previous, dateRange(windowBefore(run.window)));
  return { ...run.base, unit: whole.unit, value: whole.value, previous: previous.kind === 'scalar' ? previous.value : null };
}

/** A scalar metric in a bar/pie/table is shown per developer of the scope. */
async function perDeveloperWidget(run: WidgetRun, whole: Scalar): Promise<ReportWidgetData> {
  const { client, filters, range, now, w } = run;
  const scope = await resolveScope({ ...filters, date_range: range }, scopeLookup(client), now);
  const devs = (await peopleByLogin(client, scope.developerIds)).slice(0, 200);
  // Each person's number of the same organization's work (their work elsewhere is not this report's):
  // in one statement where the metric allows it, else one by one.
  const each = { organization_id: filters.organization_id, date_range: range, repositories: filters.repositories };
  const grouped = await computePerDeveloper(
    client,
    w.metric,
    each,
    devs.map((d) => d.id),
    now,
  );
  const items = [];
  for (const d of devs) {
    const value = grouped
      ? (grouped.get(d.id) ?? null)
      : ((await computeMetrics(client, [w.metric], { ...each, developer_ids: [d.id] }, now))[w.metric] as Scalar).value;
    // Nothing to measure (a median of nothing) is left out, not shown as 0; a count of nothing is 0.
    if (value !== null) items.push({ label: d.login, value });
  }
  items.sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
  return { ...run.base, unit: whole.unit, items: items.slice(0, w.config.limit ?? 20), labelHeading: 'Developer', valueHeading: capital(whole.unit) };
}

/**
 * Each line chart's points, or why it has none: a chart longer than MAX_POINTS, or one that would
 * take the report's line charts past MAX_REPORT_POINTS (counted in the widgets' order).
 */
function linePoints(checks: ReturnType<typeof checkWidgets>, window: { start: Date; end: Date }): Map<number, LinePlan> {
  const plans = new Map<number, LinePlan>();
  let used = 0;
  for (const check of checks) {
    if (!check.ok || check.index >= MAX_WIDGETS || check.widget.type !== 'line') continue;
    const g = check.widget.config.group_by;
    const plan = buckets(window.start, window.end, g === 'day' || g === 'week' ? g : undefined);
    const index = check.index;
    if (plan.count > MAX_POINTS) {
      plans.set(index, {
        error: `widget ${index + 1}: a line chart shows at most ${MAX_POINTS} points; this window by ${plan.step} has ${plan.count.toLocaleString('en-US')}: narrow date_range${plan.step === 'day' ? ' or group by week' : ''}`,
      });
    } else if (used + plan.count > MAX_REPORT_POINTS) {
      plans.set(index, {
        error: `widget ${index + 1}: the report's line charts would have more than ${MAX_REPORT_POINTS.toLocaleString('en-US')} points together; split the report or narrow date_range`,
      });
    } else {
      used += plan.count;
      plans.set(index, { plan });
    }
  }
  return plans;
}

/** The report's commit aggregates (computeCommitAggregates), over its window and the window before it, by metric: asked at once, awaited by the widgets that show them. */
interface Aggregated {
  window: Promise<Record<string, MetricResult>>;
  previous: Promise<Record<string, MetricResult>>;
}

/**
 * Widgets that read the same rows read them once: the commit aggregates the report's widgets show
 * (a number, with its value over the window before; a chart's whole), all in one statement over the
 * window and one over the window before it, started at once (the other widgets do not wait for them).
 */
function aggregatedOnce(
  client: pg.ClientBase | pg.Pool,
  checks: ReturnType<typeof checkWidgets>,
  filters: ScopedFilters,
  window: { start: Date; end: Date },
  now: Date,
): Aggregated {
  const shown = checks.flatMap((c) => (c.ok && c.index < MAX_WIDGETS && c.widget.type !== 'stacked' ? [c.widget] : []));
  const metrics = shown.map((w) => w.metric);
  const numbers = shown.filter((w) => w.type === 'number').map((w) => w.metric);
  const aggregated = {
    window: computeCommitAggregates(client, metrics, { ...filters, date_range: dateRange(window) }, now),
    previous: computeCommitAggregates(client, numbers, { ...filters, date_range: dateRange(windowBefore(window)) }, now),
  };
  // Awaited by the widgets that show them; a failure none awaits (the report failed first) is not left unhandled.
  aggregated.window.catch(() => undefined);
  aggregated.previous.catch(() => undefined);
  return aggregated;
}

/** A line chart's buckets, or the error that replaces it. */
type LinePlan = { plan: ReturnType<typeof buckets>; error?: undefined } | { error: string; plan?: undefined };

/**
 * Everything a rendering needs, computed once: the report's widgets evaluated over its filters.
 * Invalid filters fail the report (nothing sensible can be shown); an invalid widget becomes an
 * error entry and the rest of the report still renders.
 */
export async function buildReportData(
  client: pg.ClientBase | pg.Pool,
  report: ReportRow,
  now = new Date(),
  /** refuse the report unless it is of this organization (an export's requester's) */
  forOrganization?: string,
  /** who asked for it (an export's requester): under a `leads` policy, a team lead sees numbers per person */
  reader: string | null = null,
  /** widgets evaluated at once: more than 1 only on a pool (each statement on a connection of its own) */
  concurrency = 1,
): Promise<ReportData> {
  const parsed = metricFiltersSchema.safeParse(report.filters ?? {});
  if (!parsed.success) {
    throw new PermanentError(`Report "${report.name}" has invalid filters: ${formatIssues(parsed.error)}`);
  }
  const organizationId = await reportOrganization(client, report);
  if (forOrganization && forOrganization !== organizationId)
    throw new PermanentError(`Report "${report.name}" belongs to another organization than the one it was requested for`);
  const outside = await outsideOrganization(client, organizationId, parsed.data);
  if (outside.length) throw new PermanentError(`Report "${report.name}" has filters outside its organization: ${outside.join('; ')}`);
  const filters: ScopedFilters = { ...parsed.data, organization_id: organizationId };
  const policy = await organizationPolicy(client, organizationId);
  const refusal = await individualRefusal(client, organizationId, policy, reader);
  if (refusal && parsed.data.developer_ids?.length) throw new PermanentError(`Report "${report.name}" filters by developer, and ${refusal}`);
  // A report about a team or the whole organization: withheld when it counts too few people (one
  // that names developers is about them, a view per person the policy allowed above).
  const scope = await resolveScope(filters, scopeLookup(client), now);
  const withheld = parsed.data.developer_ids?.length ? null : tooFew(policy, scope.developerIds?.length ?? 0);
  const window = { start: scope.start, end: scope.end };
  const layout = layoutOf(report.layout);
  const checks = checkWidgets(report.widgets ?? []);
  // The line charts' points are given out in the widgets' order, before any is evaluated.
  const points = linePoints(checks, window);
  const known = aggregatedOnce(client, withheld ? [] : checks, filters, window, now);
  const widgets: ReportWidgetData[] = await mapLimit(checks, Math.max(1, concurrency), async (check) => {
    if (check.index >= MAX_WIDGETS)
      return {
        index: check.index,
        title: `Widget ${check.index + 1}`,
        type: 'error',
        error: `widget ${check.index + 1}: a report shows at most ${MAX_WIDGETS} widgets`,
      };
    if (!check.ok) return { index: check.index, title: `Widget ${check.index + 1}`, type: 'error', error: check.error };
    const position = positionOf(check.widget.position, layout);
    const data: ReportWidgetData = withheld
      ? {
          index: check.index,
          title: check.widget.config.title ?? METRICS[check.widget.metric]!.description,
          type: 'error',
          error: `widget ${check.index + 1}: ${withheld}`,
        }
      : await widgetData(client, check.widget, check.index, filters, window, now, points.get(check.index), { policy, refusal }, known);
    return { ...data, ...(position ? { position } : {}) };
  });
  const organizationName = await workspaceName(client, organizationId);
  const delivery = withheld ? null : await deliveryNumbers(client, filters, window, now);
  return {
    report: { id: report.id, name: report.name, description: report.description, organizationId, organizationName },
    layout,
    generatedAt: now.toISOString(),
    window: dateRange(window),
    previousWindow: dateRange(windowBefore(window)),
    filters: parsed.data,
    widgets,
    ...(delivery ? { delivery } : {}),
  };
}
