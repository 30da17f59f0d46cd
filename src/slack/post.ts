import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '../config/index.js';
import { sql } from '../db/sql.js';
import { slackFor, type Integration } from './client.js';
import { clip, type SlackMessage } from './messages.js';
import { postOnce, type Posted } from './post-once.js';

/** The organization's active integration (the first installed), or null. */
export async function activeIntegrationFor(em: EntityManager, organizationId: string | null): Promise<string | null> {
  if (!organizationId) return null;
  const [row] = await sql<{ id: string }>(
    em,
    `SELECT id FROM slack_integrations WHERE organization_id = ? AND is_active IS NOT FALSE ORDER BY installed_at LIMIT 1`,
    [organizationId],
  );
  return row?.id ?? null;
}

/** The organization a developer belongs to, through the teams that list them (as SQL over a developer id expression). */
export const organizationOfDeveloperSql = (id: string) =>
  `(SELECT organization_id FROM teams WHERE ${id} = ANY(developer_ids) AND organization_id IS NOT NULL ORDER BY created_at LIMIT 1)`;

export async function organizationOfDeveloper(em: EntityManager, developerId: string | null): Promise<string | null> {
  if (!developerId) return null;
  const [row] = await sql<{ organization_id: string | null }>(em, `SELECT ${organizationOfDeveloperSql('?::uuid')} AS organization_id`, [developerId]);
  return row?.organization_id ?? null;
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
  build: (integration: Integration) => SlackMessage,
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
