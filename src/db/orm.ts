import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { ormOptions } from './orm-config.js';
import { describeDatabaseError } from './unreachable.js';

export type { MikroORM, EntityManager } from '@mikro-orm/postgresql';

/** Open the ORM; a PostgreSQL that cannot be reached or entered fails with one clear sentence. */
export async function openOrm(databaseUrl: string, overrides: Partial<Options> = {}): Promise<MikroORM> {
  try {
    return await MikroORM.init(ormOptions(databaseUrl, overrides));
  } catch (err) {
    throw describeDatabaseError(err, databaseUrl);
  }
}

/** Apply every pending migration; returns the names that ran. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const migrator = orm.getMigrator();
  const done = await migrator.up();
  return done.map((m) => m.name);
}
