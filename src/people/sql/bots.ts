import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray, sql } from '../../db/sql.js';
import type { BotReason } from '../bots.js';

/** developer_bots: the accounts that are not people (src/people/bots.ts says why). */

export async function markBots(em: EntityManager, bots: { developer_id: string; reason: BotReason }[]): Promise<void> {
  if (bots.length === 0) return;
  await sql(
    em,
    `INSERT INTO developer_bots (developer_id, reason)
     SELECT b.developer_id, b.reason FROM jsonb_to_recordset(?::jsonb) AS b(developer_id uuid, reason text)
     ON CONFLICT (developer_id) DO NOTHING`,
    [JSON.stringify(bots)],
  );
}

/**
 * Make developer_bots follow the configured list: its logins are bots, and a login taken off the
 * list is a person again (bots recognised by GitHub stay bots). Cheap and idempotent.
 */
export async function applyConfiguredBots(em: EntityManager, logins: readonly string[]): Promise<void> {
  await sql(
    em,
    `DELETE FROM developer_bots b USING developers d
      WHERE b.developer_id = d.id AND b.reason = 'configured' AND NOT (lower(d.github_username) = ANY(?::text[]))`,
    [pgArray(logins)],
  );
  if (logins.length === 0) return;
  await sql(
    em,
    `INSERT INTO developer_bots (developer_id, reason)
     SELECT d.id, 'configured' FROM developers d WHERE lower(d.github_username) = ANY(?::text[])
     ON CONFLICT (developer_id) DO NOTHING`,
    [pgArray(logins)],
  );
}
