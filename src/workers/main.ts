/**
 * Worker process entry: `npm run worker [-- --queues a,b]`.
 * SIGTERM/SIGINT: stop taking jobs and let in-flight ones finish (up to SHUTDOWN_TIMEOUT_MS);
 * a second signal forces the exit, leaving unfinished jobs to be recovered as stalled.
 */
import { parseArgs } from 'node:util';
import { ConfigError, describeConfig, loadConfig } from '../config/index.js';
import { ensureDatabase } from '../db/ensure-database.js';
import { migrate, openOrm } from '../db/orm.js';
import { localServicesForDevelopment } from '../dev/local-services.js';
import { createLogger } from '../lib/logger.js';
import { parseQueueList } from '../queues/names.js';
import { JOBS } from './handlers.js';
import { startWorkerPool } from './runtime.js';
import { ensureSchedulers } from '../jobs/schedulers.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { queues: { type: 'string' } } });
  // Development: an embedded PostgreSQL and a local redis-server when none is configured or answering.
  const services = await localServicesForDevelopment();
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, { role: 'worker' }, { format: config.LOG_FORMAT });
  const queues = parseQueueList(values.queues);
  for (const note of services?.notes ?? []) log.info(note);
  log.info({ config: describeConfig(config) }, 'starting');
  if (services?.embeddedPostgres) await ensureDatabase(config.DATABASE_URL);
  const orm = await openOrm(config.DATABASE_URL);
  if (services?.embeddedPostgres) await migrate(orm);
  const pool = await startWorkerPool({ config, orm, log, jobs: JOBS.filter((j) => queues.includes(j.queue)), queues });

  let signals = 0;
  const shutdown = (signal: string) => {
    signals += 1;
    if (signals > 1) {
      // BullMQ's close() is idempotent, so a forced close would just await the graceful one;
      // exit outright instead. Unfinished jobs keep their lock until it expires, then the
      // stalled-job check hands them to another worker.
      log.warn({ signal }, 'second signal: forcing exit');
      process.exit(1);
    }
    log.info({ signal }, 'shutting down gracefully (send again to force)');
    const timer = setTimeout(() => {
      log.error({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'graceful shutdown timed out: forcing exit');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    // With Redis away, in-flight jobs can finish their work but never record it (BullMQ holds the
    // completion until Redis answers), so waiting out SHUTDOWN_TIMEOUT_MS gains nothing. Once Redis
    // has been unreachable for 2 s of the shutdown, exit: those jobs keep their lock until it
    // expires and are then recovered as stalled by another worker (they are idempotent).
    let downSince: number | undefined;
    const watchdog = setInterval(() => {
      if (pool.redisReady()) return void (downSince = undefined);
      downSince ??= Date.now();
      if (Date.now() - downSince < 2_000) return;
      log.warn('Redis is unreachable: exiting without waiting for in-flight jobs (they will be recovered as stalled)');
      process.exit(1);
    }, 250);
    watchdog.unref();
    void pool
      .close()
      .then(() => orm.close())
      .then(() => services?.stop())
      .then(() => process.exit(0))
      .catch((err) => {
        log.error({ err }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  // Idempotent: every worker process may (re)declare the schedulers; there is still one of each.
  const schedulers = await ensureSchedulers(pool.producer, config);
  log.info({ schedulers: schedulers.map((s) => s.id) }, 'worker ready');
}

main().catch((err) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
