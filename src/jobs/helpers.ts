import type { JobsOptions } from 'bullmq';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/index.js';
import type { AnyJobContract, JobInput } from './contract.js';

/**
 * What a service may be handed (graphile-worker's JobHelpers are the model). A service names the few
 * it uses — `Needs<'em' | 'log'>` — so a test, the CLI or the demo calls it with a plain object, and
 * only a job's handler hands it the job runtime (`JobContext`, which has all of these). Nothing here
 * knows about BullMQ jobs.
 */
export interface ServiceHelpers {
  /** An EntityManager of the caller's own (a job's is a fresh fork). */
  em: EntityManager;
  config: AppConfig;
  /** A shared, non-blocking Redis connection (budgets, locks); not for BullMQ. */
  redis: Redis;
  /** The caller's logger. */
  log: Logger;
  /**
   * Aborted when the work must stop (a worker shutting down): long services check it between units
   * of work and stop early; what they committed stays. A listener a service adds must be removed
   * when it returns.
   */
  signal: AbortSignal;
  /** Which attempt this is (1 for the first) and whether a failure now is final (mark rows failed, not pending). */
  attempt: number;
  isLastAttempt: boolean;
  /** Report progress (0-100 or an object), visible in Bull Board and `aexy status`. */
  progress(value: number | object): Promise<void>;
  /**
   * Record a step of the work for the people watching it (a job's log, timestamped and scrubbed, and
   * the process log). A step that cannot be recorded does not fail the work.
   */
  step(message: string, fields?: Record<string, unknown>): Promise<void>;
  /**
   * Enqueue a follow-up job once the caller has succeeded, i.e. after its transaction committed:
   * a consumer must never see an id whose row is not there yet.
   */
  enqueueAfter<C extends AnyJobContract>(contract: C, data: JobInput<C>, opts?: JobsOptions): void;
  /**
   * Enqueue now, for follow-ups of work already committed (a sync that pauses or fails half-way
   * still queues what its committed chunks call for).
   */
  enqueue<C extends AnyJobContract>(contract: C, data: JobInput<C>, opts?: JobsOptions): Promise<void>;
  /** Text with every configured secret (and token-shaped string) replaced: for error text a service stores. */
  scrub(text: string): string;
}

/** The helpers a service uses, by name: `Needs<'em' | 'config'>`. */
export type Needs<K extends keyof ServiceHelpers> = Pick<ServiceHelpers, K>;
