import { Queue, type Job, type JobsOptions, type RepeatOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DEFAULT_JOB_OPTIONS, jobOptions, type AnyJobContract, type JobInput } from '../jobs/contract.js';
import { contractByName, type ContractOf, type JobName } from '../jobs/index.js';
import { redactUrl } from '../lib/redact-url.js';
import { withTimeout } from '../lib/timeout.js';
import type { AppConfig } from '../config/index.js';
import { isConnectionError, producerConnection } from './connection.js';
import { shardOf, shardQueue, type QueueName } from './names.js';
import { parsePayload } from './payload.js';
import { fairKey, fairMember, fairPriority, markWaiting } from './fairness.js';

export interface ProducerOptions {
  redisUrl: string;
  /** Redis Cluster: the nodes to start from (REDIS_CLUSTER_NODES). */
  clusterNodes?: string;
  /** GITHUB_SYNC_SHARDS: repository syncs go to the shard queue of their repository (1: no shards). */
  githubSyncShards?: number;
  prefix: string;
  log?: Logger;
  /**
   * How long enqueue waits for Redis to come back when the connection is down (it reconnects by
   * itself) before failing with a clear error. Default 10 s: long enough to ride out a Redis
   * restart or failover, short enough that a webhook handler can still answer 503 in time.
   */
  readyTimeoutMs?: number;
}

/**
 * The typed way to put work on the queues, by contract or by name (`enqueue('export.process',
 * {exportJobId})`, typed by the registry in src/jobs). Every payload is validated against its
 * job's schema *before* it reaches Redis, so a bad call fails in the caller with a precise message.
 * Producers import contracts only, never handlers.
 */
