import type { Job, JobsOptions, Queue } from 'bullmq';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/index.js';
import type { QueueName } from '../queues/names.js';
import type { Producer } from '../queues/producer.js';
import type { AnyJobContract, JobInput } from './contract.js';

/**
 * The helpers a handler gets for one run of one job (graphile-worker's JobHelpers are the model).
 * Everything a job needs from the runtime comes through here, so a job never opens a connection of
 * its own.
 */
export interface JobContext {
  /** A fresh EntityManager fork, made on first use: nothing leaks between jobs. */
  em: EntityManager;
  config: AppConfig;
  /** A shared, non-blocking Redis connection (budgets, locks); not for BullMQ. */
  redis: Redis;
  /** The job's logger (queue, job id, name and attempt bound). */
  log: Logger;
  job: Job;
  /**
   * Aborted when the worker shuts down: long jobs check it between units of work and stop early;
   * their committed work stays, and the job goes back to the queue without spending an attempt.
   * The pool's signal, shared by its jobs: a listener a job adds must be removed when it ends.
   */
  signal: AbortSignal;
  /** This is the job's last attempt: a failure now is final (mark rows failed, not pending). */
  isLastAttempt: boolean;
  /** Report progress (0-100 or an object), visible in Bull Board and `aexy status`. */
  progress(value: number | object): Promise<void>;
  /**
   * Record a step of the job for the people watching it: a line in the job's log (Bull Board's Logs
   * tab, `job.log`), timestamped and scrubbed, and the same line in the process log. A log that
   * cannot be written (Redis away) does not fail the job.
   */
  step(message: string, fields?: Record<string, unknown>): Promise<void>;
  /**
   * Enqueue a follow-up job once this one has succeeded, i.e. after its transaction committed:
   * a consumer must never see an id whose row is not there yet.
   */
  enqueueAfter<C extends AnyJobContract>(contract: C, data: JobInput<C>, opts?: JobsOptions): void;
  /**
   * Enqueue now, for follow-ups of work this job has already committed (a sync that pauses or
   * fails half-way still queues what its committed chunks call for).
   */
  enqueue<C extends AnyJobContract>(contract: C, data: JobInput<C>, opts?: JobsOptions): Promise<void>;
  /** The worker pool's producer: its queues and connection, shared by every job (never a new one). */
  producer: Producer;
  /** A queue of this deployment, to read job states (e.g. which exports have a live job). */
  queue(name: QueueName): Queue;
  /** Text with every configured secret (and token-shaped string) replaced: for error text a job stores. */
  scrub(text: string): string;
}
