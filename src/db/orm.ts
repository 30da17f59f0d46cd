import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { ormOptions } from './orm-config.js';

export type { MikroORM, EntityManager } from '@mikro-orm/postgresql';

export async function openOrm(databaseUrl: string, overrides: Partial<Options> = {}): Promise<MikroORM> {
  return MikroORM.init(ormOptions(databaseUrl, overrides));
}

/** Apply every pending migration; returns the names that ran. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const migrator = orm.getMigrator();
  const done = await migrator.up();
  return done.map((m) => m.name);
}
