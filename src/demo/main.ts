/**
 * `npm run demo`: migrate, seed a demo organisation, run every worker once and print what it made.
 * Safe to re-run: the seed is idempotent and jobs are deduplicated.
 */
import { QueueEvents, type Job } from 'bullmq';
import { ConfigError, loadConfig } from '../config/index.js';
import { ensureDatabase } from '../db/ensure-database.js';
import { migrate, openOrm } from '../db/orm.js';
import { createLogger } from '../lib/logger.js';
import { developerRefreshActivity, JOBS, systemNoop } from '../workers/jobs/index.js';
import { startWorkerPool } from '../workers/runtime.js';
import { seedDemoOrg } from './seed.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn', { role: 'demo' });
  const created = await ensureDatabase(config.DATABASE_URL);
  const orm = await openOrm(config.DATABASE_URL);
  const applied = await migrate(orm);
  console.log(`1. ${created ? 'created the database; ' : ''}migrations: ${applied.length ? `applied ${applied.join(', ')}` : 'database already up to date'}`);

  const seeded = await seedDemoOrg(orm.em.fork());
  console.log(
    `2. seeded demo org: ${seeded.developers} developers, ${seeded.teams} teams, ${seeded.commits} commits, ` +
      `${seeded.pullRequests} pull requests, ${seeded.reviews} reviews`,
  );

  const pool = await startWorkerPool({ config, orm, log, jobs: JOBS });
  const queues = [...new Set(JOBS.map((j) => j.queue))];
  const events = new Map(
    queues.map((q) => [q, new QueueEvents(q, { connection: { url: config.REDIS_URL }, prefix: config.QUEUE_PREFIX })]),
  );
  await Promise.all([...events.values()].map((e) => e.waitUntilReady()));
  try {
    const developers: { id: string }[] = await orm.em.getConnection().execute(`SELECT id FROM developers ORDER BY github_username`);
    const jobs: Job[] = [await pool.producer.enqueue(systemNoop, { note: 'demo' })];
    for (const d of developers) jobs.push(await pool.producer.enqueue(developerRefreshActivity, { developerId: d.id }));
    const results = await Promise.allSettled(jobs.map((j) => j.waitUntilFinished(events.get(j.queueName as (typeof queues)[number])!)));
    const failed = results.filter((r) => r.status === 'rejected');
    console.log(`3. ran ${jobs.length} jobs on queues ${queues.join(', ')}: ${jobs.length - failed.length} completed, ${failed.length} failed`);

    const rows = await orm.em.getConnection().execute(
      `SELECT d.github_username AS developer, t.name AS team,
              (SELECT count(*) FROM commits c WHERE c.developer_id = d.id)::int AS commits,
              (SELECT count(*) FROM pull_requests p WHERE p.developer_id = d.id)::int AS prs,
              (SELECT count(*) FROM code_reviews r WHERE r.reviewer_id = d.id)::int AS reviews,
              to_char(d.last_activity_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS last_activity_utc
         FROM developers d LEFT JOIN teams t ON d.id = ANY(t.developer_ids)
        ORDER BY t.name, d.github_username`,
    );
    console.log('4. developer activity written by the workers:');
    console.table(rows);
    if (failed.length) process.exitCode = 1;
  } finally {
    await pool.close();
    await Promise.all([...events.values()].map((e) => e.close()));
    await orm.close();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
