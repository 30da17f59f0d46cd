import type { EntityManager } from '@mikro-orm/postgresql';
import { PermanentError } from '../errors/index.js';
import { withPgClient } from '../db/sql.js';
import { isUuid } from '../lib/patterns.js';
import {
  agreementEvents,
  computeMetrics,
  isItemMetric,
  isMetric,
  ITEM_METRICS,
  type AgreementEvent,
  type AgreementTerms,
  type MetricResult,
} from '../metrics/index.js';
import { isSlackChannelId } from '../slack/index.js';
import { agreementById, agreementsOf, insertAgreement, setPaused, teamOfOrganization, updateAgreement, type AgreementRow } from './queries.js';
import { inMetricUnit, parseRule, parseShare, ruleText } from './rule.js';

/** An agreement as a producer (the CLI, the TS API) states it. */
export interface AgreementInput {
  organizationId: string;
  teamId: string;
  /** `<metric> <comparison> <number> [unit]`: `pr_size <= 400 lines`, `pickup_time <= 8h`, `deployment_frequency >= 1 per day` */
  rule: string;
  /** pull-request agreements: the share that must keep it (`80%`, 0.8); none: each one */
  share?: string | number | null;
  /** the Slack channel of its alerts (C… or G…) */
  channel?: string | null;
  /** how people call it (default: the rule) */
  name?: string | null;
}

/** A metric of a team over its last 7 days: what kind of number it is and in what unit. */
export async function teamMetric(em: EntityManager, organizationId: string, teamId: string, metric: string): Promise<MetricResult> {
  const m = await withPgClient(em, (c) => computeMetrics(c, [metric], { organization_id: organizationId, team_ids: [teamId], date_range: { days: 7 } }));
  return m[metric]!;
}

const refuse = (message: string): never => {
  throw new PermanentError(`working agreement: ${message}`);
};

/**
 * An input checked against the library and the organization: the rule parsed, its metric one that
 * gives one number (a breakdown cannot be held to a target), a pull-request metric compared the way
 * it is kept (under a limit; unreviewed merges at none), the number in the metric's unit, the team
 * one of the organization's. Each refusal says why.
 */
async function checked(em: EntityManager, input: AgreementInput): Promise<AgreementTerms & { name: string; channel: string | null; unit: string }> {
  if (!isUuid(input.organizationId)) refuse(`organization: ${JSON.stringify(input.organizationId)} must be an organization UUID`);
  if (!isUuid(input.teamId)) refuse(`team: ${JSON.stringify(input.teamId)} must be a team UUID`);
  if (!(await teamOfOrganization(em, input.organizationId, input.teamId))) refuse(`team ${input.teamId} is not a team of organization ${input.organizationId}`);
  const rule = parseRule(input.rule);
  if (typeof rule === 'string') return refuse(rule);
  if (!isMetric(rule.metric)) refuse(`${rule.metric} is not a metric of the library`);
  let unit: string;
  if (isItemMetric(rule.metric)) {
    const def = ITEM_METRICS[rule.metric];
    if (!(def.comparisons as readonly string[]).includes(rule.comparison))
      refuse(
        rule.metric === 'merged_without_review'
          ? `merged_without_review is held at none: write merged_without_review = 0 (with --share for a tolerance)`
          : `${rule.metric} is kept under a limit: write ${rule.metric} <= ${rule.value}${rule.unit ? ` ${rule.unit}` : ''}`,
      );
    if (rule.metric === 'merged_without_review' && rule.value !== 0)
      refuse('merged_without_review is held at none: write merged_without_review = 0 (with --share for a tolerance)');
    unit = def.unit;
  } else {
    const r = await teamMetric(em, input.organizationId, input.teamId, rule.metric);
    if (r.kind !== 'scalar')
      refuse(`${rule.metric} gives a breakdown (a number per ${r.unit === '%' ? 'category' : 'label'}), not one number to hold to a target`);
    unit = (r as { unit: string }).unit;
  }
  const target = inMetricUnit(rule, unit);
  if (typeof target === 'string') return refuse(target);
  let share: number | null = null;
  if (input.share !== undefined && input.share !== null && input.share !== '') {
    if (!isItemMetric(rule.metric))
      refuse(`a share applies to agreements on pull requests (${Object.keys(ITEM_METRICS).join(', ')}); ${rule.metric} is one number a window`);
    const s = parseShare(String(input.share));
    if (typeof s === 'string') return refuse(s);
    share = s;
  }
  const channel = input.channel ?? null;
  if (channel !== null && !isSlackChannelId(channel)) refuse(`channel: ${JSON.stringify(channel)} must be a Slack channel id (C… or G…)`);
  const terms = { organization_id: input.organizationId, team_id: input.teamId, metric: rule.metric, comparison: rule.comparison, target, share };
  const name = (input.name ?? '').trim() || ruleText(terms, unit);
  if (name.length > 200) refuse('name: at most 200 characters');
  return { ...terms, name, channel, unit };
}