export class Producer {
  private readonly connection: Redis;
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly options: ProducerOptions) {
    this.connection = producerConnection({ url: options.redisUrl, clusterNodes: options.clusterNodes }, options.log);
  }

  /**
   * The producer of a deployment's processes (workers, the board and its webhooks, the CLI): its
   * Redis (or Redis Cluster), prefix and github-sync shards, all from the configuration, so that a
   * job goes to the same queue whoever queues it.
   */
  static fromConfig(
    config: Pick<AppConfig, 'REDIS_URL' | 'REDIS_CLUSTER_NODES' | 'GITHUB_SYNC_SHARDS' | 'QUEUE_PREFIX'>,
    extra: Pick<ProducerOptions, 'log' | 'readyTimeoutMs'> = {},
  ): Producer {
    return new Producer({
      redisUrl: config.REDIS_URL,
      clusterNodes: config.REDIS_CLUSTER_NODES,
      githubSyncShards: config.GITHUB_SYNC_SHARDS,
      prefix: config.QUEUE_PREFIX,
      ...extra,
    });
  }

  /** A queue of the registry, or a github-sync shard queue (`github-sync-2`). */
  queue(name: QueueName | (string & {})): Queue {
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

  async enqueue<N extends JobName>(name: N, data: JobInput<ContractOf<N>>, opts?: JobsOptions): Promise<Job>;
  async enqueue<C extends AnyJobContract>(contract: C, data: JobInput<C>, opts?: JobsOptions): Promise<Job>;
  async enqueue(job: string | AnyJobContract, data: unknown, opts: JobsOptions = {}): Promise<Job> {
    const def = typeof job === 'string' ? contractByName(job) : job;
    const payload = parsePayload(def.name, def.schema, data);
    const queue = this.queue(this.queueFor(def, payload));
    const dedupId = def.deduplicationId?.(payload);
    const options = jobOptions(def, dedupId && !opts.jobId ? { deduplication: { id: dedupId, keepLastIfActive: true } } : undefined, opts);
    const deadline = Date.now() + this.readyTimeoutMs;
    const fail = (why: string) => new Error(`Cannot enqueue "${def.name}": Redis at ${redactUrl(this.options.redisUrl)} ${why}`);
    for (;;) {
      await this.connected(deadline).catch((err: Error) => {
        throw new Error(`Cannot enqueue "${def.name}": ${err.message}; nothing was enqueued`);
      });
      // BullMQ's own readiness wait has no timeout, and a command written just as Redis dies can
      // be left unanswered forever (seen with its addJob script when the socket closes under it),
      // so both are bounded by the same deadline.
      const adding = queue.waitUntilReady().then(() => this.add(queue, def, payload, options, opts));
      try {
        return await withTimeout(adding, Math.max(deadline - Date.now(), 1), () =>
          fail(
            `did not answer within ${this.readyTimeoutMs} ms (connection ${this.connection.status}); it may not have been enqueued, and enqueueing again is safe`,
          ),
        );
      } catch (err) {
        const message = (err as Error).message ?? '';
        // Refused before anything was written: the socket is dead but ioredis has not processed
        // its 'close' yet (status still "ready"). Yield to the event loop so it can, then retry.
        if (message.includes("Stream isn't writeable") && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 25));
          continue;
        }
        if (!isConnectionError(err) && (err as Error).name !== 'MaxRetriesPerRequestError') throw err;
        throw fail(`went away while enqueueing (${message}); it may not have been enqueued, and enqueueing again is safe`);
      }
    }
  }

  /** The queue a job goes to: its contract's, or with several shards the shard its `shardBy` key hashes to. */
  queueFor(def: AnyJobContract, payload: unknown): string {
    const shards = this.options.githubSyncShards ?? 1;
    return def.shardBy && shards > 1 ? shardQueue(shardOf(def.shardBy(payload), shards)) : def.queue;
  }

  /**
   * Add the job; a job of a tenant (`fairBy`) takes its place in the tenant's backlog as its
   * priority, unless the caller chose one (fairness.ts).
   */
  private async add(queue: Queue, def: AnyJobContract, payload: unknown, options: JobsOptions, opts: JobsOptions): Promise<Job> {
    const tenant = def.fairBy?.(payload);
    if (tenant === undefined || opts.priority !== undefined) return queue.add(def.name, payload, options);
    const key = fairKey(this.options.prefix, queue.name, tenant);
    const job = await queue.add(def.name, payload, { ...options, priority: await fairPriority(this.connection, key) });
    await markWaiting(this.connection, this.options.prefix, queue.name, key, fairMember(job));
    return job;
  }

  /**
   * Create or update a job scheduler (BullMQ's repeatable jobs) for a contract: the payload is
   * validated and the options merged exactly as for `enqueue`. Idempotent: one scheduler per id,
   * and a changed period or payload replaces it.
   */
  async upsertScheduler<C extends AnyJobContract>(id: string, repeat: Omit<RepeatOptions, 'key'>, contract: C, data: JobInput<C>): Promise<void> {
    const payload = parsePayload(contract.name, contract.schema, data);
    const queue = this.queue(contract.queue);
    await queue.waitUntilReady();
    await queue.upsertJobScheduler(id, repeat, { name: contract.name, data: payload, opts: jobOptions(contract) });
  }

  private get readyTimeoutMs(): number {
    return this.options.readyTimeoutMs ?? 10_000;
  }

  /**
   * Resolve once Redis answers, or fail within `readyTimeoutMs` with `Redis at host:port has been
   * unreachable …`: lets a CLI or a service check its queue before doing any other work.
   */
  async ready(): Promise<void> {
    await this.connected(Date.now() + this.readyTimeoutMs);
  }

  /**
   * The connection has no offline queue (a producer must not buffer jobs in memory while Redis is
   * away: they would vanish with the process), so a command sent while it reconnects fails with
   * ioredis's "Stream isn't writeable". Wait for it to be ready again instead, until the deadline.
   */
  private async connected(deadline: number): Promise<void> {
    const redis = this.connection;
    const where = `Redis at ${redactUrl(this.options.redisUrl)}`;
    if (redis.status === 'ready') return;
    if (redis.status === 'end') throw new Error(`${where} is closed: this producer was closed`);
    await new Promise<void>((resolve, reject) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(
        () => {
          redis.off('ready', onReady);
          reject(new Error(`${where} has been unreachable for ${this.readyTimeoutMs} ms (connection ${redis.status})`));
        },
        Math.max(deadline - Date.now(), 0),
      );
      redis.once('ready', onReady);
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }
}
