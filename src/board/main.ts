/** `npm run board`: Bull Board, /healthz and /readyz in one HTTP process. */
import { ConfigError, describeConfig, loadConfig } from '../config/index.js';
import { ensureDatabase } from '../db/ensure-database.js';
import { openOrm } from '../db/orm.js';
import { localServicesForDevelopment } from '../dev/local-services.js';
import { createLogger } from '../lib/logger.js';
import { BOARD_PATH, buildBoardServer } from './server.js';

async function main(): Promise<void> {
  // Development: the embedded PostgreSQL and local redis-server a worker started (or new ones).
  const services = await localServicesForDevelopment();
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, { role: 'board' }, { format: config.LOG_FORMAT });
  for (const note of services?.notes ?? []) log.info(note);
  if (services?.embeddedPostgres) await ensureDatabase(config.DATABASE_URL);
  const orm = await openOrm(config.DATABASE_URL);
  const app = await buildBoardServer({ config, orm, log });
  const address = await app.listen({ host: config.BOARD_HOST, port: config.BOARD_PORT });
  log.info({ config: describeConfig(config), url: `${address}${BOARD_PATH}` }, 'board listening');
  const stop = async () => {
    await app.close();
    await orm.close();
    await services?.stop();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err instanceof Error ? err.message : err);
  process.exit(1);
});
