import { QueueEvents } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { Producer } from '../src/queues/producer.js';
import { systemNoop } from '../src/jobs/index.js';
import { useTestWorld } from './hooks.js';
import { deletePrefix, randomPrefix, REDIS_URL } from './helpers/redis.js';
import { spawnTs, waitForOutput, type Spawned } from './helpers/spawn.js';

/** Real worker processes on one Redis and one PostgreSQL. */
describe('horizontal workers and crash recovery', () => {
  const w = useTestWorld();

  const start = (prefix: string, extra: Record<string, string> = {}): Spawned =>
    spawnTs('src/workers/main.ts', ['--queues', 'system'], {
      DATABASE_URL: w.db.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'info',
      WORKER_CONCURRENCY: '4',
      ...extra,
    });

  const completedIds = (out: string) =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .filter((l) => l.msg === 'job completed')
      .map((l) => l.jobId as string);

  it('three worker processes share the work, and no job runs twice', async () => {
    const prefix = randomPrefix();
    const producer = new Producer({ redisUrl: REDIS_URL, prefix });
    const workers = [start(prefix), start(prefix), start(prefix)];
    try {
      await Promise.all(workers.map((w) => waitForOutput(w, /worker ready/)));
      const queue = producer.queue('system');
      await queue.waitUntilReady();
      const events = new QueueEvents('system', { connection: { url: REDIS_URL }, prefix });
      await events.waitUntilReady();
      let completed = 0;
      const allDone = new Promise<void>((resolve) => events.on('completed', () => ++completed === 300 && resolve()));
      await queue.addBulk(Array.from({ length: 300 }, (_, i) => ({ name: systemNoop.name, data: { sleepMs: 5, note: `n${i}` } })));
      await allDone;
      await events.close();
      for (const w of workers) w.kill('SIGTERM');
      const outs = await Promise.all(workers.map((w) => w.finished));
      const perProcess = outs.map((o) => completedIds(o.stdout));
      const all = perProcess.flat();
      expect(all).toHaveLength(300);
      expect(new Set(all).size).toBe(300);
      for (const p of perProcess) expect(p.length).toBeGreaterThan(0);
    } finally {
      workers.forEach((w) => w.kill('SIGKILL'));
      await producer.close();
      await deletePrefix(prefix);
    }
  }, 60_000);

  it('kill -9 mid-job: the job is recovered as stalled and completed by another worker', async () => {
    const prefix = randomPrefix();
    const fast = { WORKER_LOCK_MS: '1500', WORKER_STALLED_INTERVAL_MS: '500' };
    const producer = new Producer({ redisUrl: REDIS_URL, prefix });
    const events = new QueueEvents('system', { connection: { url: REDIS_URL }, prefix });
    await events.waitUntilReady();
    const a = start(prefix, fast);
    let b: Spawned | undefined;
    try {
      await waitForOutput(a, /worker ready/);
      const active = new Promise<string>((resolve) => events.once('active', ({ jobId }) => resolve(jobId)));
      const job = await producer.enqueue(systemNoop, { sleepMs: 2_000, note: 'survivor' });
      expect(await active).toBe(job.id);
      a.kill('SIGKILL');
      await a.finished;
      const stalled = new Promise<string>((resolve) => events.once('stalled', ({ jobId }) => resolve(jobId)));
      b = start(prefix, fast);
      expect(await stalled).toBe(job.id);
      const result = await job.waitUntilFinished(events);
      expect(result).toEqual({ ok: true, note: 'survivor' });
      const stored = await producer.queue('system').getJob(job.id!);
      expect(await stored!.getState()).toBe('completed');
    } finally {
      a.kill('SIGKILL');
      b?.kill('SIGKILL');
      await events.close();
      await producer.close();
      await deletePrefix(prefix);
    }
  }, 60_000);

  it('a job that kills every worker it runs on is failed after maxStalledCount recoveries; other jobs are unaffected', async () => {
    const prefix = randomPrefix();
    const fast = { WORKER_LOCK_MS: '1500', WORKER_STALLED_INTERVAL_MS: '500' };
    const producer = new Producer({ redisUrl: REDIS_URL, prefix });
    const events = new QueueEvents('system', { connection: { url: REDIS_URL }, prefix });
    await events.waitUntilReady();
    const started: Spawned[] = [];
    try {
      const poison = await producer.enqueue(systemNoop, { sleepMs: 30_000, note: 'poison' });
      const failed = new Promise<string>((resolve) => events.on('failed', ({ jobId, failedReason }) => jobId === poison.id && resolve(failedReason)));
      let kills = 0;
      let reason: string | undefined;
      while (reason === undefined) {
        // Each worker either starts running the poison job (and "dies" of it: kill -9 as soon as
        // its processor logs the start), or is the one that finds it stalled once too often:
        // BullMQ then fails it on activation, without running it again.
        const w = start(prefix, fast);
        started.push(w);
        const running = waitForOutput(w, /"msg":"job started"/).then(
          () => 'active' as const,
          () => new Promise<never>(() => {}),
        );
        const outcome = await Promise.race([running, failed]);
        if (outcome === 'active') {
          w.kill('SIGKILL');
          await w.finished;
          kills++;
        } else reason = outcome;
      }
      expect(kills).toBe(3); // the first run + 2 recoveries (maxStalledCount: 2)
      expect(reason).toBe('job stalled more than allowable limit');
      const stored = await producer.queue('system').getJob(poison.id!);
      expect(await stored!.getState()).toBe('failed');
      expect(stored!.data).toEqual({ sleepMs: 30_000, note: 'poison' });
      // The surviving worker goes on with other work.
      const next = await producer.enqueue(systemNoop, { note: 'after the poison' });
      expect(await next.waitUntilFinished(events)).toEqual({ ok: true, note: 'after the poison' });
    } finally {
      started.forEach((w) => w.kill('SIGKILL'));
      await events.close();
      await producer.close();
      await deletePrefix(prefix);
    }
  }, 90_000);
});
