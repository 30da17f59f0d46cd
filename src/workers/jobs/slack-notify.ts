import type { KnownBlock } from '@slack/web-api';
import { z } from 'zod';
import { sql, withPgClient } from '../../db/sql.js';
import { computeMetrics } from '../../metrics/library.js';
import { defineJob } from '../../queues/job-definition.js';
import { resolveStalePending } from '../../slack/client.js';
import { clip, esc, mention, organizationOfDeveloper, postToOrganization } from '../../slack/post.js';
import { jobKey } from '../../slack/post-once.js';

export const slackNotifySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('export_ready'), exportJobId: z.uuid() }).strict(),
  z.object({ kind: z.literal('sync_failure_digest'), organizationId: z.uuid() }).strict(),
  z.object({ kind: z.literal('weekly_team_summary'), teamId: z.uuid() }).strict(),
]);

const kb = (n: number | string | null) => (n === null ? '—' : `${Math.max(1, Math.round(Number(n) / 1024)).toLocaleString('en-US')} KB`);

/**
 * The other Slack notifications, one job with a discriminated payload:
 * - export_ready: an export finished (queued by export.process for exports with a requester);
 * - sync_failure_digest: repositories whose last sync failed, one message per organization;
 * - weekly_team_summary: last week's numbers of one team.
 * Organizations without an active integration are skipped, not failed. Each is posted at most once
 * per key (postOnce): one export_ready per export, one digest or summary per job.
 */
export const slackNotify = defineJob({
  name: 'slack.notify',
  queue: 'slack',
  schema: slackNotifySchema,
  options: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 } },
  deduplicationId: (d) => `slack.notify-${d.kind}-${'exportJobId' in d ? d.exportJobId : 'organizationId' in d ? d.organizationId : d.teamId}`,
  async process(data, { em, config, job }) {
    if (data.kind === 'export_ready') {
      const [e] = await sql<{ export_type: string; format: string; status: string; file_path: string | null; file_size_bytes: string | null; expires_at: string | null; requested_by: string | null; login: string | null }>(
        em,
        `SELECT e.export_type, e.format, e.status, e.file_path, e.file_size_bytes, e.expires_at, e.requested_by, d.github_username AS login
           FROM export_jobs e LEFT JOIN developers d ON d.id = e.requested_by WHERE e.id = ?`,
        [data.exportJobId],
      );
      if (!e || e.status !== 'completed') return { skipped: 'export not completed' };
      const text = `Export ready: ${esc(e.export_type)}.${esc(e.format)} (${kb(e.file_size_bytes)})`;
      const posted = await postToOrganization(em, config, await organizationOfDeveloper(em, e.requested_by), 'export_ready', `export_ready:${data.exportJobId}`, (integration) => ({
        text,
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: clip(`${mention(integration, e.requested_by, e.login ?? 'Your')} export *${esc(e.export_type)}* (${esc(e.format)}, ${kb(e.file_size_bytes)}) is ready.`, 3000) } },
          { type: 'context', elements: [{ type: 'mrkdwn', text: clip(`Available until ${e.expires_at ? new Date(e.expires_at).toISOString().slice(0, 16).replace('T', ' ') : '—'} UTC`, 3000) }] },
        ],
      }));
      return posted ?? { skipped: 'no Slack integration' };
    }
    if (data.kind === 'sync_failure_digest') {
      const failures = await sql<{ full_name: string; last_error: string; last_synced_at: string | null }>(
        em,
        `SELECT full_name, last_error, last_synced_at FROM tracked_repositories WHERE organization_id = ? AND is_active AND last_error IS NOT NULL ORDER BY full_name`,
        [data.organizationId],
      );
      if (failures.length === 0) return { skipped: 'no failing repositories' };
      const text = `GitHub sync: ${failures.length} repositor${failures.length === 1 ? 'y is' : 'ies are'} failing`;
      const posted = await postToOrganization(em, config, data.organizationId, 'sync_failure_digest', jobKey(job), () => ({
        text,
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: clip(text, 150) } },
          ...failures.slice(0, 20).map((f): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(`*${esc(f.full_name)}*: ${esc(f.last_error)}`, 3000) } })),
          ...(failures.length > 20 ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${failures.length - 20} more` }] } as KnownBlock] : []),
        ],
      }));
      return posted ?? { skipped: 'no Slack integration' };
    }
    const [team] = await sql<{ name: string; organization_id: string | null }>(em, `SELECT name, organization_id FROM teams WHERE id = ?`, [data.teamId]);
    if (!team) return { skipped: 'team deleted' };
    const m = await withPgClient(em, (c) => computeMetrics(c, ['commits', 'prs_merged', 'reviews_given', 'pr_cycle_time', 'time_to_first_review'], { team_ids: [data.teamId], date_range: { days: 7 } }));
    const v = (k: string) => (m[k] as { value: number | null }).value;
    const text = `${esc(team.name)}: ${v('commits')} commits, ${v('prs_merged')} PRs merged, ${v('reviews_given')} reviews in the last 7 days`;
    const posted = await postToOrganization(em, config, team.organization_id, 'weekly_team_summary', jobKey(job), () => ({
      text,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: clip(`Weekly summary: ${team.name}`, 150) } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: `*Commits*\n${v('commits')}` },
            { type: 'mrkdwn', text: `*PRs merged*\n${v('prs_merged')}` },
            { type: 'mrkdwn', text: `*Reviews*\n${v('reviews_given')}` },
            { type: 'mrkdwn', text: `*Median PR cycle*\n${v('pr_cycle_time') ?? '—'} h` },
            { type: 'mrkdwn', text: `*Median time to first review*\n${v('time_to_first_review') ?? '—'} h` },
          ],
        },
      ],
    }));
    return posted ?? { skipped: 'no Slack integration' };
  },
});

/** Scheduled: fan out the daily digests and (weekly) team summaries to every organization/team with an integration. */
export const slackFanOut = defineJob({
  name: 'slack.fan-out',
  queue: 'slack',
  schema: z.object({ kind: z.enum(['sync_failure_digest', 'weekly_team_summary']) }).strict(),
  options: { attempts: 5 },
  async process({ kind }, ctx) {
    // Daily housekeeping too: attempts a dead worker left pending are resolved as "outcome unknown".
    await resolveStalePending(ctx.em, null);
    if (kind === 'sync_failure_digest') {
      const orgs = await sql<{ organization_id: string }>(ctx.em, `SELECT DISTINCT organization_id FROM slack_integrations WHERE is_active IS NOT FALSE`);
      for (const o of orgs) ctx.enqueueAfter(slackNotify, { kind, organizationId: o.organization_id });
      return { queued: orgs.length };
    }
    const teams = await sql<{ id: string }>(
      ctx.em,
      `SELECT t.id FROM teams t WHERE EXISTS (SELECT 1 FROM slack_integrations s WHERE s.organization_id = t.organization_id AND s.is_active IS NOT FALSE)`,
    );
    for (const t of teams) ctx.enqueueAfter(slackNotify, { kind, teamId: t.id });
    return { queued: teams.length };
  },
});
