import type { Job, JobsOptions, Queue } from 'bullmq';
import type { z } from 'zod';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/index.js';
import type { QueueName } from './names.js';

/** What a processor gets for one run of one job. */
export interface JobContext {
  /** A fresh EntityManager fork: nothing leaks between jobs. */
  em: EntityManager;
  orm: MikroORM;
  config: AppConfig;
  /** A shared, non-blocking Redis connection (budgets, locks); not for BullMQ. */
  redis: Redis;
  log: Logger;
  job: Job;
  /** Report progress (0-100 or an object), visible in Bull Board and `aexy status`. */
  progress(value: number | object): Promise<void>;
  /**
   * Enqueue a follow-up job once this one has succeeded, i.e. after its transaction committed:
   * a consumer must never see an id whose row is not there yet.
   */
  enqueueAfter<D extends AnyJobDefinition>(def: D, data: z.input<D['schema']>, opts?: JobsOptions): void;
  /**
   * Enqueue now, for follow-ups of work this job has already committed (a sync that pauses or
   * fails half-way still queues what its committed chunks call for).
   */
  enqueue<D extends AnyJobDefinition>(def: D, data: z.input<D['schema']>, opts?: JobsOptions): Promise<void>;
  /** A queue of this deployment, to read job states (e.g. which exports have a live job). */
  queue(name: QueueName): Queue;
  /** Text with every configured secret (and token-shaped string) replaced: for error text a job stores. */
  scrub(text: string): string;
}

export interface JobDefinition<S extends z.ZodType = z.ZodType, R = unknown> {
  /** Unique across all queues, e.g. "developer.refresh-activity". */
  name: string;
  queue: QueueName;
  schema: S;
  /** Defaults for attempts, backoff, retention; merged over the queue-wide defaults. */
  options?: JobsOptions;
  /**
   * A key from the payload under which BullMQ deduplicates: adding the same work while it is
   * waiting is a no-op, and while it is running exactly one re-run is kept (keepLastIfActive),
   * so bursts of triggers (webhooks, schedulers) collapse into at most one pending run.
   */
  deduplicationId?: (data: z.infer<S>) => string;
  process(data: z.infer<S>, ctx: JobContext): Promise<R>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyJobDefinition = JobDefinition<any, any>;

export function defineJob<S extends z.ZodType, R>(def: JobDefinition<S, R>): JobDefinition<S, R> {
  if (!/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/.test(def.name)) {
    throw new Error(`Job name "${def.name}" must look like "area.action" (lowercase, dot-separated)`);
  }
  return def;
}

/** Retention and retry defaults for every job (BullMQ's "going to production" advice). */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  // Failed jobs stay inspectable for a week.
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
};
