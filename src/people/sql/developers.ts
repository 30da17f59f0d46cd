import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray, sql } from '../../db/sql.js';
import type { BotReason } from '../bots.js';
import { markBots } from './bots.js';

/** A GitHub account as the sync sees it, to be a developers row. */
export interface DeveloperRow {
  github_id: number;
  github_username: string;
  avatar_url: string | null;
  /** Why this account is a bot, or null for a person. */
  bot?: BotReason | null;
}

type Exec = EntityManager;

/**
 * Upsert developers by GitHub id (logins can be renamed; ids cannot). A login that moved to another
 * GitHub account is first parked on the old row so the UNIQUE(github_username) never blocks a sync.
 * Returns github_id → developers.id for every given user.
 */
export async function upsertDevelopers(em: Exec, users: DeveloperRow[]): Promise<Map<number, string>> {
  const unique = [...new Map(users.map((u) => [u.github_id, u])).values()];
  if (unique.length === 0) return new Map();
  // Those stored as given already (the usual case) are only read: no write, no row lock held.
  const stored = await sql<{ id: string; github_id: string; github_username: string; avatar_url: string | null }>(
    em,
    `SELECT id, github_id, github_username, avatar_url FROM developers WHERE github_id = ANY(?::bigint[])`,
    [pgArray(unique.map((u) => u.github_id))],
  );
  const ids = new Map(stored.map((r) => [Number(r.github_id), r.id]));
  const given = new Map(unique.map((u) => [u.github_id, u]));
  const asGiven = new Set(
    stored.flatMap((r) => {
      const u = given.get(Number(r.github_id))!;
      return u.github_username === r.github_username && (u.avatar_url == null || u.avatar_url === r.avatar_url) ? [u.github_id] : [];
    }),
  );
  const changed = unique.filter((u) => !asGiven.has(u.github_id));
  if (changed.length > 0) for (const [id, dev] of await writeDevelopers(em, changed)) ids.set(id, dev);
  await markBots(
    em,
    unique.flatMap((u) => (u.bot ? [{ developer_id: ids.get(u.github_id)!, reason: u.bot }] : [])),
  );
  return ids;
}

/** The developers that are new or changed (upsertDevelopers): logins parked, rows inserted or updated. Returns github_id → developers.id. */
async function writeDevelopers(em: Exec, unique: DeveloperRow[]): Promise<Map<number, string>> {
  const payload = JSON.stringify(unique);
  await sql(
    em,
    `UPDATE developers d SET github_username = d.github_username || '~' || d.github_id::text, updated_at = now()
       FROM jsonb_to_recordset(?::jsonb) AS u(github_id bigint, github_username text)
      WHERE d.github_username = u.github_username AND d.github_id <> u.github_id`,
    [payload],
  );
  await sql(
    em,
    `INSERT INTO developers (github_id, github_username, avatar_url)
     SELECT u.github_id, u.github_username, u.avatar_url
       FROM jsonb_to_recordset(?::jsonb) AS u(github_id bigint, github_username text, avatar_url text)
     ON CONFLICT (github_id) DO UPDATE
        SET github_username = EXCLUDED.github_username,
            avatar_url = COALESCE(EXCLUDED.avatar_url, developers.avatar_url),
            updated_at = now()
      WHERE developers.github_username IS DISTINCT FROM EXCLUDED.github_username
         OR (EXCLUDED.avatar_url IS NOT NULL AND developers.avatar_url IS DISTINCT FROM EXCLUDED.avatar_url)`,
    [payload],
  );
  const rows = await sql<{ id: string; github_id: string }>(em, `SELECT id, github_id FROM developers WHERE github_id = ANY(?::bigint[])`, [
    pgArray(unique.map((u) => u.github_id)),
  ]);
  return new Map(rows.map((r) => [Number(r.github_id), r.id]));
}

/**
 * Developers known only from a noreply address (`<id>+<login>@users.noreply.github.com`): created
 * when the id is new, never renamed from it (the login in an old address may be stale).
 */
export async function ensureDevelopersById(em: Exec, users: { github_id: number; github_username: string }[]): Promise<Map<number, string>> {
  const unique = [...new Map(users.map((u) => [u.github_id, u])).values()];
  if (unique.length === 0) return new Map();
  const payload = JSON.stringify(unique);
  await sql(
    em,
    `INSERT INTO developers (github_id, github_username)
     SELECT u.github_id, u.github_username FROM jsonb_to_recordset(?::jsonb) AS u(github_id bigint, github_username text)
      WHERE NOT EXISTS (SELECT 1 FROM developers d WHERE d.github_id = u.github_id OR lower(d.github_username) = lower(u.github_username))
     ON CONFLICT DO NOTHING`,
    [payload],
  );
  const rows = await sql<{ id: string; github_id: string }>(em, `SELECT id, github_id FROM developers WHERE github_id = ANY(?::bigint[])`, [
    pgArray(unique.map((u) => u.github_id)),
  ]);
  return new Map(rows.map((r) => [Number(r.github_id), r.id]));
}

/** The developer of a login (matched whatever its case), or null. */
export async function developerIdByLogin(em: Exec, login: string): Promise<string | null> {
  const [row] = await sql<{ id: string }>(em, `SELECT id FROM developers WHERE lower(github_username) = lower(?)`, [login]);
  return row?.id ?? null;
}

/** A developer's GitHub profile (name, email when given, bio, location, company, account creation), written only when it changed. */
export async function updateDeveloperProfile(
  em: Exec,
  developerId: string,
  p: { name: string | null; email: string | null; bio: string | null; location: string | null; company: string | null; createdAt: string | null },
): Promise<void> {
  await sql(
    em,
    `UPDATE developers d
        SET name = u.name, email = COALESCE(u.email, d.email), bio = u.bio, location = u.location, company = u.company,
            github_created_at = u.created, updated_at = now()
       FROM (SELECT ?::varchar AS name, ?::varchar AS email, ?::text AS bio, ?::varchar AS location, ?::varchar AS company, ?::timestamptz AS created) u
      WHERE d.id = ? AND (d.name, d.email, d.bio, d.location, d.company, d.github_created_at)
            IS DISTINCT FROM (u.name, COALESCE(u.email, d.email), u.bio, u.location, u.company, u.created)`,
    [p.name, p.email, p.bio, p.location, p.company, p.createdAt, developerId],
  );
}
