import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openOrm, type MikroORM } from '../../src/db/orm.js';

export interface TestDatabase {
  name: string;
  url: string;
  /** Raw SQL, for asserting what is really in Postgres. */
  sql: pg.Pool;
  orm: MikroORM;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export function databaseUrl(name: string): string {
  const url = new URL(inject('adminDatabaseUrl'));
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** An empty database (no migrations), for tests that build their own schema. */
export async function createEmptyDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `aexy_test_${inject('testRunId')}_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  return { name, url: databaseUrl(name), drop: () => dropDatabase(name) };
}

/** A fresh, fully migrated database cloned from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `aexy_test_${inject('testRunId')}_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${inject('templateDatabase')}"`));
  const url = databaseUrl(name);
  const sql = new pg.Pool({ connectionString: url, max: 4 });
  // pg.Pool#end() resolves before its idle clients have finished closing; DROP DATABASE … WITH
  // (FORCE) may then terminate one (FATAL 57P01), which the pool re-emits as 'error'. Without a
  // listener that would be an uncaught exception in whichever test file happens to be running.
  sql.on('error', () => {});
  const orm = await openOrm(url);
  return {
    name,
    url,
    sql,
    orm,
    async drop() {
      await orm.close(true);
      await sql.end();
      await dropDatabase(name);
    },
  };
}
