import type { Needs } from '../jobs/helpers.js';
import { withPgClient } from '../db/sql.js';
import { agreementEvents, ITEM_METRICS, isItemMetric, type AgreementEvent } from '../metrics/index.js';
import { agreementAlertMessage, leadsOf, organizationSlack, postDirect, postMessage, routeOf, type AgreementAlert } from '../slack/index.js';
import { agreementsOf, type AgreementRow } from './queries.js';
import { ruleText } from './rule.js';
import { teamMetric } from './service.js';

/** How far back an evaluation looks for events it has not posted (each is posted once: the key says). */
export const LOOKBACK_HOURS = 24;

/** Whether postOnce posted it now (not an earlier attempt). */
const fresh = (r: object) => !('alreadySent' in r && (r as { alreadySent?: boolean }).alreadySent);

/** A pull request's page on GitHub. */
const pullUrl = (repository: string, number: number) => `https://github.com/${repository}/pull/${number}`;

/** What an event says, in plain words. */
function detail(a: AgreementRow, unit: string, e: AgreementEvent): string {
  const v = e.value === null ? '—' : String(Math.round(e.value * 10) / 10);
  const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 1000) / 10} %`);
  if (e.item.startsWith('window:')) {
    const shown = isItemMetric(a.metric)
      ? `${pct(e.value)} of its pull requests kept it (the agreement: ${pct(a.share)})`
      : `${a.metric} was ${v}${unit ? ` ${unit}` : ''}`;
    return e.kind === 'recovered' ? `are back within target: ${shown}.` : `missed it: ${shown}.`;
  }
  switch (a.metric) {
    case 'pr_size':
      return e.kind === 'heads_up' ? `is ${v} lines, over the limit of ${a.target}.` : `was merged at ${v} lines, over the limit of ${a.target}.`;
    case 'pickup_time':
      return e.kind === 'heads_up' ? `has waited ${v} h for a first response (the agreement: ${a.target} h).` : `had no response within ${a.target} h.`;
    case 'open_pr_age':
      return e.kind === 'heads_up' ? `has been open ${v} days (the agreement: ${a.target} days).` : `is still open after ${a.target} days.`;
    default:
      return 'was merged without an approving review.';
  }
}

/**
 * Post the alerts of an organization's active agreements whose moment came in the last
 * LOOKBACK_HOURS (never before the agreement existed), each at most once per agreement, item and
 * kind (`agreement:<id>:<item>:<kind>`: a retry or a second evaluation posts nothing again). They go
 * to the agreement's channel, else the `agreement_alert` route's, else the default channel, else by
 * direct message to the team's leads; during quiet hours the job waits (DeferredError). Messages
 * name the pull request, never a person.
 */
export async function evaluateAgreements(ctx: Needs<'em' | 'config' | 'log'>, organizationId: string, now = new Date()) {
  const agreements = await agreementsOf(ctx.em, organizationId, { activeOnly: true });
  if (agreements.length === 0) return { agreements: 0, posted: 0 };
  const slack = await organizationSlack(ctx.em, ctx.config, organizationId, 'agreement_alert', now);
  if ('skipped' in slack) return { agreements: agreements.length, posted: 0, skipped: slack.skipped };
  let posted = 0;
  let events = 0;
  for (const a of agreements) {
    const from = new Date(Math.max(new Date(a.created_at).getTime(), now.getTime() - LOOKBACK_HOURS * 3_600_000));
    const found = await withPgClient(ctx.em, (c) => agreementEvents(c, a, from, now));
    events += found.length;
    if (found.length === 0) continue;
    const unit = isItemMetric(a.metric) ? ITEM_METRICS[a.metric].unit : (await teamMetric(ctx.em, a.organization_id, a.team_id, a.metric)).unit;
    for (const e of found) {
      const alert: AgreementAlert = {
        kind: e.kind,
        agreement: a.name,
        team: a.team,
        rule: ruleText(a, unit),
        detail: detail(a, unit, e),
        ...(e.pull ? { pull: { ...e.pull, url: pullUrl(e.pull.repository, e.pull.number) } } : {}),
      };
      const key = `agreement:${a.id}:${e.item}:${e.kind}`;
      const channel = a.channel ?? routeOf(slack.settings, 'agreement_alert').channel ?? slack.integration.default_channel_id;
      const leads = leadsOf(slack.settings, [a.team_id]);
      if (channel) {
        const r = await postMessage(ctx.em, slack, { type: 'agreement_alert', key, channel }, agreementAlertMessage(alert));
        if (fresh(r)) posted += 1;
      } else if (leads.length) {
        for (const r of await postDirect(ctx.em, slack, { type: 'agreement_alert', key, users: leads }, agreementAlertMessage(alert)))
          if (fresh(r)) posted += 1;
      } else ctx.log.warn({ agreement: a.id }, 'working agreement alert with nowhere to go: set a channel, a default channel or team_leads');
    }
  }
  return { agreements: agreements.length, events, posted };
}
