/**
 * One worker process of the fairness bench (j): our worker runtime on the github-sync queue with a
 * stand-in for github.sync-repo (the real contract's payload and tenant, `fairBy` left out when
 * BENCH_FAIR=0) that records when it starts and then waits BENCH_FAIR_WORK_MS, as a sync waits on
 * GitHub. Prints "ready" once it takes jobs; SIGTERM closes it.
 */
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/index.js';
import { openOrm } from '../src/db/orm.js';
import { githubSyncRepo } from '../src/github/jobs/github-sync-repo.contract.js';
import { defineJob } from '../src/jobs/handler.js';
import { createLogger } from '../src/lib/logger.js';
import { startWorkerPool } from '../src/workers/runtime.js';

const config = loadConfig();
const workMs = Number(process.env.BENCH_FAIR_WORK_MS ?? 20);
const redis = new Redis(config.REDIS_URL);
const { fairBy, ...unfair } = githubSyncRepo;
const job = defineJob({ ...(process.env.BENCH_FAIR === '0' ? unfair : { ...unfair, fairBy }), handler: undefined }, async (d) => {
  await redis.rpush(`${config.QUEUE_PREFIX}:bench:started`, d.repository);
  await new Promise((r) => setTimeout(r, workMs));
  return null;
});
const orm = await openOrm(config.DATABASE_URL);
const pool = await startWorkerPool({ config, orm, log: createLogger('silent'), jobs: [job] });
console.log('ready');
process.on('SIGTERM', () => {
  void pool
    .close()
    .then(() => orm.close())
    .then(() => redis.quit())
    .then(() => process.exit(0));
});
