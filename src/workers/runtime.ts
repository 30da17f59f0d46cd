import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/index.js';
import type { AnyJobHandler } from '../jobs/handler.js';
import { secretValues } from '../config/secret-values.js';
import { createScrubber } from '../lib/scrub.js';
import { isConnectionError, openRedis, redisAt, workerConnection } from '../queues/connection.js';
import { ownedShardQueues, type QueueName } from '../queues/names.js';
import { Producer } from '../queues/producer.js';
import { createJobRunner } from './run-job.js';

export interface WorkerPoolOptions {
  config: AppConfig;
  orm: MikroORM;
  log: Logger;
  jobs: readonly AnyJobHandler[];
  /** Queues to consume; default: every queue that has at least one job. */
  queues?: readonly QueueName[];
  /** Per-queue concurrency overrides; default config.WORKER_CONCURRENCY. */
  concurrency?: Partial<Record<QueueName, number>>;
}

export interface WorkerPool {
  workers: Worker[];
  producer: Producer;
  /** False while any of the pool's Redis connections is down (reconnecting). */
  redisReady(): boolean;
  /** Stop taking jobs and wait for in-flight ones. */
  close(): Promise<void>;
}

/** Start one BullMQ Worker per queue, dispatching by job name to its handler (src/workers/run-job.ts). */
export async function startWorkerPool(options: WorkerPoolOptions): Promise<WorkerPool> {
  const { config, log, jobs } = options;
  // Aborted when the pool starts closing: long jobs stop at their next unit of work.
  const stopping = new AbortController();
  const named = options.queues ?? [...new Set(jobs.map((j) => j.queue))];
  // With github-sync: the shards of it this worker owns (their repositories' mirrors are kept here).
  const queues: string[] = [...named, ...(named.includes('github-sync') ? ownedShardQueues(config) : [])];
  const producer = Producer.fromConfig(config, { log });
  const shared = openRedis(redisAt(config), { maxRetriesPerRequest: 3 });
  shared.on('error', () => {}); // surfaced through the commands that fail
  const connections: Redis[] = [shared];
  const runJob = createJobRunner({
    config,
    orm: options.orm,
    log,
    producer,
    redis: shared,
    scrub: createScrubber(secretValues(config)),
    handlers: jobs,
    stopping: stopping.signal,
  });

  const workers = queues.map((queue) => {
    const connection = workerConnection(redisAt(config), log);
    connections.push(connection);
    // LLM calls are slow and rate-limited upstream: the insights queue has its own, lower limit.
    const concurrency = options.concurrency?.[queue as QueueName] ?? (queue === 'insights' ? config.LLM_CONCURRENCY : config.WORKER_CONCURRENCY);
    return queueWorker(queue, runJob, { config, log, connection, concurrency });
  });
  for (const w of workers) {
    void w.run().catch((err) => log.error({ err, queue: w.name }, 'worker stopped with an error'));
    await w.waitUntilReady();
  }
  log.info({ queues, concurrency: config.WORKER_CONCURRENCY }, 'workers started');

  let closing: Promise<void> | undefined;
  return {
    workers,
    producer,
    redisReady: () => connections.every((c) => c.status === 'ready'),
    close() {
      closing ??= (async () => {
        stopping.abort(new Error('the worker is shutting down'));
        await Promise.all(workers.map((w) => w.close()));
        await producer.close();
        await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
        log.info('workers stopped');
      })();
      return closing;
    },
  };
}

/** One BullMQ Worker (not yet running), its failures logged once each. */
function queueWorker(
  queue: string,
  runJob: ReturnType<typeof createJobRunner>,
  o: { config: AppConfig; log: Logger; connection: Redis; concurrency: number },
): Worker {
  // Two arguments, deliberately: a processor that takes BullMQ 6.7's third argument (its per-job
  // abort signal) made a job parked with moveToDelayed (a rate limit) now and then never run again
  // (1 run in 6 of the primary-rate-limit test) and cost no-op throughput. A job's signal is the
  // pool's shutdown signal instead (run-job.ts).
  const worker = new Worker(queue, (job, token) => runJob(job, token), {
    connection: o.connection,
    prefix: o.config.QUEUE_PREFIX,
    concurrency: o.concurrency,
    autorun: false,
    lockDuration: o.config.WORKER_LOCK_MS,
    stalledInterval: o.config.WORKER_STALLED_INTERVAL_MS,
    // A job whose worker died twice is failed rather than retried forever (poison protection).
    maxStalledCount: 2,
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    const willRetry = job.attemptsMade < (job.opts.attempts ?? 1) && !(err instanceof UnrecoverableError);
    o.log.warn({ queue, jobId: job.id, job: job.name, attemptsMade: job.attemptsMade, willRetry, err: err.message }, 'job failed');
  });
  worker.on('error', (err) => {
    if (isConnectionError(err)) o.log.debug({ queue, err: err.message }, 'worker connection error');
    else o.log.error({ queue, err }, 'worker error');
  });
  return worker;
}
