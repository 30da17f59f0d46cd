import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { loadConfig } from '../src/config/index.js';
import { migrate, openOrm } from '../src/db/orm.js';
import { describeDatabaseError } from '../src/db/unreachable.js';

/**
 * Build one migrated template database per run; every test file then clones it
 * (CREATE DATABASE … TEMPLATE), which takes milliseconds and isolates files completely.
 */
export default async function setup(project: TestProject) {
  const base = new URL(process.env.TEST_DATABASE_URL ?? loadConfig().DATABASE_URL);
  const runId = String(process.pid);
  const template = `aexy_test_${runId}_tpl`;
  const admin = new URL(base);
  admin.pathname = '/postgres';

  const client = new pg.Client({ connectionString: admin.toString() });
  // Name the server and the variable when PostgreSQL is not there (not a bare ECONNREFUSED).
  await client.connect().catch((err: unknown) => {
    throw describeDatabaseError(err, admin.toString());
  });
  // Sweep databases left behind by runs that were killed (their pid is gone); never touch a live run's.
  const stale = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'aexy\\_test\\_%'`);
  for (const { datname } of stale.rows) {
    const pid = Number(datname.split('_')[2]);
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) continue;
    await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
  await client.query(`CREATE DATABASE "${template}"`);

  const templateUrl = new URL(base);
  templateUrl.pathname = `/${template}`;
  const orm = await openOrm(templateUrl.toString());
  await migrate(orm);
  await orm.close(true);

  project.provide('adminDatabaseUrl', admin.toString());
  project.provide('templateDatabase', template);
  project.provide('testRunId', runId);

  return async () => {
    await client.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
    await client.end();
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
    testRunId: string;
  }
}
