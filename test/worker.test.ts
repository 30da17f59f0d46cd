import { Queue } from 'bullmq';
import { systemNoopJob } from '../src/system/jobs/system-noop.job.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PermanentError, RateLimitedError, TransientError } from '../src/errors/index.js';
import { defineJob } from '../src/jobs/handler.js';
import { JOBS } from '../src/workers/handlers.js';
import { developerRefreshActivity, systemNoop } from '../src/jobs/index.js';
import { useTestWorld } from './hooks.js';
import { testConfig } from './helpers/redis.js';
import { startHarness, type Harness } from './helpers/workers.js';

// Test-only jobs that misbehave on purpose, registered next to the real ones.
const attempts: number[] = [];
const alwaysFails = defineJob({
  name: 'test.always-fails',
  queue: 'system',
  schema: z.object({ n: z.number() }),
  options: { attempts: 3, backoff: { type: 'fixed', delay: 200 } },
  async process() {
    attempts.push(Date.now());
    throw new TransientError(`upstream said 502 (attempt ${attempts.length})`);
  },
});
let permanentRuns = 0;
const permanentlyBad = defineJob({
  name: 'test.permanent',
  queue: 'system',
  schema: z.object({}),
  options: { attempts: 5 },
  async process() {
    permanentRuns += 1;
    throw new PermanentError('repository was deleted');
  },
});
let limitedRuns = 0;
const rateLimitedOnce = defineJob({
  name: 'test.rate-limited-once',
  queue: 'system',
  schema: z.object({}),
  options: { attempts: 1 },
  async process() {
    limitedRuns += 1;
    if (limitedRuns === 1) throw new RateLimitedError('primary rate limit exhausted', new Date(Date.now() + 300));
    return { runs: limitedRuns };
  },
});
const chains = defineJob({
  name: 'test.chains',
  queue: 'system',
  schema: z.object({ developerId: z.uuid() }),
  async process({ developerId }, ctx) {
    ctx.enqueueAfter(developerRefreshActivity, { developerId });
    await ctx.progress(100);
    return 'chained';
  },
});

