import { withPgClient } from '../db/sql.js';
import { downloadUrl } from '../lib/download-links.js';
import { PermanentError } from '../errors/index.js';
import { DEVELOPER_INSIGHTS, developerSignals, explainFactors, teamSignals } from '../insights/index.js';
import type { Needs } from '../jobs/helpers.js';
import { computeMetrics } from '../metrics/index.js';
import { organizationPolicy, organizationsOfDeveloper, teamWithheld } from '../organizations/index.js';
import {
  careerProgressMessage,
  exportReadyMessage,
  insightAlertMessage,
  PHASES,
  syncFailureDigestMessage,
  summaryWeeks,
  weeklyTeamSummaryMessage,
  type TeamWeek,
} from './messages.js';
import { isPrivateChannel, organizationSlack, postDirect, postMessage, postToOrganization, slackUserOf, type PostResult } from './post.js';
import { leadsOf } from './settings.js';
import {
  careerProgressOf,
  exportForNotice,
  failingRepositories,
  insightForAlert,
  organizationsWithSlack,
  teamNameAndOrganization,
  teamsOfMember,
  teamsWithSlack,
} from './queries.js';

/** What a notification uses of its caller: the database and the configuration (Slack's URL, the key ring). */
type NotifyHelpers = Needs<'em' | 'config'>;

/**
 * The notifications, each: load its rows, build its message (src/slack/messages.ts), post it where
 * the organization's notification_settings route it (src/slack/settings.ts), at most once per key.
 * Organizations without an active integration, or with the kind turned off, are skipped, not failed.
 * Nothing about one person is posted where others read it: person alerts go to their leads by
 * direct message (or a channel Slack confirms is private), an export's news to its requester alone.
 */

/** An export finished: told to its requester alone, by direct message, in the export's organization. */
export async function notifyExportReady(ctx: NotifyHelpers, exportJobId: string) {
  const e = await exportForNotice(ctx.em, exportJobId);
  if (!e || e.status !== 'completed') return { skipped: 'export not completed' };
  const slack = await organizationSlack(ctx.em, ctx.config, e.organization_id, 'export_ready');
  if ('skipped' in slack) return slack;
  const user = slackUserOf(slack.integration, e.requested_by);
  if (!user) return { skipped: 'the requester has no Slack user in user_mappings' };
  const link = e.expires_at ? downloadUrl(ctx.config, exportJobId, new Date(e.expires_at)) : null;
  const [sent] = await postDirect(ctx.em, slack, { type: 'export_ready', key: `export_ready:${exportJobId}`, users: [user] }, exportReadyMessage(e, link));
  return sent!;
}

/** Repositories of the organization whose last sync failed: one digest per run (`runKey`: a job's `jobKey`). */
export async function notifySyncFailures(ctx: NotifyHelpers, organizationId: string, runKey: string): Promise<PostResult> {
  const failures = await failingRepositories(ctx.em, organizationId);
  if (failures.length === 0) return { skipped: 'no failing repositories' };
  return postToOrganization(ctx.em, ctx.config, organizationId, 'sync_failure_digest', 'sync_failure_digest', runKey, () => syncFailureDigestMessage(failures));
}

/** The issues line's numbers (the team's issues: opened by its people or assigned to them). */
const ISSUE_NUMBERS = ['issues_opened', 'issues_resolved', 'issue_cycle_time', 'bug_share', 'linked_pr_share'];
/** The delivery line's numbers (the team's deployments, by the metrics library's team scoping). */
const DELIVERY_NUMBERS = ['deployments', 'lead_time_for_changes', 'change_failure_rate', 'time_to_restore'];

