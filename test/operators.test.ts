import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { buildBoardServer } from '../src/board/server.js';
import { runCli } from '../src/cli/main.js';
import { defineJob } from '../src/jobs/handler.js';
import { createLogger } from '../src/lib/logger.js';
import { QUEUE_DESCRIPTIONS } from '../src/queues/names.js';
import { JobWatcher } from '../src/queues/job-watcher.js';
import type { Job } from 'bullmq';
import { useTestWorld } from './hooks.js';
import { startHarness, type Harness } from './helpers/workers.js';

const auth = `Basic ${Buffer.from('ops:correct horse').toString('base64')}`;

/** Fails on its first run and succeeds on the next (what a retry is for). */
let runs = 0;
const flaky = defineJob({
  name: 'test.flaky',
  queue: 'system',
  schema: z.object({ n: z.number() }),
  options: { attempts: 1 },
  process: async (data, ctx) => {
    runs += 1;
    await ctx.step(`run ${runs} of job ${data.n}`);
    if (runs <= 2) throw new Error(`upstream said no (run ${runs})`);
    return { ok: data.n };
  },
});

describe('operator tools: the board, status, failed jobs and their retries, job logs', () => {
  const w = useTestWorld({ settings: { BOARD_USER: 'ops', BOARD_PASSWORD: 'correct horse' } });
  let app: FastifyInstance;
  let h: Harness;

  /** The CLI in this process, with this test's settings; what it printed, and its exit code. */
  async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const env = { REDIS_URL: w.config.REDIS_URL, QUEUE_PREFIX: w.config.QUEUE_PREFIX, DATABASE_URL: w.db.url, LOG_LEVEL: 'silent' };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    const table = vi.spyOn(console, 'table').mockImplementation((rows: unknown) => void out.push(JSON.stringify(rows)));
    const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
    try {
      const code = await runCli(args);
      return { code, out: out.join('\n'), err: err.join('\n') };
    } finally {
      log.mockRestore();
      table.mockRestore();
      error.mockRestore();
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  }

  beforeAll(async () => {
    app = await buildBoardServer({ config: w.config, orm: w.db.orm, log: createLogger('silent') });
    await app.ready();
  });
  afterAll(async () => {
    await h?.close();
    await app?.close();
  });

  it('/ leads to the board, whose queues say what they hold', async () => {
    const root = await app.inject({ url: '/' });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/admin/queues/');
    const res = await app.inject({ url: '/admin/queues/api/queues', headers: { authorization: auth } });
    const queues = (res.json() as { queues: { name: string; description?: string }[] }).queues;
    expect(queues.find((q) => q.name.endsWith(':github-sync'))?.description).toBe(QUEUE_DESCRIPTIONS['github-sync']);
    expect(queues.every((q) => q.description && q.description.length > 20)).toBe(true);
  });

  it("the oldest waiting job's age per queue, in aexy status and /metrics", async () => {
    // Two jobs waiting in exports since 2 minutes and 10 s ago (no worker runs that queue here).
    const exports = (await import('bullmq')).Queue;
    const q = new exports('exports', { connection: { url: w.config.REDIS_URL }, prefix: w.config.QUEUE_PREFIX });
    const old = await q.add('export.process', { exportJobId: '00000000-0000-4000-8000-000000000001' }, { timestamp: Date.now() - 120_000 });
    const recent = await q.add('export.process', { exportJobId: '00000000-0000-4000-8000-000000000002' }, { timestamp: Date.now() - 10_000 });
    try {
      const status = await cli(['status', '--json']);
      expect(status.code).toBe(0);
      const rows = (JSON.parse(status.out) as { queues: { queue: string; oldestWaitingSeconds: number | null }[] }).queues;
      const age = rows.find((r) => r.queue === 'exports')!.oldestWaitingSeconds!;
      expect(age).toBeGreaterThanOrEqual(120);
      expect(age).toBeLessThan(180);
      expect(rows.find((r) => r.queue === 'slack')!.oldestWaitingSeconds).toBeNull();

      const table = await cli(['status']);
      expect(table.out).toMatch(/"queue":"exports"[^}]*"oldest_waiting":"2 min \d+ s"/);

      const metrics = (await app.inject({ url: '/metrics' })).body;
      const gauge = Number(/^aexy_queue_oldest_waiting_seconds\{queue="exports"\} ([\d.]+)$/m.exec(metrics)?.[1]);
      expect(gauge).toBeGreaterThanOrEqual(120);
      expect(gauge).toBeLessThan(180);
      expect(metrics).toMatch(/^aexy_queue_oldest_waiting_seconds\{queue="slack"\} 0$/m);
    } finally {
      await old.remove();
      await recent.remove();
      await q.close();
    }
  });

  it('aexy jobs failed lists failed jobs with their reasons; aexy jobs retry runs one again, or all of them', async () => {
    h = await startHarness({ ...w.config, DATABASE_URL: w.db.url }, w.db.orm, [flaky]);
    const first = await h.settle(await h.pool.producer.enqueue(flaky, { n: 1 }));
    const second = await h.settle(await h.pool.producer.enqueue(flaky, { n: 2 }));
    expect([first.failedReason, second.failedReason]).toEqual(['upstream said no (run 1)', 'upstream said no (run 2)']);

    const listed = await cli(['jobs', 'failed', '--json']);
    const rows = JSON.parse(listed.out) as { queue: string; id: string; job: string; attempts: number; reason: string }[];
    expect(rows.map((r) => [r.queue, r.id, r.job, r.attempts, r.reason]).sort()).toEqual([
      ['system', first.id, 'test.flaky', 1, 'upstream said no (run 1)'],
      ['system', second.id, 'test.flaky', 1, 'upstream said no (run 2)'],
    ]);
    expect((await cli(['jobs', 'failed', '--queue', 'slack'])).out).toBe('no failed jobs in slack');

    const events = await h.events('system');
    const completed = (id: string) => new Promise<void>((resolve) => events.on('completed', ({ jobId }) => jobId === id && resolve()));
    const done1 = completed(first.id!);
    const retried = await cli(['jobs', 'retry', first.id!]);
    expect(retried.out).toBe(
      `test.flaky (job ${first.id} on system) queued again with all its attempts; it had failed after 1 attempt(s): upstream said no (run 1)`,
    );
    await done1;
    expect((await h.reader('system').getJob(first.id!))!.returnvalue).toEqual({ ok: 1 });

    const done2 = completed(second.id!);
    const all = await cli(['jobs', 'retry', '--all-failed', '--queue', 'system']);
    expect(all.out).toBe('system: 1 failed job(s) queued again');
    await done2;

    // What runs again is logged in the job's own log (Bull Board's Logs tab): one line per run.
    const { logs } = await h.reader('system').getJobLogs(second.id!);
    expect(logs.map((l) => l.replace(/^\S+ /, ''))).toEqual(['run 2 of job 2', 'run 4 of job 2']);

    // Mistakes are one clear line each, exit code 1.
    expect(await cli(['jobs', 'retry'])).toMatchObject({ code: 1, err: 'error: name a job id, or --all-failed (not both)' });
    expect(await cli(['jobs', 'retry', first.id!])).toMatchObject({ code: 1, err: `error: job ${first.id} has not failed: it is in system (completed)` });
    expect(await cli(['jobs', 'failed', '--queue', 'nope'])).toMatchObject({
      code: 1,
      err: 'error: --queue: unknown queue "nope" (known: system, github-sync, profiles, insights, reports, exports, slack)',
    });
    expect(await cli(['jobs', 'retry', '999999'])).toMatchObject({ code: 1, err: 'error: no job 999999' });
  });

  it("--wait does not hang when the event stream missed the job's end: the job itself is asked too", async () => {
    const done = await h.settle(await h.pool.producer.enqueue(flaky, { n: 3 }));
    expect(done.returnvalue).toEqual({ ok: 3 });
    // The job as a --wait sees it when its completion fell before the QueueEvents' first read: no event comes.
    const missed = Object.assign(Object.create(Object.getPrototypeOf(done) as object) as Job, done, { waitUntilFinished: () => new Promise(() => {}) });
    const watcher = new JobWatcher({ url: w.config.REDIS_URL, prefix: w.config.QUEUE_PREFIX });
    try {
      expect(await watcher.finish(missed, undefined, undefined, async () => (await h.reader('system').getJob(done.id!)) ?? undefined)).toEqual({ ok: 3 });
    } finally {
      await watcher.close();
    }
  });

  it('aexy --version prints the package version', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    try {
      expect(await runCli(['--version'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).toBe('0.1.0\n');
  });
});
