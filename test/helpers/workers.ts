import { Queue, QueueEvents, type Job } from 'bullmq';
import type { AppConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/lib/logger.js';
import type { AnyJobDefinition } from '../../src/queues/job-definition.js';
import type { QueueName } from '../../src/queues/names.js';
import { startWorkerPool, type WorkerPool } from '../../src/workers/runtime.js';
import type { MikroORM } from '../../src/db/orm.js';

export interface Harness {
  pool: WorkerPool;
  events(queue: QueueName): Promise<QueueEvents>;
  /** A plain Queue on the harness's prefix, for reading job state. */
  reader(queue: QueueName): Queue;
  /** Wait for a job to finish; resolves with its final state as stored in Redis. */
  settle(job: Job): Promise<Job>;
  close(): Promise<void>;
}

export async function startHarness(config: AppConfig, orm: MikroORM, jobs: readonly AnyJobDefinition[]): Promise<Harness> {
  const pool = await startWorkerPool({ config, orm, log: createLogger(config.LOG_LEVEL), jobs });
  const events = new Map<string, QueueEvents>();
  const readers = new Map<string, Queue>();
  const reader = (queue: string) => {
    let q = readers.get(queue);
    if (!q) {
      q = new Queue(queue, { connection: { url: config.REDIS_URL }, prefix: config.QUEUE_PREFIX });
      readers.set(queue, q);
    }
    return q;
  };
  const getEvents = async (queue: string) => {
    let e = events.get(queue);
    if (!e) {
      e = new QueueEvents(queue, { connection: { url: config.REDIS_URL }, prefix: config.QUEUE_PREFIX });
      await e.waitUntilReady();
      events.set(queue, e);
    }
    return e;
  };
  return {
    pool,
    events: getEvents,
    reader,
    async settle(job) {
      const e = await getEvents(job.queueName);
      // Re-read through our own queue: the job's original Queue may already be closed.
      const live = await reader(job.queueName).getJob(job.id!);
      await live!.waitUntilFinished(e).catch(() => undefined);
      return (await reader(job.queueName).getJob(job.id!))!;
    },
    async close() {
      await pool.close();
      await Promise.all([...events.values(), ...readers.values()].map((e) => e.close()));
    },
  };
}
