import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOrm, migrate, type MikroORM } from '../src/db/orm.js';
import { migrationsList } from '../migrations/index.js';
import { catalogSnapshot, contractSql, CONTRACT_TABLES, type CatalogSnapshot } from './helpers/catalog.js';
import { createEmptyDatabase, createTestDatabase } from './helpers/db.js';
import { useTestWorld } from './hooks.js';

/**
 * The schema contract: the database our migrations build must be indistinguishable (columns,
 * types, defaults, nullability, constraints, every index) from one built by the seed's own DDL.
 */
describe('schema contract', () => {
  const migrated = useTestWorld();
  let reference: { url: string; drop(): Promise<void> };
  let fromContract: CatalogSnapshot;

  beforeAll(async () => {
    reference = await createEmptyDatabase();
    const client = new pg.Client({ connectionString: reference.url });
    await client.connect();
    await client.query(contractSql());
    await client.end();
    fromContract = await catalogSnapshot(reference.url);
  });

  afterAll(async () => {
    await reference?.drop();
  });

  it('the contract defines all 14 tables and their indexes', () => {
    const tables = new Set(fromContract.columns.map((c) => c.split('.')[0]));
    expect([...tables].sort()).toEqual([...CONTRACT_TABLES].sort());
    // Every CREATE INDEX of the contract (18 in the table sections, 6 "Recommended") exists.
    const declared = [...contractSql().matchAll(/CREATE INDEX (\w+)/g)].map((m) => m[1]);
    expect(declared).toHaveLength(24);
    expect(fromContract.indexes.filter((i) => i.startsWith('idx_')).map((i) => i.split(':')[0])).toEqual([...declared].sort());
    expect(fromContract.indexes.join('\n')).toContain('USING gin (to_tsvector');
    expect(fromContract.indexes.join('\n')).toContain("WHERE ((status)::text = 'active'::text)");
  });

  it('the migrated database matches the contract exactly', async () => {
    const ours = await catalogSnapshot(migrated.db.url);
    expect(ours.columns).toEqual(fromContract.columns);
    expect(ours.constraints).toEqual(fromContract.constraints);
    expect(ours.indexes).toEqual(fromContract.indexes);
  });

  it('the comparison notices drift (a missing index, a changed default)', async () => {
    const drifted = await createTestDatabase();
    try {
      await drifted.sql.query(`DROP INDEX idx_commits_developer_date`);
      await drifted.sql.query(`ALTER TABLE export_jobs ALTER COLUMN status SET DEFAULT 'queued'`);
      const snap = await catalogSnapshot(drifted.url);
      expect(snap.indexes).not.toEqual(fromContract.indexes);
      expect(snap.columns).not.toEqual(fromContract.columns);
    } finally {
      await drifted.drop();
    }
  });

  it('the MikroORM entities describe the migrated schema with no pending changes', async () => {
    const diff = await migrated.db.orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
    expect(diff.trim()).toBe('');
  });

  it('migrates down to nothing and back up to the same schema', async () => {
    const db = await createTestDatabase();
    let orm: MikroORM | undefined;
    try {
      orm = await openOrm(db.url);
      await orm.getMigrator().down({ to: 0 });
      const { rows } = await db.sql.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'mikro_orm_migrations'`,
      );
      expect(rows).toEqual([]);
      expect(await migrate(orm)).toEqual(migrationsList.map((m) => m.name));
      expect(await catalogSnapshot(db.url)).toEqual(fromContract);
    } finally {
      await orm?.close(true);
      await db.drop();
    }
  });

  const seed = new URL('../../shared/seed/database-schema.md', import.meta.url);
  it.skipIf(!existsSync(seed))('docs/database-schema.md is an unmodified copy of the shared seed', () => {
    expect(readFileSync(new URL('../docs/database-schema.md', import.meta.url), 'utf8')).toBe(readFileSync(seed, 'utf8'));
  });
});
