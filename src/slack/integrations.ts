import type { EntityManager } from '@mikro-orm/postgresql';
import { type KeyRing } from '../crypto/secrets.js';
import { readNotificationSettings, replaceSealedToken, sealedTokens, upsertIntegration, writeNotificationSettings } from './queries.js';
import type { NotificationSettings } from './settings.js';

/** Store (or replace) a workspace's integration; the bot token is encrypted before it reaches SQL. */
export async function installSlackIntegration(
  em: EntityManager,
  ring: KeyRing,
  i: { organizationId: string; teamId: string; teamName?: string; botToken: string; defaultChannelId?: string; userMappings?: Record<string, string> },
): Promise<string> {
  return upsertIntegration(em, {
    organizationId: i.organizationId,
    teamId: i.teamId,
    teamName: i.teamName ?? null,
    sealedToken: ring.encrypt(i.botToken),
    defaultChannelId: i.defaultChannelId ?? null,
    userMappings: i.userMappings ?? {},
  });
}

/**
 * Re-encrypt every bot token not sealed with the active key (after a key rotation), one row at a
 * time in its own statement, so it can be re-run safely. Returns how many were rewritten.
 */
export async function reencryptSecrets(
  em: EntityManager,
  ring: KeyRing,
): Promise<{ reencrypted: number; failed: { id: string; teamId: string; error: string }[] }> {
  const rows = await sealedTokens(em);
  let reencrypted = 0;
  const failed: { id: string; teamId: string; error: string }[] = [];
  // One unreadable row (an unknown key, a damaged value) must not stop the rotation of the others.
  for (const r of rows) {
    if (!ring.isStale(r.bot_token)) continue;
    try {
      if (await replaceSealedToken(em, r.id, r.bot_token, ring.encrypt(ring.decrypt(r.bot_token)))) reencrypted += 1;
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
  return settings ? writeNotificationSettings(em, organizationId, settings) : readNotificationSettings(em, organizationId);
}
