import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../db/sql.js';

/** github_app_installations: the App's installation per GitHub account. */

/** The installation stored for a GitHub account, or null. */
export async function storedInstallation(em: EntityManager, appId: string, login: string): Promise<number | null> {
  const [row] = await sql<{ installation_id: string }>(
    em,
    `SELECT installation_id FROM github_app_installations WHERE account_login = lower(?) AND app_id = ?`,
    [login, appId],
  );
  return row ? Number(row.installation_id) : null;
}

/** Any installation of the App (for requests about no account in particular: a user's public profile). */
export async function anyInstallation(em: EntityManager, appId: string): Promise<number | null> {
  const [row] = await sql<{ installation_id: string }>(
    em,
    `SELECT installation_id FROM github_app_installations WHERE app_id = ? ORDER BY discovered_at DESC LIMIT 1`,
    [appId],
  );
  return row ? Number(row.installation_id) : null;
}

export async function storeInstallation(em: EntityManager, appId: string, login: string, installationId: number): Promise<void> {
  await sql(
    em,
    `INSERT INTO github_app_installations (account_login, app_id, installation_id) VALUES (lower(?), ?, ?)
     ON CONFLICT (app_id, account_login) DO UPDATE SET installation_id = EXCLUDED.installation_id, discovered_at = now()`,
    [login, appId, installationId],
  );
}

/** Forget an installation GitHub no longer has (uninstalled, reinstalled under a new id): the next run finds it again. */
export async function forgetInstallation(em: EntityManager, installationId: number, appId?: string | number | null): Promise<void> {
  await sql(em, `DELETE FROM github_app_installations WHERE installation_id = ? AND (?::bigint IS NULL OR app_id = ?::bigint)`, [
    installationId,
    appId ?? null,
    appId ?? null,
  ]);
}
