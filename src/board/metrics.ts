import type { Queue, QueueEvents } from 'bullmq';
import { queueEvents, redisAt } from '../queues/connection.js';
import type { Redis } from 'ioredis';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AppConfig } from '../config/index.js';
import { withTimeout } from '../lib/timeout.js';
import { oldestWaitingMs } from '../queues/oldest-waiting.js';

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

/**
 * Prometheus metrics for every queue, from the operator process: depth per state (read from Redis
 * at scrape time), and job durations and failures (from BullMQ's queue events, so every worker
 * process is covered without each exposing its own endpoint).
 */
export function createQueueMetrics(config: AppConfig, connection: Redis, queues: Queue[]): { registry: Registry; close(): Promise<void> } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'aexy_board_' });
  depthMetrics(registry, connection, queues);
  const { events, subscribe } = jobOutcomeMetrics(registry, config, queues);
  // Subscribe once Redis is reachable: the board must start (and answer /readyz 503) while it is
  // down, and a QueueEvents that never connected cannot be closed cleanly.
  if (connection.status === 'ready') subscribe();
  else connection.once('ready', subscribe);
  return {
    registry,
    async close() {
      connection.off('ready', subscribe);
      await Promise.all(events.map((e) => e.close()));
    },
  };
}

/** Queue depth per state and the oldest waiting job, read from Redis at scrape time; aexy_redis_up. */
function depthMetrics(registry: Registry, connection: Redis, queues: Queue[]): void {
  // Both gauges below come from one read of Redis per scrape (prom-client collects metrics
  // concurrently, so a value set by the other gauge's collect would lag a scrape behind). A scrape
  // must answer while Redis is down (BullMQ would wait for it forever): no queue series then, and
  // aexy_redis_up 0 for the alert.
  let reading: Promise<{ counts: Record<string, number>; oldestMs: number | null }[] | null> | undefined;
  const readCounts = () =>
    (reading ??= (async () => {
      if (connection.status !== 'ready') return null;
      const read = Promise.all(queues.map(async (q) => ({ counts: await q.getJobCounts(...STATES), oldestMs: await oldestWaitingMs(q) })));
      return withTimeout(read, 2_000).catch(() => null);
    })().finally(() => setImmediate(() => (reading = undefined))));
  new Gauge({
    name: 'aexy_redis_up',
    help: '1 when the queue counts could be read from Redis at this scrape',
    registers: [registry],
    async collect() {
      this.set((await readCounts()) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'aexy_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      const all = await readCounts();
      this.reset();
      all?.forEach(({ counts }, i) => {
        for (const s of STATES) this.set({ queue: queues[i]!.name, state: s }, counts[s] ?? 0);
      });
    },
  });
  new Gauge({
    name: 'aexy_queue_oldest_waiting_seconds',
    help: 'How long the oldest job ready to run has waited, per queue (0 when none waits): workers not keeping up',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      const all = await readCounts();
      this.reset();
      all?.forEach(({ oldestMs }, i) => this.set({ queue: queues[i]!.name }, (oldestMs ?? 0) / 1000));
    },
  });
}

/** Job durations and failures, from BullMQ's queue events (every worker process covered); subscribed by the caller. */
function jobOutcomeMetrics(registry: Registry, config: AppConfig, queues: Queue[]): { events: QueueEvents[]; subscribe: () => void } {
  const duration = new Histogram({
    name: 'aexy_job_duration_seconds',
    help: 'Processing time of finished jobs (processedOn → finishedOn)',
    labelNames: ['queue', 'job', 'outcome'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
    registers: [registry],
  });
  const failures = new Counter({ name: 'aexy_job_failures_total', help: 'Failed job attempts', labelNames: ['queue', 'job'], registers: [registry] });

  const events: QueueEvents[] = [];
  const subscribe = () => {
    for (const name of queues.map((q) => q.name)) {
      const e = queueEvents(name, redisAt(config), config.QUEUE_PREFIX);
      const queue = queues.find((q) => q.name === name)!;
      const observe = async (jobId: string, outcome: 'completed' | 'failed') => {
        const job = await queue.getJob(jobId).catch(() => undefined);
        if (!job) return;
        if (outcome === 'failed') failures.inc({ queue: name, job: job.name });
        if (job.processedOn && job.finishedOn) duration.observe({ queue: name, job: job.name, outcome }, (job.finishedOn - job.processedOn) / 1000);
      };
      e.on('completed', ({ jobId }) => void observe(jobId, 'completed'));
      e.on('failed', ({ jobId }) => void observe(jobId, 'failed'));
      e.on('error', () => {});
      events.push(e);
    }
  };
  return { events, subscribe };
}
