import { Queue, QueueEvents, type Job } from 'bullmq';
import type { AppConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/lib/logger.js';
import type { AnyJobHandler } from '../../src/jobs/handler.js';
import { QUEUE_NAMES, type QueueName } from '../../src/queues/names.js';
import { startWorkerPool, type WorkerPool } from '../../src/workers/runtime.js';
import type { MikroORM } from '../../src/db/orm.js';

export interface Harness {
  pool: WorkerPool;
  events(queue: QueueName): Promise<QueueEvents>;
  /** A plain Queue on the harness's prefix, for reading job state. */
  reader(queue: QueueName): Queue;
  /** Wait for a job to finish; resolves with its final state as stored in Redis. */
  settle(job: Job): Promise<Job>;
  /**
   * Wait until the queues have no job left to run, follow-ups of follow-ups included (not the
   * schedulers' next runs, `repeat:…`, which wait for their period).
   */
  idle(queues: QueueName[]): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(config: AppConfig, orm: MikroORM, jobs: readonly AnyJobHandler[]): Promise<Harness> {
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
  // Listening on every queue from the start: a QueueEvents made at the moment of waiting reads the
  // stream from "now" and can miss a job that finishes while it connects.
  for (const name of QUEUE_NAMES) await getEvents(name);
  const settle = async (job: Job): Promise<Job> => {
    const e = await getEvents(job.queueName);
    // Re-read through our own queue: the job's original Queue may already be closed.
    const live = await reader(job.queueName).getJob(job.id!);
    await live!.waitUntilFinished(e).catch(() => undefined);
    return (await reader(job.queueName).getJob(job.id!))!;
  };
  return {
    pool,
    events: getEvents,
    reader,
    settle,
    async idle(queues) {
      for (;;) {
        const pending = (await Promise.all(queues.map((q) => reader(q).getJobs(['waiting', 'active', 'delayed', 'prioritized']))))
          .flat()
          .filter((j) => !j.id?.startsWith('repeat:'));
        if (pending.length === 0) return;
        await Promise.all(pending.map(settle));
      }
    },
    async close() {
      await pool.close();
      await Promise.all([...events.values(), ...readers.values()].map((e) => e.close()));
    },
  };
}
