import type { EntityManager } from '@mikro-orm/postgresql';
import { type KeyRing } from '../crypto/secrets.js';
import { sql } from '../db/sql.js';
import type { NotificationSettings } from './settings.js';

/** Store (or replace) a workspace's integration; the bot token is encrypted before it reaches SQL. */
export async function installSlackIntegration(
  em: EntityManager,
  ring: KeyRing,
  i: { organizationId: string; teamId: string; teamName?: string; botToken: string; defaultChannelId?: string; userMappings?: Record<string, string> },
): Promise<string> {
  const [row] = await sql<{ id: string }>(
    em,
    `INSERT INTO slack_integrations (organization_id, team_id, team_name, bot_token, default_channel_id, user_mappings)
     VALUES (?, ?, ?, ?, ?, ?::jsonb)
     ON CONFLICT (team_id) DO UPDATE SET organization_id = EXCLUDED.organization_id, team_name = EXCLUDED.team_name,
            bot_token = EXCLUDED.bot_token, default_channel_id = EXCLUDED.default_channel_id,
            user_mappings = EXCLUDED.user_mappings, is_active = true, updated_at = now()
     RETURNING id`,
    [i.organizationId, i.teamId, i.teamName ?? null, ring.encrypt(i.botToken), i.defaultChannelId ?? null, JSON.stringify(i.userMappings ?? {})],
  );
  return row!.id;
}

/**
 * Re-encrypt every bot token not sealed with the active key (after a key rotation), one row at a
 * time in its own statement, so it can be re-run safely. Returns how many were rewritten.
 */
export async function reencryptSecrets(
  em: EntityManager,
  ring: KeyRing,
): Promise<{ reencrypted: number; failed: { id: string; teamId: string; error: string }[] }> {
  const rows = await sql<{ id: string; team_id: string; bot_token: string }>(em, `SELECT id, team_id, bot_token FROM slack_integrations ORDER BY team_id`);
  let reencrypted = 0;
  const failed: { id: string; teamId: string; error: string }[] = [];
  // One unreadable row (an unknown key, a damaged value) must not stop the rotation of the others.
  for (const r of rows) {
    if (!ring.isStale(r.bot_token)) continue;
    try {
      const updated = await sql(em, `UPDATE slack_integrations SET bot_token = ?, updated_at = now() WHERE id = ? AND bot_token = ? RETURNING id`, [
        ring.encrypt(ring.decrypt(r.bot_token)),
        r.id,
        r.bot_token,
      ]);
      reencrypted += updated.length;
    } catch (err) {
      failed.push({ id: r.id, teamId: r.team_id, error: (err as Error).message });
    }
  }
  return { reencrypted, failed };
}

/**
 * The notification_settings of an organization's active integration (its first installed), replaced
 * first when `settings` is given (already validated); null when it has no active integration.
 */
export async function integrationSettings(
  em: EntityManager,
  organizationId: string,
  settings?: NotificationSettings,
): Promise<{ team_id: string; notification_settings: unknown } | null> {
  const [row] = settings
    ? await sql<{ team_id: string; notification_settings: unknown }>(
        em,
        `UPDATE slack_integrations SET notification_settings = ?::jsonb, updated_at = now()
          WHERE id = (SELECT id FROM slack_integrations WHERE organization_id = ? AND is_active IS NOT FALSE ORDER BY installed_at LIMIT 1)
          RETURNING team_id, notification_settings`,
        [JSON.stringify(settings), organizationId],
      )
    : await sql<{ team_id: string; notification_settings: unknown }>(
        em,
        `SELECT team_id, notification_settings FROM slack_integrations WHERE organization_id = ? AND is_active IS NOT FALSE ORDER BY installed_at LIMIT 1`,
        [organizationId],
      );
  return row ?? null;
}
