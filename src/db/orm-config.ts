import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { PostgresNamingStrategy } from './naming-strategy.js';
import { ALL_ENTITIES } from '../entities/index.js';
import { migrationsList } from '../../migrations/index.js';

/**
 * MikroORM options for a database URL. Migrations are listed explicitly (not globbed) so the
 * same code runs from TypeScript sources, from any working directory, and in tests.
 */
export function ormOptions(clientUrl: string, overrides: Partial<Options> = {}): Options {
  return defineConfig({
    clientUrl,
    entities: ALL_ENTITIES,
    extensions: [Migrator],
    namingStrategy: PostgresNamingStrategy,
    migrations: {
      tableName: 'mikro_orm_migrations',
      migrationsList,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    // Entities are defined with defineEntity, so no reflection is needed.
    discovery: { warnWhenNoEntities: true },
    pool: { min: 0, max: 10 },
    // No JIT compilation: a metric's statement over a scope of many people is estimated dear enough
    // for PostgreSQL to compile it, and compiling (about 200 ms) costs more than running it (bench (d)).
    driverOptions: { connection: { options: '-c jit=off' } },
    debug: false,
    ...overrides,
  });
}
