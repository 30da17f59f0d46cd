import type { EntityManager } from '@mikro-orm/postgresql';
import type { WebClient } from '@slack/web-api';
import type { AppConfig } from '../config/index.js';
import { activeIntegrationId } from './queries.js';
import { DeferredError } from '../errors/index.js';
import { slackFor, translateSlackError } from './client.js';
import type { Integration } from './queries.js';
import { clip, type SlackMessage } from './messages.js';
import { postOnce, type Posted } from './post-once.js';
import { parseNotificationSettings, quietUntil, routeOf, type NotificationSettings, type NotificationType } from './settings.js';

/** The organization's active integration (the first installed), or null. */
export async function activeIntegrationFor(em: EntityManager, organizationId: string | null): Promise<string | null> {
  if (!organizationId) return null;
  return activeIntegrationId(em, organizationId);
}

/** Why a notification of an organization without an active integration is skipped. */
export const NO_INTEGRATION = 'no Slack integration';

/** What a notification did: posted (once), or why not. */
export type PostResult = (Posted & { alreadySent?: true }) | { skipped: string };

/** An organization's Slack, ready to post: the client, the integration and its validated settings. */
export interface OrganizationSlack {
  client: WebClient;
  integration: Integration;
  settings: NotificationSettings;
}

/**
 * The organization's Slack for a notification kind, or why there is nothing to post: no active
 * integration, or the kind turned off in its settings. During quiet hours a DeferredError parks the
 * job until they end (scheduled reports, which people schedule for a time of their choosing, are not
 * held back).
 */
export async function organizationSlack(
  em: EntityManager,
  config: AppConfig,
  organizationId: string | null,
  kind: NotificationType,
  now = new Date(),
): Promise<OrganizationSlack | { skipped: string }> {
  const integrationId = await activeIntegrationFor(em, organizationId);
  if (!integrationId) return { skipped: NO_INTEGRATION };
  const { client, integration } = await slackFor(em, config, integrationId);
  const settings = parseNotificationSettings(integration.notification_settings, integration.team_id);
  if (!routeOf(settings, kind).enabled) return { skipped: `${kind} is turned off in notification_settings` };
  const until = kind === 'report_delivery' ? null : quietUntil(settings, now);
  if (until) throw new DeferredError(`quiet hours of Slack integration ${integration.team_id} until ${until.toISOString()}`, until);
  return { client, integration, settings };
}

/**
 * Post one Block Kit message to the organization's channel for this kind (its own in
 * notification_settings, else the default channel), at most once per `key` (see postOnce), logged in
 * slack_notification_logs. For team-level and organization-level news only: what concerns one
 * person goes through postDirect.
 */
export async function postToOrganization(
  em: EntityManager,
  config: AppConfig,
  organizationId: string | null,
  kind: Exclude<NotificationType, 'person_alert' | 'export_ready'>,
  type: string,
  key: string,
  build: (integration: Integration) => SlackMessage,
): Promise<PostResult> {
  const slack = await organizationSlack(em, config, organizationId, kind);
  if ('skipped' in slack) return slack;
  const channel = routeOf(slack.settings, kind).channel ?? slack.integration.default_channel_id;
  if (!channel) return { skipped: `no channel for ${kind}: set notification_settings.notifications.${kind}.channel or a default channel` };
  return postMessage(em, slack, { type, key, channel }, build(slack.integration));
}

/** postOnce of one message to one conversation. */
export function postMessage(em: EntityManager, slack: OrganizationSlack, to: { type: string; key: string; channel: string }, message: SlackMessage) {
  const { client, integration } = slack;
  const { text, blocks } = message;
  return postOnce(
    em,
    client,
    { integrationId: integration.id, type: to.type, summary: text, channel: to.channel, key: to.key },
    async ({ metadata, existingTs }) => {
      if (existingTs) return { channel: to.channel, ts: existingTs };
      const res = await client.chat.postMessage({ channel: to.channel, text: clip(text, 4000), blocks: blocks.slice(0, 50), metadata });
      return { channel: res.channel ?? to.channel, ts: res.ts };
    },
  );
}

/**
 * Post privately to each of `users` (Slack user ids): the bot's direct-message channel with them
 * (conversations.open), one message each, at most once per `key` and user.
 */
export async function postDirect(
  em: EntityManager,
  slack: OrganizationSlack,
  to: { type: string; key: string; users: string[] },
  message: SlackMessage,
): Promise<{ user: string; channel: string; ts?: string; alreadySent?: true }[]> {
  const out = [];
  for (const user of to.users) {
    const channel = await openDirect(em, slack, user);
    out.push({ user, ...(await postMessage(em, slack, { type: to.type, key: `${to.key}:${user}`, channel }, message)) });
  }
  return out;
}

async function openDirect(em: EntityManager, slack: OrganizationSlack, user: string): Promise<string> {
  try {
    const res = await slack.client.conversations.open({ users: user });
    if (!res.channel?.id) throw new Error(`Slack opened no conversation with ${user}`);
    return res.channel.id;
  } catch (err) {
    throw await translateSlackError(em, slack.integration.id, err);
  }
}

/** Whether Slack says a channel is private (or a direct message): where a person's alert may go. */
export async function isPrivateChannel(em: EntityManager, slack: OrganizationSlack, channel: string): Promise<boolean> {
  try {
    const res = await slack.client.conversations.info({ channel });
    const c = res.channel as { is_private?: boolean; is_im?: boolean; is_mpim?: boolean } | undefined;
    return Boolean(c?.is_private || c?.is_im || c?.is_mpim);
  } catch (err) {
    throw await translateSlackError(em, slack.integration.id, err);
  }
}

/** The Slack user a developer is mapped to in the integration's user_mappings ({slack_user_id: developer_id}), or null. */
export function slackUserOf(integration: Integration, developerId: string | null): string | null {
  if (!developerId) return null;
  const found = Object.entries(integration.user_mappings ?? {}).find(([user, dev]) => dev === developerId && /^[UW][A-Z0-9]+$/.test(user));
  return found?.[0] ?? null;
}
