import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '../../config/index.js';
import type { WebClient } from '@slack/web-api';
import { PermanentError, TransientError } from '../../errors/index.js';
import { isSlackChannelId, NO_INTEGRATION, organizationSlack, postOnce, reportSummaryMessage, routeOf, type Posted } from '../../slack/index.js';

/**
 * Post a rendered report to Slack for the report's organization: a Block Kit summary message, then
 * the file (files.uploadV2, the external-upload flow) in that message's thread, logged as one
 * notification. Message first, because the message carries the idempotency key (its metadata): a
 * retry after a crash finds it and only uploads the file if the thread does not have it yet.
 * Destination: channel ids among the recipients (C…/G…), else notification_settings' report_delivery
 * channel, else the integration's default channel; report_delivery turned off there skips it.
 */
export async function deliverReportToSlack(
  em: EntityManager,
  config: AppConfig,
  opts: {
    organizationId: string | null;
    recipients: string[];
    reportName: string;
    period: string;
    filename: string;
    bytes: Buffer;
    summary: string[];
    key: string;
    /** A signed link to the file (PUBLIC_URL and DOWNLOAD_SIGNING_SECRET set), for a Download button. */
    downloadUrl?: string | null;
  },
): Promise<(Posted & { alreadySent?: true }) | { skipped: string }> {
  if (!opts.organizationId) throw new PermanentError('Slack delivery needs the report to belong to an organization');
  const slack = await organizationSlack(em, config, opts.organizationId, 'report_delivery');
  if ('skipped' in slack && slack.skipped === NO_INTEGRATION) throw new PermanentError(`No active Slack integration for organization ${opts.organizationId}`);
  if ('skipped' in slack) return slack;
  const { client, integration, settings } = slack;
  const channel = opts.recipients.find(isSlackChannelId) ?? routeOf(settings, 'report_delivery').channel ?? integration.default_channel_id;
  if (!channel) throw new PermanentError(`Slack integration ${integration.team_id} has no default channel and the schedule names none`);

  const entry = { integrationId: integration.id, type: 'scheduled_report', summary: `${opts.reportName} (${opts.period})`, channel, key: opts.key };
  return postOnce(em, client, entry, async ({ metadata, existingTs }) => {
    let ts = existingTs;
    if (!ts) {
      const message = await client.chat.postMessage({ channel, ...reportSummaryMessage(opts), metadata });
      ts = message.ts;
    }
    // Slack always answers a post with its ts; without one the thread cannot be named (a retry finds the message).
    if (!ts) throw new TransientError('Slack accepted the report message without giving its ts');
    if (!(await threadHasFile(client, channel, ts, opts.filename))) {
      await client.filesUploadV2({ channel_id: channel, thread_ts: ts, file: opts.bytes, filename: opts.filename, title: opts.reportName });
    }
    return { channel, ts };
  });
}

/**
 * Whether the message's thread already holds the report file (an interrupted attempt may have
 * uploaded it). When the thread cannot be read, the answer is no: the file is uploaded, and may then
 * be there twice.
 */
async function threadHasFile(client: WebClient, channel: string, ts: string, filename: string): Promise<boolean> {
  try {
    let cursor: string | undefined;
    do {
      const res = await client.conversations.replies({ channel, ts, limit: 200, cursor });
      if ((res.messages ?? []).some((m) => (m.files ?? []).some((f) => f.name === filename))) return true;
      cursor = res.has_more ? res.response_metadata?.next_cursor || undefined : undefined;
    } while (cursor);
    return false;
  } catch {
    return false;
  }
}
