import type { KnownBlock } from '@slack/web-api';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '../config/index.js';
import { sql } from '../db/sql.js';
import { slackFor, type Integration } from './client.js';
import { postOnce, type Posted } from './post-once.js';

/** Slack limits for Block Kit: header text 150, section text 3000, message text 40,000 characters, 50 blocks. */
export const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export async function activeIntegrationFor(em: EntityManager, organizationId: string | null): Promise<string | null> {
  if (!organizationId) return null;
  const [row] = await sql<{ id: string }>(
    em,
    `SELECT id FROM slack_integrations WHERE organization_id = ? AND is_active IS NOT FALSE ORDER BY installed_at LIMIT 1`,
    [organizationId],
  );
  return row?.id ?? null;
}

/** The organization a developer belongs to, through the teams that list them. */
export async function organizationOfDeveloper(em: EntityManager, developerId: string | null): Promise<string | null> {
  if (!developerId) return null;
  const [row] = await sql<{ organization_id: string }>(
    em,
    `SELECT organization_id FROM teams WHERE ? = ANY(developer_ids) AND organization_id IS NOT NULL ORDER BY created_at LIMIT 1`,
    [developerId],
  );
  return row?.organization_id ?? null;
}

/** Mention a developer if the integration's user_mappings knows them, else name them. */
export function mention(integration: Integration, developerId: string | null, fallback: string): string {
  const slackUser = Object.entries(integration.user_mappings ?? {}).find(([, dev]) => dev === developerId)?.[0];
  return slackUser && /^[UW][A-Z0-9]+$/.test(slackUser) ? `<@${slackUser}>` : esc(fallback);
}

/**
 * Text from users, other applications or a model, made inert for Slack's mrkdwn (and for the
 * message's fallback `text`, which Slack parses the same way): `&`, `<` and `>` are escaped as Slack's
 * formatting rules ask, so `<!channel>`, `<!everyone>`, `<@U…>` and `<https://x|disguised links>`
 * arrive as the characters they are.
 */
export function esc(text: string | null | undefined): string {
  return (text ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Post one Block Kit message to an organization's default channel, at most once per `key` (see
 * postOnce), logged in slack_notification_logs. Returns null (and posts nothing) when the
 * organization has no active integration or no default channel: notifications are optional, not
 * errors.
 */
export async function postToOrganization(
  em: EntityManager,
  config: AppConfig,
  organizationId: string | null,
  type: string,
  key: string,
  build: (integration: Integration) => { text: string; blocks: KnownBlock[] },
): Promise<(Posted & { alreadySent?: true }) | null> {
  const integrationId = await activeIntegrationFor(em, organizationId);
  if (!integrationId) return null;
  const { client, integration } = await slackFor(em, config, integrationId);
  if (!integration.default_channel_id) return null;
  const channel = integration.default_channel_id;
  const { text, blocks } = build(integration);
  return postOnce(em, client, { integrationId, type, summary: text, channel, key }, async ({ metadata, existingTs }) => {
    if (existingTs) return { channel, ts: existingTs };
    const res = await client.chat.postMessage({ channel, text: clip(text, 4000), blocks: blocks.slice(0, 50), metadata });
    return { channel: res.channel ?? channel, ts: res.ts };
  });
}
