import type { JobsOptions } from 'bullmq';
import type { z } from 'zod';
import type { AppConfig } from '../config/index.js';
import type { QueueName } from '../queues/names.js';

/**
 * What a producer needs to know about a job, and nothing more: its name, queue, payload schema,
 * default options and deduplication key. A contract imports zod and the queue-name registry only,
 * so enqueueing a job (from the CLI, the board's webhooks, a scheduler, another job) never loads
 * its handler or anything behind it. The handler (`*.job.ts`) is bound to it by `defineJob` and
 * named by the contract's lazy `handler` import, which only the worker follows
 * (`src/workers/handlers.ts`). The contract also carries its schedules, so the catalogue
 * (`src/jobs/index.ts`) is the one list of jobs.
 */
export interface JobContract<N extends string = string, S extends z.ZodType = z.ZodType> {
  /** Unique across all queues, "area.action": e.g. "developer.refresh-activity". */
  name: N;
  queue: QueueName;
  schema: S;
  /** Defaults for attempts, backoff, retention; merged over DEFAULT_JOB_OPTIONS. */
  options?: JobsOptions;
  /**
   * A key from the payload under which BullMQ deduplicates: adding the same work while it is
   * waiting is a no-op, and while it is running exactly one re-run is kept (keepLastIfActive),
   * so bursts of triggers (webhooks, schedulers) collapse into at most one pending run.
   */
  deduplicationId?: (data: z.infer<S>) => string;
  /**
   * Names this job was enqueued under by earlier versions: jobs (and schedulers) of an older
   * deployment still waiting in Redis are run by this handler, not failed as unknown.
   */
  formerNames?: readonly string[];
  /**
   * Whose work this job is (a GitHub account, an organization): on a shared queue, jobs are ordered
   * by their place in their tenant's own backlog, so one tenant's thousands of jobs cannot hold up
   * another's first (src/queues/fairness.ts).
   */
  fairBy?: (data: z.infer<S>) => string;
  /**
   * The key that places the job on a shard of its queue when the deployment has several
   * (GITHUB_SYNC_SHARDS: a repository's syncs go to the shard whose hosts keep its git mirror).
   */
  shardBy?: (data: z.infer<S>) => string;
  /**
   * The handler's module, imported lazily by the worker (`() => import('./name.job.js')`): a
   * producer that imports the contract loads none of the code behind it. Every contract of the
   * catalogue has one (`defineContract` requires it); only jobs a test defines inline go without.
   */
  handler?: () => Promise<unknown>;
  /** When the system runs this job on its own: BullMQ job schedulers, upserted at worker start. */
  schedules?: readonly JobSchedule<z.input<S>>[];
}

/**
 * One periodic run of a job: `every` milliseconds (a number, or read from the configuration) or a
 * cron `pattern` (UTC), with the payload it is enqueued with. The id names the scheduler in Redis
 * (the job's name when it has one schedule).
 */
export interface JobSchedule<D = unknown> {
  id: string;
  every?: number | ((config: AppConfig) => number);
  pattern?: string;
  data?: D;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any payload schema
export type AnyJobContract = JobContract<string, any>;

/** The payload a producer passes (before defaults are applied). */
export type JobInput<C extends AnyJobContract> = z.input<C['schema']>;

const JOB_NAME = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/;

export function defineContract<const N extends string, S extends z.ZodType>(
  contract: JobContract<N, S> & { handler: () => Promise<unknown> },
): JobContract<N, S> & { handler: () => Promise<unknown> } {
  assertJobName(contract.name);
  return contract;
}

export function assertJobName(name: string): void {
  if (!JOB_NAME.test(name)) throw new Error(`Job name "${name}" must look like "area.action" (lowercase, dot-separated)`);
}

/** Retention and retry defaults for every job (BullMQ's "going to production" advice). */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  // Failed jobs stay inspectable for a week.
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
};

/** A contract's options over the defaults, then the caller's: merged here and nowhere else. */
export function jobOptions(contract: AnyJobContract, ...overrides: (JobsOptions | undefined)[]): JobsOptions {
  return Object.assign({}, DEFAULT_JOB_OPTIONS, contract.options, ...overrides.filter(Boolean));
}
