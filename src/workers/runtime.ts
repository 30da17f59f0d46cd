import { DelayedError, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import { Redis as RedisClient, type Redis } from 'ioredis';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/index.js';
import { isConnectionError, workerConnection } from '../queues/connection.js';
import { PayloadError, PermanentError, RateLimitedError } from '../errors/index.js';
import type { AnyJobContract } from '../jobs/contract.js';
import type { JobContext } from '../jobs/context.js';
import type { AnyJobHandler } from '../jobs/handler.js';
import type { QueueName } from '../queues/names.js';
import { parsePayload } from '../queues/payload.js';
import { Producer } from '../queues/producer.js';
import { createScrubber, scrubError, scrubValue } from '../lib/scrub.js';

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

/** Start one BullMQ Worker per queue, dispatching by job name to its definition. */
export async function startWorkerPool(options: WorkerPoolOptions): Promise<WorkerPool> {
  const { config, orm, log, jobs } = options;
  const scrub = createScrubber(config);
  // Former names too: jobs an older version left in Redis are run by the renamed handler.
  const byName = new Map(jobs.flatMap((j) => [j.name, ...(j.formerNames ?? [])].map((n) => [n, j] as const)));
  // Aborted when the pool starts closing: long jobs stop at their next unit of work (see runJob).
  const stopping = new AbortController();
  const queues = options.queues ?? [...new Set(jobs.map((j) => j.queue))];
  const producer = new Producer({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, log });
  const connections: Redis[] = [];
  const shared = new RedisClient(config.REDIS_URL, { maxRetriesPerRequest: 3 });
  shared.on('error', () => {}); // surfaced through the commands that fail
  connections.push(shared);
  const workers: Worker[] = [];

  for (const queue of queues) {
    const connection = workerConnection(config.REDIS_URL, log);
    connections.push(connection);
    const worker = new Worker(queue, (job, token, signal) => runJob(job, token, signal), {
      connection,
      prefix: config.QUEUE_PREFIX,
      // LLM calls are slow and rate-limited upstream: the insights queue has its own, lower limit.
      concurrency: options.concurrency?.[queue] ?? (queue === 'insights' ? config.LLM_CONCURRENCY : config.WORKER_CONCURRENCY),
      autorun: false,
      lockDuration: config.WORKER_LOCK_MS,
      stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
      // A job whose worker died twice is failed rather than retried forever (poison protection).
      maxStalledCount: 2,
    });
    worker.on('failed', (job, err) => {
      if (!job) return;
      const willRetry = job.attemptsMade < (job.opts.attempts ?? 1) && !(err instanceof UnrecoverableError);
      log.warn({ queue, jobId: job.id, job: job.name, attemptsMade: job.attemptsMade, willRetry, err: err.message }, 'job failed');
    });
    worker.on('error', (err) => {
      if (isConnectionError(err)) log.debug({ queue, err: err.message }, 'worker connection error');
      else log.error({ queue, err }, 'worker error');
    });
    workers.push(worker);
  }

  const logsInfo = log.isLevelEnabled('info');
  async function runJob(job: Job, token?: string, cancelled?: AbortSignal): Promise<unknown> {
    // The job's child logger is made on first use: building one costs more than a no-op job.
    let childLog: Logger | undefined;
    const jobLog = (): Logger => (childLog ??= log.child({ queue: job.queueName, jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 }));
    const def = byName.get(job.name);
    if (!def || def.queue !== job.queueName) {
      throw new UnrecoverableError(`Unknown job "${job.name}" on queue "${job.queueName}"`);
    }
    let data: unknown;
    try {
      // Validated again here: Redis may hold payloads written by an older or foreign producer.
      data = parsePayload(def.name, def.schema, job.data);
    } catch (err) {
      throw new UnrecoverableError((err as PayloadError).message);
    }

    const followUps: { def: AnyJobContract; data: unknown; opts?: JobsOptions }[] = [];
    // The job's signal follows BullMQ's (a cancel) and the pool's (a shutdown). Joined by hand, with
    // the listeners removed when the job ends: AbortSignal.any on the pool-long signal would keep one
    // listener per job ever run (nodejs/node#54614).
    const joined = new AbortController();
    const signal = joined.signal;
    const follow = (source: AbortSignal | undefined) => {
      if (!source) return () => {};
      const onAbort = () => joined.abort(source.reason);
      if (source.aborted) onAbort();
      else source.addEventListener('abort', onAbort, { once: true });
      return () => source.removeEventListener('abort', onAbort);
    };
    const unfollow = [follow(cancelled), follow(stopping.signal)];
    let em: EntityManager | undefined;
    const ctx: JobContext = {
      // A fresh EntityManager per job, forked on first use: jobs that never touch the database
      // (no-ops, Slack fan-outs reading nothing) do not pay for an identity map.
      get em() {
        return (em ??= orm.em.fork());
      },
      config,
      redis: shared,
      get log() {
        return jobLog();
      },
      job,
      signal,
      isLastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
      producer,
      progress: (value) => job.updateProgress(value),
      enqueueAfter: (d, payload, opts) => {
        // Validate now so a bad follow-up fails this job rather than vanishing later.
        followUps.push({ def: d, data: parsePayload(d.name, d.schema, payload), opts });
      },
      enqueue: async (d, payload, opts) => {
        await producer.enqueue(d, payload, opts);
      },
      queue: (name) => producer.queue(name),
      scrub,
    };

    const started = performance.now();
    if (logsInfo) jobLog().info('job started');
    try {
      const result = await def.process(data, ctx);
      for (const f of followUps) await producer.enqueue(f.def, f.data, f.opts);
      if (logsInfo) jobLog().info({ durationMs: Math.round(performance.now() - started) }, 'job completed');
      // Return values are stored in Redis and shown on the board: no credential may ride along.
      return scrubValue(result, scrub);
    } catch (err) {
      const durationMs = Math.round(performance.now() - started);
      // Upstream servers echo what they were sent (an Authorization header, a URL with a password).
      scrubError(err, scrub);
      clipErrorMessage(err);
      if (err instanceof RateLimitedError) {
        // Park the job until the limit resets; DelayedError tells BullMQ this is not a failure,
        // so no attempt is spent and nothing spins in a hot loop.
        jobLog().warn({ durationMs, resetAt: err.resetAt.toISOString() }, `rate limited: ${err.message}`);
        await job.moveToDelayed(Math.max(err.resetAt.getTime(), Date.now() + 1_000), token);
        throw new DelayedError();
      }
      if (stopping.signal.aborted && !cancelled?.aborted && (err === stopping.signal.reason || (err as Error).name === 'AbortError')) {
        // Stopped by the shutdown between units of work (what it committed stays): back to the
        // queue without spending an attempt, for the next worker to resume.
        jobLog().info({ durationMs }, 'stopped by shutdown; requeued');
        await job.moveToDelayed(Date.now() + 1_000, token);
        throw new DelayedError();
      }
      if (err instanceof PermanentError || err instanceof PayloadError) {
        jobLog().error({ durationMs, err: err.message }, 'job failed permanently');
        throw new UnrecoverableError(err.message);
      }
      jobLog().error({ durationMs, err }, 'job attempt failed');
      throw err;
    } finally {
      for (const off of unfollow) off();
    }
  }

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

/** Longest error message kept: it is logged, stored by BullMQ as failedReason and shown in Bull Board. */
const MAX_ERROR_MESSAGE = 2_000;

/**
 * Some errors quote their whole input (a database error repeats its statement with the values
 * inlined: one 1 MB commit message made a 1 MB log line and failedReason). Keep the head, say
 * how much was cut, and rebuild the stack's first line to match.
 */
export function clipErrorMessage(err: unknown): void {
  if (!(err instanceof Error) || err.message.length <= MAX_ERROR_MESSAGE) return;
  const full = err.message;
  err.message = `${full.slice(0, MAX_ERROR_MESSAGE)}… [${full.length - MAX_ERROR_MESSAGE} more characters]`;
  const frames = (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
  err.stack = [`${err.name}: ${err.message}`, ...frames].join('\n');
}
