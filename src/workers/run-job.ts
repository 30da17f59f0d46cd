import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { DelayedError, UnrecoverableError, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/index.js';
import { DeferredError, PayloadError, PermanentError, RateLimitedError } from '../errors/index.js';
import type { AnyJobContract } from '../jobs/contract.js';
import type { JobContext } from '../jobs/context.js';
import type { AnyJobHandler } from '../jobs/handler.js';
import { scrubError, scrubValue } from '../lib/scrub.js';
import { parsePayload } from '../queues/payload.js';
import type { Producer } from '../queues/producer.js';
import { fairKey, fairMember, markStarted } from '../queues/fairness.js';
import { baseQueue } from '../queues/names.js';

export interface RunnerDeps {
  config: AppConfig;
  orm: MikroORM;
  log: Logger;
  producer: Producer;
  /** The pool's shared, non-blocking Redis connection. */
  redis: Redis;
  scrub: (text: string) => string;
  handlers: readonly AnyJobHandler[];
  /** Aborted when the pool starts closing. */
  stopping: AbortSignal;
}

type FollowUp = { def: AnyJobContract; data: unknown; opts?: JobsOptions };

/**
 * The BullMQ processor of a pool: `(job, token)` → find the handler by name (former names
 * included), validate the payload, run the handler with a fresh JobContext, queue its follow-ups,
 * and turn what it threw into BullMQ's outcome (see `settleFailure`).
 */
export function createJobRunner(deps: RunnerDeps): (job: Job, token?: string) => Promise<unknown> {
  const { log, producer, scrub } = deps;
  // Former names too: jobs an older version left in Redis are run by the renamed handler.
  const byName = new Map(deps.handlers.flatMap((j) => [j.name, ...(j.formerNames ?? [])].map((n) => [n, j] as const)));
  const logsInfo = log.isLevelEnabled('info');

  return async function runJob(job, token) {
    // The job's child logger is made on first use: building one costs more than a no-op job.
    let childLog: Logger | undefined;
    const jobLog = (): Logger => (childLog ??= log.child({ queue: job.queueName, jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 }));
    const { handler, data } = resolve(byName, job);
    // A tenant's job gives up its place in the tenant's backlog as it starts (src/queues/fairness.ts).
    if (handler.fairBy) await markStarted(deps.redis, fairKey(deps.config.QUEUE_PREFIX, job.queueName, handler.fairBy(data)), fairMember(job));
    const followUps: FollowUp[] = [];
    const ctx = jobContext(deps, job, jobLog, followUps);

    const started = performance.now();
    if (logsInfo) jobLog().info('job started');
    try {
      const result = await handler.process(data, ctx);
      for (const f of followUps) await producer.enqueue(f.def, f.data, f.opts);
      if (logsInfo) jobLog().info({ durationMs: Math.round(performance.now() - started) }, 'job completed');
      // Return values are stored in Redis and shown on the board: no credential may ride along.
      return scrubValue(result, scrub);
    } catch (err) {
      throw await settleFailure(err, { job, token, jobLog, scrub, durationMs: Math.round(performance.now() - started), stopping: deps.stopping });
    }
  };
}

/** The handler of a job and its payload, validated again: Redis may hold data of an older or foreign producer. */
function resolve(byName: Map<string, AnyJobHandler>, job: Job): { handler: AnyJobHandler; data: unknown } {
  const handler = byName.get(job.name);
  if (!handler || handler.queue !== baseQueue(job.queueName)) throw new UnrecoverableError(`Unknown job "${job.name}" on queue "${job.queueName}"`);
  try {
    return { handler, data: parsePayload(handler.name, handler.schema, job.data) };
  } catch (err) {
    throw new UnrecoverableError((err as PayloadError).message);
  }
}

function jobContext(deps: RunnerDeps, job: Job, jobLog: () => Logger, followUps: FollowUp[]): JobContext {
  const { producer } = deps;
  let em: EntityManager | undefined;
  return {
    // A fresh EntityManager per job, forked on first use: jobs that never touch the database
    // (no-ops, Slack fan-outs reading nothing) do not pay for an identity map.
    get em() {
      return (em ??= deps.orm.em.fork());
    },
    config: deps.config,
    redis: deps.redis,
    get log() {
      return jobLog();
    },
    job,
    // The pool's own signal, shared by its jobs: read it (`aborted`, `throwIfAborted()`), or remove
    // any listener added to it when the job ends.
    signal: deps.stopping,
    attempt: job.attemptsMade + 1,
    isLastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
    producer,
    progress: (value) => job.updateProgress(value),
    step: async (message, fields) => {
      jobLog().info(fields ?? {}, message);
      const line = `${new Date().toISOString()} ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`;
      await job.log(deps.scrub(line).slice(0, 2000)).catch(() => undefined);
    },
    enqueueAfter: (d, payload, opts) => {
      // Validate now so a bad follow-up fails this job rather than vanishing later.
      followUps.push({ def: d, data: parsePayload(d.name, d.schema, payload), opts });
    },
    enqueue: async (d, payload, opts) => {
      await producer.enqueue(d, payload, opts);
    },
    queue: (name) => producer.queue(name),
    scrub: deps.scrub,
  };
}

/**
 * What a handler threw, as the error BullMQ should see: scrubbed of secrets and clipped first; a
 * rate limit, a deferral (quiet hours) or a shutdown parks the job (moveToDelayed + DelayedError: no attempt spent, no hot
 * loop); a permanent error or a bad payload fails it now (UnrecoverableError); anything else is
 * retried with the job's backoff.
 */
async function settleFailure(
  err: unknown,
  o: { job: Job; token?: string; jobLog: () => Logger; scrub: (t: string) => string; durationMs: number; stopping: AbortSignal },
): Promise<unknown> {
  const { job, token, durationMs } = o;
  // Upstream servers echo what they were sent (an Authorization header, a URL with a password).
  scrubError(err, o.scrub);
  clipErrorMessage(err);
  if (err instanceof RateLimitedError) {
    o.jobLog().warn({ durationMs, resetAt: err.resetAt.toISOString() }, `rate limited: ${err.message}`);
    await job.moveToDelayed(Math.max(err.resetAt.getTime(), Date.now() + 1_000), token);
    return new DelayedError();
  }
  if (err instanceof DeferredError) {
    o.jobLog().info({ durationMs, until: err.until.toISOString() }, `deferred: ${err.message}`);
    await job.moveToDelayed(Math.max(err.until.getTime(), Date.now() + 1_000), token);
    return new DelayedError();
  }
  if (o.stopping.aborted && (err === o.stopping.reason || (err as Error).name === 'AbortError')) {
    // Stopped by the shutdown between units of work (what it committed stays): back to the queue
    // without spending an attempt, for the next worker to resume.
    o.jobLog().info({ durationMs }, 'stopped by shutdown; requeued');
    await job.moveToDelayed(Date.now() + 1_000, token);
    return new DelayedError();
  }
  if (err instanceof PermanentError || err instanceof PayloadError) {
    o.jobLog().error({ durationMs, err: err.message }, 'job failed permanently');
    return new UnrecoverableError(err.message);
  }
  o.jobLog().error({ durationMs, err }, 'job attempt failed');
  return err;
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
