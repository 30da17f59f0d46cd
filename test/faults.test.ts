import { createServer, connect, type Server, type Socket } from 'node:net';
import { Queue, QueueEvents } from 'bullmq';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { Producer } from '../src/queues/producer.js';
import { migrate, openOrm } from '../src/db/orm.js';
import { ensureDatabase } from '../src/db/ensure-database.js';
import { developerRefreshProfile, exportProcess, systemNoop } from '../src/jobs/index.js';
import { databaseUrl } from './helpers/db.js';
import { useTestWorld } from './hooks.js';
import { deletePrefix, randomPrefix, REDIS_URL } from './helpers/redis.js';
import { PrivatePostgres } from './helpers/private-postgres.js';
import { freePort, PrivateRedis } from './helpers/private-redis.js';
import { spawnTs, waitForOutput } from './helpers/spawn.js';

/** A TCP proxy to PostgreSQL that can be cut (existing connections dropped, new ones refused). */
class CuttableProxy {
  private server?: Server;
  private sockets = new Set<Socket>();
  port = 0;
  up = true;
  async start(target: number): Promise<this> {
    this.server = createServer((client) => {
      if (!this.up) return client.destroy();
      const upstream = connect(target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }
  cut(): void {
    this.up = false;
    for (const s of this.sockets) s.destroy();
  }
  restore(): void {
    this.up = true;
  }
  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}

describe('faults', () => {
  const w = useTestWorld();

  it('database outage: jobs fail, retry with backoff, and complete once it is back', async () => {
    const proxy = await new CuttableProxy().start(Number(new URL(databaseUrl(w.db.name)).port || 5432));
    const proxied = new URL(databaseUrl(w.db.name));
    proxied.port = String(proxy.port);
    const prefix = randomPrefix();
    const producer = new Producer({ redisUrl: REDIS_URL, prefix });
    const dev = await w.rows.developer({ githubId: 77, login: 'pg-outage' });
    const worker = spawnTs('src/workers/main.ts', ['--queues', 'profiles'], {
      DATABASE_URL: proxied.toString(),
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'info',
    });
    const events = new QueueEvents('profiles', { connection: { url: REDIS_URL }, prefix });
    try {
      await waitForOutput(worker, /worker ready/);
      await events.waitUntilReady();
      proxy.cut();
      // 'delayed' = an attempt failed and the job waits for its backoff: the outage was felt.
      const failedOnce = new Promise<void>((resolve) => events.once('delayed', () => resolve()));
      const job = await producer.enqueue(developerRefreshProfile, { developerId: dev }, { attempts: 20, backoff: { type: 'fixed', delay: 300 } });
      await failedOnce; // at least one attempt hit the outage
      proxy.restore();
      await job.waitUntilFinished(events);
      const stored = await producer.queue('profiles').getJob(job.id!);
      expect(stored!.attemptsMade).toBeGreaterThanOrEqual(2);
      expect((await w.db.sql.query(`SELECT profile_updated_at FROM developers WHERE id = $1`, [dev])).rows[0].profile_updated_at).not.toBeNull();
    } finally {
      worker.kill('SIGKILL');
      await events.close();
      await producer.close();
      await proxy.stop();
      await deletePrefix(prefix);
    }
  }, 60_000);

  it('redis restart with persistence: queued jobs survive, workers and producers reconnect, nothing is lost', async () => {
    const redis = await new PrivateRedis().start();
    const prefix = 'aexy';
    const producer = new Producer({ redisUrl: redis.url, prefix });
    const impatient = new Producer({ redisUrl: redis.url, prefix, readyTimeoutMs: 300 });
    const worker = spawnTs('src/workers/main.ts', ['--queues', 'system'], {
      DATABASE_URL: w.db.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'info',
      WORKER_CONCURRENCY: '2',
    });
    // Kept open across the restart: it reconnects and resumes reading the (persisted) event stream.
    const events = new QueueEvents('system', { connection: { url: redis.url }, prefix });
    events.on('error', () => {});
    const queue = new Queue('system', { connection: { url: redis.url }, prefix });
    queue.on('error', () => {});
    try {
      await waitForOutput(worker, /worker ready/);
      await events.waitUntilReady();
      const completed = new Set<string>();
      const ids: string[] = [];
      let allDone!: () => void;
      const done = new Promise<void>((r) => (allDone = r));
      const fiveDone = new Promise<void>((r) =>
        events.on('completed', ({ jobId }) => {
          completed.add(jobId);
          if (completed.size === 5) r();
          if (ids.length === 40 && ids.every((id) => completed.has(id))) allDone();
        }),
      );
      await impatient.enqueue(systemNoop, { note: 'warm-up' }); // connects the impatient producer
      for (let i = 0; i < 30; i++) ids.push((await producer.enqueue(systemNoop, { sleepMs: 100, note: `j${i}` })).id!);
      await fiveDone;
      const waitingAtCrash = await queue.getWaitingCount();
      expect(waitingAtCrash).toBeGreaterThan(10);
      await redis.crash();

      // While Redis is down: an impatient producer fails with a clear error, a patient one waits.
      await expect(impatient.enqueue(systemNoop, { note: 'lost?' })).rejects.toThrow(
        /^Cannot enqueue "system\.noop": Redis at redis:\/\/127\.0\.0\.1:\d+ (has been unreachable for 300 ms|did not answer within 300 ms|went away)/,
      );
      const duringOutage = producer.enqueue(systemNoop, { sleepMs: 10, note: 'j30' });
      await redis.start(); // same port, same append-only file
      ids.push((await duringOutage).id!);
      for (let i = 31; i < 40; i++) ids.push((await producer.enqueue(systemNoop, { sleepMs: 10, note: `j${i}` })).id!);
      if (ids.every((id) => completed.has(id))) allDone();
      await done;

      expect(await queue.getFailedCount()).toBe(0);
      const stored = await queue.getCompleted(0, -1);
      expect(new Set(stored.map((j) => j.data.note))).toEqual(new Set([...Array.from({ length: 40 }, (_, i) => `j${i}`), 'warm-up']));
      await waitForOutput(worker, /redis connection restored/);
    } finally {
      worker.kill('SIGTERM');
      await worker.finished;
      await Promise.all([events.close(), queue.close(), producer.close(), impatient.close()]);
      await redis.destroy();
    }
  }, 60_000);

  it('SIGTERM while Redis is down: the worker exits in seconds; its in-flight job is recovered once Redis is back', async () => {
    const redis = await new PrivateRedis().start();
    const prefix = 'aexy';
    const fast = { WORKER_LOCK_MS: '1500', WORKER_STALLED_INTERVAL_MS: '500' };
    const env = { DATABASE_URL: w.db.url, REDIS_URL: redis.url, QUEUE_PREFIX: prefix, LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '30000', ...fast };
    const producer = new Producer({ redisUrl: redis.url, prefix });
    const first = spawnTs('src/workers/main.ts', ['--queues', 'system'], env);
    let second: ReturnType<typeof spawnTs> | undefined;
    try {
      await waitForOutput(first, /worker ready/);
      const job = await producer.enqueue(systemNoop, { sleepMs: 1_000, note: 'in flight' });
      await waitForOutput(first, /"msg":"job started"/);
      await redis.crash();
      first.kill('SIGTERM');
      const out = await first.finished;
      expect(out.code).toBe(1);
      expect(out.stdout).toContain('Redis is unreachable: exiting without waiting for in-flight jobs');
      expect(out.stdout).not.toContain('graceful shutdown timed out'); // it did not sit out the 30 s

      await redis.start();
      second = spawnTs('src/workers/main.ts', ['--queues', 'system'], env);
      // Fresh connections: the producer's own may still be reconnecting (it has no offline queue).
      const events = new QueueEvents('system', { connection: { url: redis.url }, prefix });
      const reader = new Queue('system', { connection: { url: redis.url }, prefix });
      try {
        await events.waitUntilReady();
        const live = await reader.getJob(job.id!);
        expect(await live!.waitUntilFinished(events)).toEqual({ ok: true, note: 'in flight' });
      } finally {
        await events.close();
        await reader.close();
      }
    } finally {
      first.kill('SIGKILL');
      second?.kill('SIGKILL');
      await producer.close();
      await redis.destroy();
    }
  }, 60_000);

  it('a producer started while Redis is down fails with a clear error, then works once Redis is up', async () => {
    const redis = new PrivateRedis();
    redis.port = await freePort();
    const producer = new Producer({ redisUrl: redis.url, prefix: 'aexy', readyTimeoutMs: 300 });
    try {
      await expect(producer.enqueue(systemNoop, { note: 'too early' })).rejects.toThrow(
        /^Cannot enqueue "system\.noop": Redis at redis:\/\/127\.0\.0\.1:\d+ has been unreachable for 300 ms \(connection \w+\); nothing was enqueued$/,
      );
      await redis.start();
      // The connection comes back at its next reconnect attempt (ioredis backs off between them): wait
      // for it, 300 ms at a time, as a caller retrying would.
      for (let i = 0; ; i++) {
        try {
          await producer.ready();
          break;
        } catch (err) {
          if (i >= 20) throw err;
        }
      }
      const job = await producer.enqueue(systemNoop, { note: 'on time' });
      const stored = await producer.queue('system').getJobs(['waiting']);
      expect(stored.map((j) => [j.id, j.data.note])).toEqual([[job.id, 'on time']]);
    } finally {
      await producer.close();
      await redis.destroy();
    }
  });

  it('postgresql stopped for 20 s (pg_ctl stop -m fast): jobs retry with backoff, the worker survives, everything completes', async () => {
    const server = await new PrivatePostgres().init();
    const url = server.url('aexy');
    await ensureDatabase(url);
    const orm = await openOrm(url);
    await migrate(orm);
    await orm.close(true);
    const exportDir = mkdtempSync(join(tmpdir(), 'aexy-outage-exports-'));
    const prefix = randomPrefix();
    const producer = new Producer({ redisUrl: REDIS_URL, prefix });
    const sqlClient = async <T>(fn: (c: pg.Client) => Promise<T>) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return await fn(c);
      } finally {
        await c.end();
      }
    };
    const devIds = await sqlClient(async (c) =>
      (await c.query(`INSERT INTO developers (github_id, github_username) SELECT g, 'dev' || g FROM generate_series(1, 4) g RETURNING id`)).rows.map(
        (r) => r.id as string,
      ),
    );
    const exportId = await sqlClient(
      async (c) =>
        (
          await c.query(
            `WITH team AS (INSERT INTO teams (name, organization_id, developer_ids) VALUES ('All', $1, $2::uuid[]))
             INSERT INTO export_jobs (export_type, format, config) VALUES ('developers', 'csv', jsonb_build_object('organization_id', $1::text)) RETURNING id`,
            ['7a7a7a7a-8b8b-4c9c-8d0d-1e1e1e1e1e1e', devIds],
          )
        ).rows[0].id as string,
    );
    const worker = spawnTs('src/workers/main.ts', ['--queues', 'profiles,exports'], {
      DATABASE_URL: url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'info',
      EXPORT_DIR: exportDir,
    });
    const events = ['profiles', 'exports'].map((q) => new QueueEvents(q, { connection: { url: REDIS_URL }, prefix }));
    try {
      await waitForOutput(worker, /worker ready/);
      await Promise.all(events.map((e) => e.waitUntilReady()));
      let retriesScheduled = 0;
      for (const e of events) e.on('delayed', () => retriesScheduled++);

      await server.stop();
      const stoppedAt = Date.now();
      const jobs = [
        ...(await Promise.all(devIds.map((developerId) => producer.enqueue(developerRefreshProfile, { developerId })))),
        await producer.enqueue(exportProcess, { exportJobId: exportId }),
      ];
      // The outage itself is the experiment: 20 s of a stopped server, whatever the jobs do.
      await new Promise((r) => setTimeout(r, 20_000 - (Date.now() - stoppedAt)));
      expect(retriesScheduled).toBeGreaterThanOrEqual(jobs.length); // every job felt the outage
      await server.start();

      await Promise.all(jobs.map((job) => job.waitUntilFinished(events[job.queueName === 'profiles' ? 0 : 1]!)));
      expect(worker.exitCode).toBeNull(); // idle pool connections killed by the shutdown did not crash it
      const profiles = await sqlClient(
        async (c) => (await c.query(`SELECT count(*)::int AS n FROM developers WHERE profile_updated_at IS NOT NULL`)).rows[0].n,
      );
      expect(profiles).toBe(4);
      const exp = await sqlClient(async (c) => (await c.query(`SELECT status, file_path FROM export_jobs WHERE id = $1`, [exportId])).rows[0]);
      expect(exp.status).toBe('completed');
      expect(existsSync(exp.file_path)).toBe(true);
      expect(readFileSync(exp.file_path, 'utf8').trim().split('\n')).toHaveLength(5); // header + 4 developers
      for (const job of jobs) {
        const stored = await producer.queue(job.queueName as 'profiles' | 'exports').getJob(job.id!);
        expect(stored!.attemptsMade).toBeGreaterThanOrEqual(2);
      }
      expect(worker.stdoutSoFar()).toMatch(/job attempt failed/);
    } finally {
      worker.kill('SIGKILL');
      await Promise.all(events.map((e) => e.close()));
      await producer.close();
      await deletePrefix(prefix);
      await server.destroy();
      rmSync(exportDir, { recursive: true, force: true });
    }
  }, 90_000);
});