describe('worker runtime (real Postgres, Redis, BullMQ)', () => {
  const w = useTestWorld({ harness: [...JOBS, alwaysFails, permanentlyBad, rateLimitedOnce, chains] });

  async function insertDeveloper(login: string): Promise<string> {
    return w.rows.developer({ login });
  }

  it('round trip: enqueue → processed → row written in Postgres', async () => {
    const devId = await insertDeveloper('octocat');
    await w.rows.commit({ sha: 'a'.padEnd(40, '0'), developer_id: devId, repository_name: 'hello', committed_at: '2026-01-02T03:04:05Z' });
    await w.rows.commit({ sha: 'b'.padEnd(40, '0'), developer_id: devId, repository_name: 'hello', committed_at: '2026-03-04T05:06:07Z' });
    const job = await w.h.pool.producer.enqueue(developerRefreshActivity, { developerId: devId });
    const done = await w.h.settle(job);
    expect(done.finishedOn).toBeTruthy();
    expect(done.failedReason).toBeUndefined();
    const { rows } = await w.db.sql.query(`SELECT last_activity_at FROM developers WHERE id = $1`, [devId]);
    expect(rows[0].last_activity_at.toISOString()).toBe('2026-03-04T05:06:07.000Z');
  });

  it('a throwing (poison) job is retried with backoff and ends failed with its error kept; other jobs are unaffected', async () => {
    const job = await w.h.pool.producer.enqueue(alwaysFails, { n: 1 });
    const others = await Promise.all(Array.from({ length: 10 }, (_, i) => w.h.pool.producer.enqueue(systemNoop, { note: `bystander ${i}` })));
    const done = await w.h.settle(job);
    const bystanders = await Promise.all(others.map((o) => w.h.settle(o)));
    expect(bystanders.map((b) => b.returnvalue)).toEqual(others.map((_, i) => ({ ok: true, note: `bystander ${i}` })));
    expect(await done.getState()).toBe('failed');
    expect(done.attemptsMade).toBe(3);
    expect(done.failedReason).toBe('upstream said 502 (attempt 3)');
    expect(done.stacktrace?.length).toBeGreaterThan(0);
    expect(attempts).toHaveLength(3);
    // The fixed 200 ms backoff separated the attempts.
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(190);
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(190);
  });

  it('a permanent error fails at once, without spending the remaining attempts', async () => {
    const job = await w.h.pool.producer.enqueue(permanentlyBad, {});
    const done = await w.h.settle(job);
    expect(await done.getState()).toBe('failed');
    expect(permanentRuns).toBe(1);
    expect(done.failedReason).toBe('repository was deleted');
  });

  it('a payload that bypassed the producer fails fast in the worker and stays inspectable', async () => {
    const raw = new Queue('profiles', { connection: { url: w.config.REDIS_URL }, prefix: w.config.QUEUE_PREFIX });
    const job = await raw.add('developer.refresh-activity', { developerId: 42 }, { attempts: 5 });
    await raw.close();
    const done = await w.h.settle(job);
    expect(await done.getState()).toBe('failed');
    expect(done.attemptsMade).toBe(1);
    expect(done.failedReason).toMatch(/^Invalid payload for job "developer.refresh-activity": developerId:/);
    expect(done.data).toEqual({ developerId: 42 });
  });

  it('a job of an unknown name fails with a clear reason', async () => {
    const raw = new Queue('system', { connection: { url: w.config.REDIS_URL }, prefix: w.config.QUEUE_PREFIX });
    const job = await raw.add('system.nonexistent', {});
    await raw.close();
    const done = await w.h.settle(job);
    expect(done.failedReason).toBe('Unknown job "system.nonexistent" on queue "system"');
  });

  it('a job an older version enqueued under a former name is run by the renamed handler', async () => {
    const raw = new Queue('insights', { connection: { url: w.config.REDIS_URL }, prefix: w.config.QUEUE_PREFIX });
    const job = await raw.add('insights.refresh', {});
    await raw.close();
    const done = await w.h.settle(job);
    expect(done.failedReason).toBeUndefined();
    expect(done.returnvalue).toEqual({ queued: 0, renewals: 0, first: 0 });
  });

  it('a rate-limited job is delayed until the reset, not failed, and then completes', async () => {
    const events = await w.h.events('system');
    const delayed = new Promise((resolve) => events.on('delayed', () => resolve(true)));
    const job = await w.h.pool.producer.enqueue(rateLimitedOnce, {});
    const done = await w.h.settle(job);
    expect(await delayed).toBe(true);
    expect(await done.getState()).toBe('completed');
    expect(done.returnvalue).toEqual({ runs: 2 });
    // attempts = 1 was enough: waiting for a rate limit does not count as a failed attempt.
    expect(done.opts.attempts).toBe(1);
  });

  it('follow-up jobs are enqueued only after the job succeeded', async () => {
    const devId = await insertDeveloper('hubot');
    await w.rows.insert('code_reviews', { github_id: 1, reviewer_id: devId, submitted_at: '2026-05-05T00:00:00Z' });
    const job = await w.h.pool.producer.enqueue(chains, { developerId: devId });
    expect((await w.h.settle(job)).returnvalue).toBe('chained');
    const followUp = (await w.h.pool.producer.queue('profiles').getJobs(['waiting', 'active', 'completed'])).find((j) => j.data.developerId === devId);
    expect(followUp).toBeDefined();
    await w.h.settle(followUp!);
    const { rows } = await w.db.sql.query(`SELECT last_activity_at FROM developers WHERE id = $1`, [devId]);
    expect(rows[0].last_activity_at.toISOString()).toBe('2026-05-05T00:00:00.000Z');
  });

  it('a missing developer is a permanent failure', async () => {
    const job = await w.h.pool.producer.enqueue(developerRefreshActivity, { developerId: '00000000-0000-4000-8000-000000000000' });
    const done = await w.h.settle(job);
    expect(done.failedReason).toBe('Developer 00000000-0000-4000-8000-000000000000 does not exist');
    expect(done.attemptsMade).toBe(1);
  });

  it('a job that stops on the shutdown signal goes back to the queue without spending an attempt, and the next worker completes it', async () => {
    const runs: boolean[] = [];
    // Resolved by the job itself once it runs (same process): no event to miss.
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const stopsOnShutdown = defineJob({
      name: 'test.stops-on-shutdown',
      queue: 'system',
      schema: z.object({}),
      options: { attempts: 1 },
      async process(_data, { signal }) {
        runs.push(signal.aborted);
        if (runs.length === 1) {
          started();
          // A long job between two units of work: it waits for the shutdown, then stops.
          if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          signal.throwIfAborted();
        }
        return { runs: runs.length };
      },
    });
    // The suite's own workers (which do not know this job) stay out of it.
    const suiteSystem = w.h.pool.workers.find((worker) => worker.name === 'system')!;
    await suiteSystem.pause();
    const first = await startHarness({ ...testConfig(), DATABASE_URL: w.db.url, QUEUE_PREFIX: w.config.QUEUE_PREFIX }, w.db.orm, [stopsOnShutdown]);
    let second: Harness | undefined;
    try {
      const job = await first.pool.producer.enqueue(stopsOnShutdown, {});
      await running;
      await first.pool.close();
      const parked = await first.reader('system').getJob(job.id!);
      expect(await parked!.getState()).toBe('delayed');
      expect(parked!.attemptsMade).toBe(0); // attempts: 1, and none spent
      second = await startHarness({ ...testConfig(), DATABASE_URL: w.db.url, QUEUE_PREFIX: w.config.QUEUE_PREFIX }, w.db.orm, [stopsOnShutdown]);
      const done = await second.settle(job);
      expect(await done.getState()).toBe('completed');
      expect(done.returnvalue).toEqual({ runs: 2 });
    } finally {
      suiteSystem.resume();
      await first.close();
      await second?.close();
    }
  });

  it('graceful close lets an in-flight job finish', async () => {
    const own = await startHarness({ ...testConfig(), DATABASE_URL: w.db.url }, w.db.orm, [systemNoopJob]);
    try {
      const events = await own.events('system');
      const active = new Promise<string>((resolve) => events.on('active', ({ jobId }) => resolve(jobId)));
      const job = await own.pool.producer.enqueue(systemNoop, { sleepMs: 500, note: 'slow' });
      expect(await active).toBe(job.id);
      await own.pool.close();
      const stored = await own.reader('system').getJob(job.id!);
      expect(await stored!.getState()).toBe('completed');
      expect(stored!.returnvalue).toEqual({ ok: true, note: 'slow' });
    } finally {
      await own.close();
    }
  });
});