/** Last week's numbers of one team, once per run (`runKey`: a job's `jobKey`). */
export async function notifyWeeklyTeamSummary(ctx: NotifyHelpers, teamId: string, runKey: string): Promise<PostResult> {
  const team = await teamNameAndOrganization(ctx.em, teamId);
  if (!team) return { skipped: 'team deleted' };
  // A team of fewer people than its organization's group size: its numbers would be about them
  // (told after what would skip it anyway: no integration, the kind turned off).
  const withheld = await teamWithheld(ctx.em, teamId);
  if (withheld) {
    const slack = await organizationSlack(ctx.em, ctx.config, team.organization_id, 'weekly_team_summary');
    return 'skipped' in slack ? slack : { skipped: withheld };
  }
  // The 7 whole days before today (UTC), and the 7 before them to compare with.
  const weeks = summaryWeeks(new Date());
  const numbers = async (w: { start: Date; end: Date }) => {
    const m = await withPgClient(ctx.em, (c) =>
      computeMetrics(c, ['commits', 'prs_merged', 'reviews_given', 'pr_cycle_time', 'time_to_first_review', ...DELIVERY_NUMBERS, ...PHASES, ...ISSUE_NUMBERS], {
        team_ids: [teamId],
        // The team's organization's work only: its members' work elsewhere is another organization's.
        ...(team.organization_id ? { organization_id: team.organization_id } : {}),
        date_range: { start: w.start.toISOString(), end: w.end.toISOString() },
      }),
    );
    const v = (k: string) => (m[k] as { value: number | null }).value;
    return {
      commits: v('commits'),
      prsMerged: v('prs_merged'),
      reviews: v('reviews_given'),
      cycleHours: v('pr_cycle_time'),
      firstReviewHours: v('time_to_first_review'),
      deployments: v('deployments'),
      leadTimeHours: v('lead_time_for_changes'),
      changeFailureRate: v('change_failure_rate'),
      restoreHours: v('time_to_restore'),
      phases: Object.fromEntries(PHASES.map((p) => [p, v(p)])) as TeamWeek['phases'],
      issues: {
        opened: v('issues_opened'),
        resolved: v('issues_resolved'),
        cycleHours: v('issue_cycle_time'),
        bugShare: v('bug_share'),
        linkedShare: v('linked_pr_share'),
      },
    };
  };
  const [now, previous] = [await numbers(weeks.week), await numbers(weeks.before)];
  return postToOrganization(ctx.em, ctx.config, team.organization_id, 'weekly_team_summary', 'weekly_team_summary', runKey, () =>
    weeklyTeamSummaryMessage(team.name, now, previous, weeks),
  );
}

/**
 * An insight that crossed the alert threshold (one post per insight and recipient).
 * - About a team: to the channel of `team_alert` (or the default channel) of the team's organization.
 * - About a person: privately, in the organization it was computed for (from its repositories' work;
 *   while they are still in its teams) — to the leads of their teams there (`team_leads`, by direct message; never the person themselves), else to
 *   `private_alert_channel` once Slack confirms it is private; else not at all (said in the result).
 *   A "private" channel Slack reports as shared fails the alert with that reason, after the other
 *   organizations got theirs.
 * Factors are explained from the signals recomputed for the insight's window (plain language with
 * the point where each becomes concerning), followed by the stored recommendations.
 */
