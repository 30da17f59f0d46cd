import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { ensureDatabase } from '../../db/ensure-database.js';
import { migrate } from '../../db/orm.js';
import { seedCareerLadder } from '../../career/index.js';
import { withOrm } from '../context.js';

/** `aexy migrate`: create the database if needed, apply pending migrations, seed the standard career ladder. */
export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('create the database if needed and apply pending migrations')
    .action(async () => {
      const config = loadConfig();
      if (await ensureDatabase(config.DATABASE_URL)) console.log('created database');
      await withOrm(async (orm) => {
        const done = await migrate(orm);
        console.log(done.length ? `applied: ${done.join(', ')}` : 'database is up to date');
        // The standard career ladder, inserted or brought up to date (idempotent).
        const ladder = await seedCareerLadder(orm.em.fork());
        console.log(`career ladder: ${ladder.inserted} standard roles added, ${ladder.updated} up to date`);
      }, config);
    });
}
