import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../src/jobs/handler.js';
import { fairKey, pruneFairSets } from '../src/queues/fairness.js';
import { oldestWaitingMs } from '../src/queues/oldest-waiting.js';
import { useTestWorld } from './hooks.js';

/** Work of a tenant on the shared github-sync queue: it records the order in which jobs start. */
const started: string[] = [];
const fairWork = defineJob({
  name: 'test.fair-work',
  queue: 'github-sync',
  schema: z.object({ tenant: z.string(), n: z.number() }).strict(),
  fairBy: (d) => d.tenant,
  deduplicationId: (d) => `test.fair-work-${d.tenant}-${d.n}`,
  process: async (d) => {
    started.push(`${d.tenant}#${d.n}`);
    return null;
  },
});

describe('fair sharing of a queue between tenants', () => {
  const w = useTestWorld({ settings: { WORKER_CONCURRENCY: '1' }, harness: [fairWork] });
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(w.config.REDIS_URL);
  });
  afterAll(() => redis?.disconnect());
  const queue = () => w.h.pool.producer.queue('github-sync');
  const backlog = (tenant: string) => redis.scard(fairKey(w.config.QUEUE_PREFIX, 'github-sync', tenant));

  it("a tenant queued after another's 40 jobs starts second, not 41st; each tenant's own jobs keep their order", async () => {
    started.length = 0;
    await queue().pause();
    const big = [];
    for (let n = 1; n <= 40; n++) big.push(await w.h.pool.producer.enqueue(fairWork, { tenant: 'big', n }));
    const small = await w.h.pool.producer.enqueue(fairWork, { tenant: 'small', n: 1 });
    // Priorities are places in each tenant's backlog: 1…40 for the big one, 1 for the small one.
    expect(big.map((j) => j.opts.priority)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(small.opts.priority).toBe(1);
    expect([await backlog('big'), await backlog('small')]).toEqual([40, 1]);
    await queue().resume();
    await Promise.all([...big, small].map((j) => w.h.settle(j)));
    // One worker, one job at a time: the order they started in is the order the queue gave them.
    expect(started.indexOf('small#1')).toBe(1);
    expect(started.filter((s) => s.startsWith('big'))).toEqual(Array.from({ length: 40 }, (_, i) => `big#${i + 1}`));
    // Every started job gave up its place.
    expect([await backlog('big'), await backlog('small')]).toEqual([0, 0]);
  });

  it('under the same backlog, three tenants take turns', async () => {
    started.length = 0;
    await queue().pause();
    const jobs = [];
    for (const tenant of ['a', 'b', 'c']) for (let n = 1; n <= 3; n++) jobs.push(await w.h.pool.producer.enqueue(fairWork, { tenant, n: 100 + n }));
    await queue().resume();
    await Promise.all(jobs.map((j) => w.h.settle(j)));
    expect(started).toEqual(['a#101', 'b#101', 'c#101', 'a#102', 'b#102', 'c#102', 'a#103', 'b#103', 'c#103']);
  });

  it('work triggered again while it waits holds one place; a caller-chosen priority is kept', async () => {
    await queue().pause();
    try {
      const first = await w.h.pool.producer.enqueue(fairWork, { tenant: 'again', n: 1 });
      const repeat = await w.h.pool.producer.enqueue(fairWork, { tenant: 'again', n: 1 });
      expect(repeat.id).toBe(first.id);
      expect(await backlog('again')).toBe(1);
      const next = await w.h.pool.producer.enqueue(fairWork, { tenant: 'again', n: 2 });
      expect(next.opts.priority).toBe(2);
      const chosen = await w.h.pool.producer.enqueue(fairWork, { tenant: 'again', n: 3 }, { priority: 7 });
      expect(chosen.opts.priority).toBe(7);
      for (const j of [first, next, chosen]) await (await w.h.reader('github-sync').getJob(j.id!))!.remove();
    } finally {
      await queue().resume();
    }
  });

  it('work removed while it waited stops holding its place once the sets are pruned; waiting work keeps its own', async () => {
    await queue().pause();
    try {
      const removed = await w.h.pool.producer.enqueue(fairWork, { tenant: 'pruned', n: 1 });
      const kept = await w.h.pool.producer.enqueue(fairWork, { tenant: 'pruned', n: 2 });
      await (await w.h.reader('github-sync').getJob(removed.id!))!.remove();
      expect(await backlog('pruned')).toBe(2);
      // This one, and the two places the test above left by removing its waiting jobs.
      expect(await pruneFairSets(redis, queue(), w.config.QUEUE_PREFIX)).toBe(3);
      expect(await backlog('again')).toBe(0);
      expect(await redis.smembers(fairKey(w.config.QUEUE_PREFIX, 'github-sync', 'pruned'))).toEqual([`d:test.fair-work-pruned-2`]);
      // The next job of the tenant takes the place after the one left.
      expect((await w.h.pool.producer.enqueue(fairWork, { tenant: 'pruned', n: 3 })).opts.priority).toBe(2);
      await (await w.h.reader('github-sync').getJob(kept.id!))!.remove();
    } finally {
      await queue().resume();
    }
  });

  it("the oldest waiting age counts jobs waiting by priority (they are not in BullMQ's wait list)", async () => {
    await queue().pause();
    try {
      const job = await w.h.pool.producer.enqueue(fairWork, { tenant: 'old', n: 1 }, { timestamp: Date.now() - 125_000 });
      expect(await w.h.reader('github-sync').getJobState(job.id!)).toBe('prioritized');
      const age = await oldestWaitingMs(queue());
      expect(age).toBeGreaterThanOrEqual(125_000);
      expect(age).toBeLessThan(185_000);
      await job.remove();
      expect(await oldestWaitingMs(queue())).toBeNull();
    } finally {
      await queue().resume();
    }
  });
});
