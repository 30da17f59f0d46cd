import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '../config/index.js';
import { sql } from '../db/sql.js';
import { PermanentError } from '../queues/errors.js';
import { slackFor, withNotificationLog } from './client.js';
import { clip, esc } from './post.js';


/**
 * Post a rendered report to Slack for the report's organization: the file (files.uploadV2, the
 * external-upload flow) and a Block Kit summary message, logged as one notification.
 * Destination: channel ids among the recipients (C…/G…), else the integration's default channel.
 */
export async function deliverReportToSlack(
  em: EntityManager,
  config: AppConfig,
  opts: { organizationId: string | null; recipients: string[]; reportName: string; period: string; filename: string; bytes: Buffer; summary: string[] },
): Promise<{ channel: string; ts?: string }> {
  if (!opts.organizationId) throw new PermanentError('Slack delivery needs the report to belong to an organization');
  const [row] = await sql<{ id: string }>(
    em,
    `SELECT id FROM slack_integrations WHERE organization_id = ? AND is_active IS NOT FALSE ORDER BY installed_at LIMIT 1`,
    [opts.organizationId],
  );
  if (!row) throw new PermanentError(`No active Slack integration for organization ${opts.organizationId}`);
  const { client, integration } = await slackFor(em, config, row.id);
  const channel = opts.recipients.find((r) => /^[CG][A-Z0-9]{2,}$/.test(r)) ?? integration.default_channel_id;
  if (!channel) throw new PermanentError(`Slack integration ${integration.team_id} has no default channel and the schedule names none`);

  return withNotificationLog(em, { integrationId: integration.id, type: 'scheduled_report', summary: `${opts.reportName} (${opts.period})`, channel }, async () => {
    await client.filesUploadV2({ channel_id: channel, file: opts.bytes, filename: opts.filename, title: opts.reportName });
    const message = await client.chat.postMessage({
      channel,
      // Report names and widget titles are users' text: escaped wherever Slack parses mrkdwn.
      text: clip(`${esc(opts.reportName)}: report for ${opts.period}`, 4000),
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: clip(opts.reportName, 150) } },
        { type: 'section', text: { type: 'mrkdwn', text: clip(`*Period:* ${opts.period}\n${opts.summary.map((l) => `• ${esc(l)}`).join('\n')}`, 3000) } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: clip(`Full report attached: ${esc(opts.filename)}`, 3000) }] },
      ],
    });
    return { channel: message.channel ?? channel, ts: message.ts };
  });
}
