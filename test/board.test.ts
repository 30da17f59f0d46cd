import type { FastifyInstance } from 'fastify';
import { systemNoopJob } from '../src/system/jobs/system-noop.job.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBoardServer } from '../src/board/server.js';
import { createLogger } from '../src/lib/logger.js';
import { Producer } from '../src/queues/producer.js';
import { systemNoop } from '../src/jobs/index.js';
import { useTestWorld } from './hooks.js';
import { testConfig } from './helpers/redis.js';

const auth = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('operator HTTP process (Bull Board, health)', () => {
  const w = useTestWorld({ settings: { BOARD_USER: 'ops', BOARD_PASSWORD: 'correct horse' } });
  let app: FastifyInstance;

  beforeAll(async () => {
    app = await buildBoardServer({ config: w.config, orm: w.db.orm, log: createLogger('silent') });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('refuses to start without credentials unless explicitly disabled', async () => {
    const noCreds = testConfig();
    await expect(buildBoardServer({ config: noCreds, orm: w.db.orm, log: createLogger('silent') })).rejects.toThrow(
      /Bull Board needs credentials: set BOARD_USER and BOARD_PASSWORD/,
    );
    const open = await buildBoardServer({ config: testConfig({ BOARD_AUTH_DISABLED: 'true' }), orm: w.db.orm, log: createLogger('silent') });
    expect((await open.inject({ url: '/admin/queues/api/queues' })).statusCode).toBe(200);
    await open.close();
  });

  it('auth disabled is refused on a non-loopback host; failed logins are limited per address', async () => {
    await expect(
      buildBoardServer({ config: testConfig({ BOARD_AUTH_DISABLED: 'true', BOARD_HOST: '0.0.0.0' }), orm: w.db.orm, log: createLogger('silent') }),
    ).rejects.toThrow(/BOARD_AUTH_DISABLED=true serves every job's data to anyone who can reach 0\.0\.0\.0: it is allowed on a loopback host only/);
    const guarded = await buildBoardServer({
      config: testConfig({ BOARD_USER: 'ops', BOARD_PASSWORD: 'correct horse' }),
      orm: w.db.orm,
      log: createLogger('silent'),
    });
    try {
      const attempt = (pass: string, ip = '203.0.113.7') =>
        guarded.inject({ url: '/admin/queues/api/queues', remoteAddress: ip, headers: { authorization: auth('ops', pass) } });
      for (let i = 0; i < 10; i++) expect((await attempt(`guess-${i}`)).statusCode).toBe(401);
      const blocked = await attempt('correct horse');
      expect(blocked.statusCode).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      // Another address is not blocked by this one's guesses.
      expect((await attempt('correct horse', '198.51.100.2')).statusCode).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('puts the board and its API behind basic auth', async () => {
    expect((await app.inject({ url: '/admin/queues' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/admin/queues/api/queues' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/admin/queues', headers: { authorization: auth('ops', 'wrong password') } })).statusCode).toBe(401);
    const page = await app.inject({ url: '/admin/queues', headers: { authorization: auth('ops', 'correct horse') } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Aexy Workers');
  });

  it('lists every queue with its jobs', async () => {
    const producer = new Producer({ redisUrl: w.config.REDIS_URL, prefix: w.config.QUEUE_PREFIX });
    await producer.enqueue(systemNoop, { note: 'visible on the board' });
    await producer.close();
    const res = await app.inject({
      url: '/admin/queues/api/queues?activeQueue=system&status=waiting',
      headers: { authorization: auth('ops', 'correct horse') },
    });
    const body = res.json() as { queues: { name: string; counts: Record<string, number>; jobs: { data: unknown }[] }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual(
      ['exports', 'github-sync', 'insights', 'profiles', 'reports', 'slack', 'system'].map((n) => `${w.config.QUEUE_PREFIX}:${n}`).sort(),
    );
    const system = body.queues.find((q) => q.name.endsWith(':system'))!;
    expect(system.counts.waiting).toBe(1);
  });

  it('/healthz is open; /readyz checks PostgreSQL and Redis', async () => {
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('/metrics exposes queue depth per state, job durations and failures for Prometheus', async () => {
    const { startHarness } = await import('./helpers/workers.js');
    const { z } = await import('zod');
    const { defineJob } = await import('../src/jobs/handler.js');
    const boom = defineJob({
      name: 'test.boom',
      queue: 'system',
      schema: z.object({}),
      options: { attempts: 1 },
      process: async () => {
        throw new Error('boom');
      },
    });
    const h = await startHarness({ ...w.config, DATABASE_URL: w.db.url }, w.db.orm, [systemNoopJob, boom]);
    try {
      await h.settle(await h.pool.producer.enqueue(systemNoop, { sleepMs: 20 }));
      await h.settle(await h.pool.producer.enqueue(boom, {}));
      // The board learns of finished jobs through queue events: poll the scrape until they are counted.
      let text = '';
      for (let i = 0; i < 50 && !/aexy_job_failures_total\{queue="system",job="test.boom"\} 1/.test(text); i++) {
        text = (await app.inject({ url: '/metrics' })).body;
        if (!/aexy_job_failures_total\{queue="system",job="test.boom"\} 1/.test(text)) await new Promise((r) => setTimeout(r, 50));
      }
      expect(text).toMatch(/aexy_queue_jobs\{queue="system",state="completed"\} [1-9]/);
      expect(text).toMatch(/aexy_queue_jobs\{queue="system",state="failed"\} 1/);
      expect(text).toMatch(/aexy_queue_jobs\{queue="github-sync",state="waiting"\} 0/);
      expect(text).toMatch(/aexy_job_duration_seconds_count\{queue="system",job="system.noop",outcome="completed"\} [1-9]/);
      expect(text).toMatch(/aexy_job_failures_total\{queue="system",job="test.boom"\} 1/);
      expect(text).toMatch(/^aexy_redis_up 1$/m);
    } finally {
      await h.close();
    }
  });

  it('/readyz answers 503 and names the dependency that is down', async () => {
    const broken = await buildBoardServer({
      config: testConfig({ BOARD_AUTH_DISABLED: 'true', REDIS_URL: 'redis://127.0.0.1:1' }),
      orm: w.db.orm,
      log: createLogger('silent'),
    });
    try {
      const res = await broken.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json().checks.postgres).toBe('ok');
      expect(res.json().checks.redis).toMatch(/^error: /);
      // A Prometheus scrape still answers (without queue series), saying Redis is down.
      const metrics = await broken.inject({ url: '/metrics' });
      expect(metrics.statusCode).toBe(200);
      expect(metrics.body).toMatch(/^aexy_redis_up 0$/m);
      expect(metrics.body).not.toMatch(/^aexy_queue_jobs\{/m);
    } finally {
      await broken.close();
    }
  });
});
