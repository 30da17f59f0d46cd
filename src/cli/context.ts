import { Queue, type Job } from 'bullmq';
import { JobWatcher } from '../queues/job-watcher.js';
import { progressPrinter } from './progress.js';
import { loadConfig, type AppConfig } from '../config/index.js';
import { openOrm, type MikroORM } from '../db/orm.js';
import { Producer } from '../queues/producer.js';
import { openRedis, redisAt } from '../queues/connection.js';

/** Follow a job to its end, showing its progress (a bar in a terminal); throws (exit 1, naming the job) if it failed. */
export async function waitAndReport(job: Job, config: AppConfig): Promise<void> {
  const watcher = new JobWatcher({ url: config.REDIS_URL, prefix: config.QUEUE_PREFIX, clusterNodes: config.REDIS_CLUSTER_NODES });
  const connection = openRedis(redisAt(config), { maxRetriesPerRequest: null });
  const queue = new Queue(job.queueName, { connection, prefix: config.QUEUE_PREFIX });
  const printer = progressPrinter(process.stdout);
  try {
    const result = await watcher.finish(
      job,
      undefined,
      (data) => printer.report(data),
      async () => (await queue.getJob(job.id!)) ?? undefined,
    );
    printer.end();
    console.log(`completed: ${JSON.stringify(result)}`);
  } finally {
    printer.end();
    await watcher.close();
    await queue.close();
    connection.disconnect();
  }
}

/** Run with a Producer on the configured Redis; it is always closed. */
export async function withProducer<T>(fn: (producer: Producer, config: AppConfig) => Promise<T>, config: AppConfig = loadConfig()): Promise<T> {
  // Five seconds to reach Redis, then a one-line error: a CLI must not hang on a down queue.
  const producer = Producer.fromConfig(config, { readyTimeoutMs: 5_000 });
  try {
    await producer.ready();
    return await fn(producer, config);
  } finally {
    await producer.close();
  }
}

/** Run with an ORM on the configured database; it is always closed. */
export async function withOrm<T>(fn: (orm: MikroORM, config: AppConfig) => Promise<T>, config: AppConfig = loadConfig()): Promise<T> {
  const orm = await openOrm(config.DATABASE_URL);
  try {
    return await fn(orm, config);
  } finally {
    await orm.close();
  }
}

/** A `--limit <n>` option's value: a whole number from 1 to 1000, else a clear error. */
export function listLimit(text: string): number {
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new Error('--limit: must be a whole number from 1 to 1000');
  return limit;
}
