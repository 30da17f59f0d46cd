import type { KnownBlock } from '@slack/web-api';
import { z } from 'zod';
import { sql } from '../../db/sql.js';
import { defineJob } from '../../queues/job-definition.js';
import { slackFor, withNotificationLog } from '../../slack/client.js';

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * Post an insight that crossed the alert threshold to the organization's Slack default channel,
 * mentioning the developer when user_mappings knows them. No integration: nothing to do.
 */
export const slackInsightAlert = defineJob({
  name: 'slack.insight-alert',
  queue: 'slack',
  schema: z.object({ insightId: z.uuid() }).strict(),
  options: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 } },
  deduplicationId: (d) => `slack.insight-alert-${d.insightId}`,
  async process({ insightId }, { em, config }) {
    const [i] = await sql<{ insight_type: string; risk_score: number; confidence: number; factors: { factor: string; evidence: string }[]; recommendations: string[]; developer_id: string | null; team_id: string | null; login: string | null; team: string | null; org: string | null }>(
      em,
      `SELECT pi.insight_type, pi.risk_score, pi.confidence, pi.factors, pi.recommendations, pi.developer_id, pi.team_id,
              d.github_username AS login, t.name AS team,
              coalesce(t.organization_id, (SELECT organization_id FROM teams WHERE pi.developer_id = ANY(developer_ids) AND organization_id IS NOT NULL LIMIT 1)) AS org
         FROM predictive_insights pi LEFT JOIN developers d ON d.id = pi.developer_id LEFT JOIN teams t ON t.id = pi.team_id
        WHERE pi.id = ?`,
      [insightId],
    );
    if (!i) return { skipped: 'insight deleted' };
    const [integration] = i.org
      ? await sql<{ id: string }>(em, `SELECT id FROM slack_integrations WHERE organization_id = ? AND is_active IS NOT FALSE ORDER BY installed_at LIMIT 1`, [i.org])
      : [];
    if (!integration) return { skipped: 'no active Slack integration for this organization' };
    const { client, integration: intg } = await slackFor(em, config, integration.id);
    if (!intg.default_channel_id) return { skipped: 'integration has no default channel' };
    const slackUser = Object.entries(intg.user_mappings ?? {}).find(([, dev]) => dev === i.developer_id)?.[0];
    const who = i.developer_id ? (slackUser ? `<@${slackUser}>` : (i.login ?? 'a developer')) : `team ${i.team ?? ''}`;
    const title = `${i.insight_type.replace(/_/g, ' ')}: ${Math.round(i.risk_score * 100)}% for ${i.login ?? i.team ?? 'unknown'}`;
    return withNotificationLog(em, { integrationId: intg.id, type: 'insight_alert', summary: title, channel: intg.default_channel_id }, async () => {
      const blocks: KnownBlock[] = [
        { type: 'header', text: { type: 'plain_text', text: clip(title, 150) } },
        { type: 'section', text: { type: 'mrkdwn', text: clip(`Risk ${i.risk_score.toFixed(2)} (confidence ${i.confidence.toFixed(2)}) for ${who}.`, 3000) } },
        { type: 'section', text: { type: 'mrkdwn', text: clip(i.factors.slice(0, 5).map((f) => `• *${f.factor}*: ${f.evidence}`).join('\n') || 'No factors', 3000) } },
      ];
      if (i.recommendations.length) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(i.recommendations.slice(0, 3).join(' · '), 3000) }] });
      const res = await client.chat.postMessage({ channel: intg.default_channel_id!, text: clip(title, 4000), blocks });
      return { channel: res.channel ?? intg.default_channel_id!, ts: res.ts };
    });
  },
});