/** Create a team's working agreement; a team has one agreement of a name. */
export async function createAgreement(em: EntityManager, input: AgreementInput): Promise<AgreementRow> {
  const a = await checked(em, input);
  const id = await insertAgreement(em, a);
  if (!id) return refuse(`the team already has an agreement named ${JSON.stringify(a.name)}`);
  return (await agreementById(em, id))!;
}

/** Change an agreement: what is not given stays; the whole is checked again. */
export async function changeAgreement(
  em: EntityManager,
  id: string,
  changes: Partial<Omit<AgreementInput, 'organizationId' | 'teamId'>>,
): Promise<AgreementRow> {
  const current = isUuid(id) ? await agreementById(em, id) : undefined;
  if (!current) return refuse(`no agreement ${id}`);
  const a = await checked(em, {
    organizationId: current.organization_id,
    teamId: current.team_id,
    rule: changes.rule ?? `${current.metric} ${current.comparison} ${current.target}`,
    share: changes.share !== undefined ? changes.share : current.share,
    channel: changes.channel !== undefined ? changes.channel : current.channel,
    name: changes.name ?? current.name,
  });
  await updateAgreement(em, id, a);
  return (await agreementById(em, id))!;
}

/** Pause an agreement (no alerts, no attainment), or resume it. */
export async function pauseAgreement(em: EntityManager, id: string, paused: boolean): Promise<AgreementRow> {
  const current = isUuid(id) ? await agreementById(em, id) : undefined;
  if (!current) return refuse(`no agreement ${id}`);
  await setPaused(em, id, paused);
  return (await agreementById(em, id))!;
}

/** An organization's agreements (or a team's). */
export async function listAgreements(em: EntityManager, organizationId: string, teamId?: string): Promise<AgreementRow[]> {
  if (!isUuid(organizationId)) refuse(`organization: ${JSON.stringify(organizationId)} must be an organization UUID`);
  return agreementsOf(em, organizationId, { teamId });
}

/**
 * How often an agreement (stored or not) would have alerted over the last `days`: the events the
 * alerts are made of, computed by the same evaluator, counted by kind.
 */
export async function previewAgreement(
  em: EntityManager,
  input: AgreementInput,
  opts: { days?: number; now?: Date } = {},
): Promise<{ name: string; rule: string; from: Date; to: Date; counts: Record<AgreementEvent['kind'], number>; events: AgreementEvent[] }> {
  const a = await checked(em, input);
  const to = opts.now ?? new Date();
  const from = new Date(to.getTime() - (opts.days ?? 30) * 86_400_000);
  const events = await withPgClient(em, (c) => agreementEvents(c, a, from, to));
  const counts = { heads_up: 0, missed: 0, recovered: 0 };
  for (const e of events) counts[e.kind] += 1;
  return { name: a.name, rule: ruleText(a, a.unit), from, to, counts, events };
}
