import { Queue, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { producerConnection } from './connection.js';
import { DEFAULT_JOB_OPTIONS, type AnyJobDefinition } from './job-definition.js';
import type { QueueName } from './names.js';
import { parsePayload } from './payload.js';

export interface ProducerOptions {
  redisUrl: string;
  prefix: string;
  log?: Logger;
}

/**
 * The typed way to put work on the queues. Every payload is validated against its job's schema
 * *before* it reaches Redis, so a bad call fails in the caller with a precise message.
 */
export class Producer {
  private readonly connection: Redis;
  private readonly queues = new Map<QueueName, Queue>();

  constructor(private readonly options: ProducerOptions) {
    this.connection = producerConnection(options.redisUrl, options.log);
  }

  queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.options.prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
      // Connection errors are reported once by the connection itself; without a listener
      // BullMQ would print every reconnect attempt to stderr.
      q.on('error', (err) => this.options.log?.debug({ queue: name, err: err.message }, 'queue error'));
      this.queues.set(name, q);
    }
    return q;
  }

  async enqueue<D extends AnyJobDefinition>(def: D, data: z.input<D['schema']>, opts: JobsOptions = {}): Promise<Job> {
    const payload = parsePayload(def.name, def.schema, data);
    const queue = this.queue(def.queue);
    await queue.waitUntilReady();
    const dedupId = def.deduplicationId?.(payload);
    return queue.add(def.name, payload, {
      ...DEFAULT_JOB_OPTIONS,
      ...def.options,
      ...(dedupId && !opts.jobId ? { deduplication: { id: dedupId, keepLastIfActive: true } } : {}),
      ...opts,
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }
}
