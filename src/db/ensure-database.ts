import pg from 'pg';
import { describeDatabaseError } from './unreachable.js';
import { sql } from './sql.js';

/**
 * Create the database named in `url` if it does not exist yet, so `migrate` and the demo work on
 * a fresh PostgreSQL. Connects to the maintenance database `postgres` of the same server.
 * Returns true when it created the database.
 */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL has no database name');
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 10_000 });
  await client.connect().catch((err: unknown) => {
    throw describeDatabaseError(err, url);
  });
  try {
    const rowCount = (await sql(client, 'SELECT 1 FROM pg_database WHERE datname = ?', [name])).length;
    if (rowCount) return false;
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return true;
  } catch (err) {
    // Lost a race with another process creating it: that is fine.
    if ((err as { code?: string }).code === '42P04') return false;
    throw err;
  } finally {
    await client.end();
  }
}
