import type { KnownBlock } from '@slack/web-api';
import { z } from 'zod';
import { sql } from '../../db/sql.js';
import { defineJob } from '../../queues/job-definition.js';
import { clip, esc, mention, postToOrganization } from '../../slack/post.js';

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
    const [i] = await sql<{ insight_type: string; risk_score: number; confidence: number; factors: { factor: string; evidence: string }[]; recommendations: string[]; developer_id: string | null; login: string | null; team: string | null; org: string | null }>(
      em,
      `SELECT pi.insight_type, pi.risk_score, pi.confidence, pi.factors, pi.recommendations, pi.developer_id,
              d.github_username AS login, t.name AS team,
              coalesce(t.organization_id, (SELECT organization_id FROM teams WHERE pi.developer_id = ANY(developer_ids) AND organization_id IS NOT NULL LIMIT 1)) AS org
         FROM predictive_insights pi LEFT JOIN developers d ON d.id = pi.developer_id LEFT JOIN teams t ON t.id = pi.team_id
        WHERE pi.id = ?`,
      [insightId],
    );
    if (!i) return { skipped: 'insight deleted' };
    const title = `${i.insight_type.replace(/_/g, ' ')}: ${Math.round(i.risk_score * 100)}% for ${i.login ?? i.team ?? 'unknown'}`;
    // Logins, team names and the model's factors and recommendations are escaped for mrkdwn.
    const posted = await postToOrganization(em, config, i.org, 'insight_alert', `insight_alert:${insightId}`, (integration) => {
      const who = i.developer_id ? mention(integration, i.developer_id, i.login ?? 'a developer') : `team ${esc(i.team)}`;
      const blocks: KnownBlock[] = [
        { type: 'header', text: { type: 'plain_text', text: clip(title, 150) } },
        { type: 'section', text: { type: 'mrkdwn', text: clip(`Risk ${i.risk_score.toFixed(2)} (confidence ${i.confidence.toFixed(2)}) for ${who}.`, 3000) } },
        { type: 'section', text: { type: 'mrkdwn', text: clip(i.factors.slice(0, 5).map((f) => `• *${esc(f.factor)}*: ${esc(f.evidence)}`).join('\n') || 'No factors', 3000) } },
      ];
      if (i.recommendations.length) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(i.recommendations.slice(0, 3).map(esc).join(' · '), 3000) }] });
      return { text: esc(title), blocks };
    });
    return posted ?? { skipped: 'no active Slack integration with a default channel for this organization' };
  },
});