export async function alertInsight(ctx: NotifyHelpers, insightId: string) {
  const i = await insightForAlert(ctx.em, insightId);
  if (!i) return { skipped: 'insight deleted' };
  const type = i.insight_type;
  const window = i.data_window_days ?? 30;
  const key = `insight_alert:${insightId}`;

  if (!i.developer_id) {
    const withheld = i.team_id ? await teamWithheld(ctx.em, i.team_id) : null;
    if (withheld) return { skipped: withheld };
    const explain = await withPgClient(ctx.em, async (c) =>
      !(DEVELOPER_INSIGHTS as readonly string[]).includes(type) && i.team_id
        ? explainFactors(type, await teamSignals(c, i.team_id, window, new Date(i.generated_at)))
        : new Map<string, string>(),
    );
    return postToOrganization(ctx.em, ctx.config, i.team_org, 'team_alert', 'insight_alert', key, () =>
      insightAlertMessage(i, explain, `Team-level insight for ${i.team ?? 'a team'}, generated ${new Date(i.generated_at).toISOString().slice(0, 16)} UTC.`),
    );
  }

  // A person's insight goes to the organization it was computed for, and no other (while they are in
  // it). One stored without (written by the platform, or before insights had one) goes to their
  // organization only when they have exactly one: with two, whose it is cannot be told.
  const theirs = await organizationsOfDeveloper(ctx.em, i.developer_id);
  const scope = i.organization_id ?? (theirs.length === 1 ? theirs[0]! : null);
  if (!scope) return { skipped: `the insight is of no organization and the developer is in ${theirs.length} organizations` };
  // Explained from the signals of that organization's work, as the insight was computed.
  const explain = (DEVELOPER_INSIGHTS as readonly string[]).includes(type)
    ? explainFactors(type, await withPgClient(ctx.em, (c) => developerSignals(c, i.developer_id!, window, new Date(i.generated_at), scope)))
    : new Map<string, string>();
  // The organization's policy: nothing about a person where numbers per person are off; with
  // `leads`, to their leads only (never a channel).
  const policy = await organizationPolicy(ctx.em, scope);
  if (policy.individual_metrics === 'off') return { skipped: `individual metrics are off for organization ${scope}` };
  const results: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const org of theirs.filter((o) => o === scope)) {
    const slack = await organizationSlack(ctx.em, ctx.config, org, 'person_alert');
    if ('skipped' in slack) {
      results[org] = slack;
      continue;
    }
    const teams = await teamsOfMember(ctx.em, org, i.developer_id);
    const self = slackUserOf(slack.integration, i.developer_id);
    const leads = leadsOf(
      slack.settings,
      teams.map((t) => t.id),
    ).filter((u) => u !== self);
    const teamNames = teams.map((t) => t.name).join(', ');
    if (leads.length) {
      const note = `Sent to you privately as a lead of ${teamNames}. It is not posted in any channel.`;
      results[org] = await postDirect(ctx.em, slack, { type: 'insight_alert', key, users: leads }, insightAlertMessage(i, explain, note));
      continue;
    }
    if (policy.individual_metrics === 'leads') {
      results[org] = {
        skipped: `organization ${org} shows numbers per person to team leads only, and ${teamNames || 'their teams'} have none in notification_settings.team_leads`,
      };
      continue;
    }
    const channel = slack.settings.private_alert_channel;
    if (!channel) {
      results[org] = { skipped: `no lead of ${teamNames || 'their teams'} in notification_settings.team_leads and no private_alert_channel` };
      continue;
    }
    if (!(await isPrivateChannel(ctx.em, slack, channel))) {
      problems.push(
        `private_alert_channel ${channel} of Slack integration ${slack.integration.team_id} is not private: alerts about a person never go to shared channels`,
      );
      results[org] = { refused: 'private_alert_channel is not private' };
      continue;
    }
    const note = `Posted to this private channel because ${teamNames || 'their teams'} have no lead in notification_settings.team_leads.`;
    results[org] = await postMessage(ctx.em, slack, { type: 'insight_alert', key: `${key}:${channel}`, channel }, insightAlertMessage(i, explain, note));
  }
  if (problems.length) throw new PermanentError(problems.join('; '));
  return Object.keys(results).length ? results : { skipped: 'the developer is in no team of an organization' };
}

/**
 * A milestone reached or a path completed: told to the developer alone, by direct message, in the
 * first of their organizations (oldest team first) whose Slack knows them and lets career_progress through.
 */
export async function notifyCareerProgress(ctx: NotifyHelpers, what: { milestoneId: string } | { learningPathId: string }) {
  const row = await careerProgressOf(ctx.em, what);
  if (!row) return { skipped: 'learning path or milestone deleted' };
  const key = 'milestoneId' in what ? `career_milestone:${what.milestoneId}` : `career_path:${what.learningPathId}`;
  for (const org of await organizationsOfDeveloper(ctx.em, row.developer_id)) {
    const slack = await organizationSlack(ctx.em, ctx.config, org, 'career_progress');
    if ('skipped' in slack) continue;
    const user = slackUserOf(slack.integration, row.developer_id);
    if (!user) continue;
    const [sent] = await postDirect(
      ctx.em,
      slack,
      { type: 'career_progress', key, users: [user] },
      careerProgressMessage({ role: row.role, milestone: row.milestone ?? undefined, done: row.done, total: row.total }),
    );
    return sent!;
  }
  return { skipped: 'no Slack of the developer’s organizations knows them (user_mappings), or career_progress is off' };
}

/** The organizations (digest, user mapping) or teams (summary) that have an active integration. */
export async function fanOutTargets(ctx: Needs<'em'>, kind: 'sync_failure_digest' | 'weekly_team_summary' | 'map_users'): Promise<string[]> {
  return kind === 'weekly_team_summary' ? teamsWithSlack(ctx.em) : organizationsWithSlack(ctx.em);
}
