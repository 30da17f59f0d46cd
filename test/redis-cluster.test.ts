import type { FastifyInstance } from 'fastify';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildBoardServer } from '../src/board/server.js';
import { loadConfig, type AppConfig } from '../src/config/index.js';
import { systemNoop } from '../src/jobs/index.js';
import { defineJob } from '../src/jobs/handler.js';
import { ensureSchedulers, listSchedulers } from '../src/jobs/schedulers.js';
import { createLogger } from '../src/lib/logger.js';
import { JobWatcher } from '../src/queues/job-watcher.js';
import { fairKey } from '../src/queues/fairness.js';
import { systemNoopJob } from '../src/system/jobs/system-noop.job.js';
import { startWorkerPool, type WorkerPool } from '../src/workers/runtime.js';
import { useTestWorld } from './hooks.js';
import { haveRedisServer, LocalRedisCluster } from './helpers/redis-cluster.js';
import { testConfig } from './helpers/redis.js';

const available = haveRedisServer();
if (!available) console.warn('redis-cluster tests skipped: redis-server and redis-cli are not installed (apt install redis-server)');

const fairWork = defineJob({
  name: 'test.cluster-fair',
  queue: 'github-sync',
  schema: z.object({ tenant: z.string() }).strict(),
  fairBy: (d) => d.tenant,
  process: async (d) => ({ tenant: d.tenant }),
});

/**
 * The `{prefix}` form on a real Redis Cluster of three masters started for the test: producers,
 * workers, job schedulers, fair priorities and the board, every key of the prefix in one slot.
 */
describe.skipIf(!available)('on a real 3-node Redis Cluster', () => {
  const w = useTestWorld();
  const cluster = new LocalRedisCluster();
  let config: AppConfig;
  let pool: WorkerPool;
  let app: FastifyInstance;
  let watcher: JobWatcher;
  let probe: Cluster;

  beforeAll(async () => {
    await cluster.start();
    config = {
      ...testConfig({
        REDIS_URL: `redis://127.0.0.1:${cluster.ports[0]}`,
        REDIS_CLUSTER_NODES: cluster.nodes,
        QUEUE_PREFIX: `{aexy-cluster-${process.pid}}`,
        BOARD_USER: 'ops',
        BOARD_PASSWORD: 'correct horse',
      }),
      DATABASE_URL: w.db.url,
    };
    pool = await startWorkerPool({ config, orm: w.db.orm, log: createLogger('silent'), jobs: [systemNoopJob, fairWork] });
    watcher = new JobWatcher({ url: config.REDIS_URL, prefix: config.QUEUE_PREFIX, clusterNodes: config.REDIS_CLUSTER_NODES });
    await watcher.listen(['system', 'github-sync']);
    app = await buildBoardServer({ config, orm: w.db.orm, log: createLogger('silent') });
    await app.ready();
    probe = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await watcher?.close();
    await pool?.close();
    probe?.disconnect();
    await cluster.stop();
  });

  it('refuses a prefix without a hash tag, naming the fix', () => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: cluster.nodes, QUEUE_PREFIX: 'aexy' })).toThrow(
      /QUEUE_PREFIX: on Redis Cluster \(REDIS_CLUSTER_NODES\) it must hold a hash tag, e\.g\. \{aexy\}/,
    );
  });

  it('a producer queues and a worker runs jobs; a tenant job takes its place; every key of the prefix is on one node', async () => {
    const job = await pool.producer.enqueue(systemNoop, { note: 'on a cluster' });
    expect(await watcher.finish(job, 20_000)).toEqual({ ok: true, note: 'on a cluster' });
    const queue = pool.producer.queue('github-sync');
    await queue.pause();
    const fair = [await pool.producer.enqueue(fairWork, { tenant: 'a' }), await pool.producer.enqueue(fairWork, { tenant: 'a' })];
    expect(fair.map((j) => j.opts.priority)).toEqual([1, 2]);
    expect(await probe.scard(fairKey(config.QUEUE_PREFIX, 'github-sync', 'a'))).toBe(2);
    await queue.resume();
    expect(await Promise.all(fair.map((j) => watcher.finish(j, 20_000)))).toEqual([{ tenant: 'a' }, { tenant: 'a' }]);
    expect(await probe.scard(fairKey(config.QUEUE_PREFIX, 'github-sync', 'a'))).toBe(0);
    // The keys live in the hash tag's slot, on the one master that serves it.
    const perNode = await Promise.all(probe.nodes('master').map(async (n) => (await n.keys(`${config.QUEUE_PREFIX}*`)).length));
    expect(perNode.filter((n) => n > 0)).toHaveLength(1);
    expect(Math.max(...perNode)).toBeGreaterThan(5);
  });

  it('the job schedulers are declared once each, however many times', async () => {
    const first = await ensureSchedulers(pool.producer, config);
    await ensureSchedulers(pool.producer, config);
    const listed = await listSchedulers(pool.producer);
    expect(listed.map((s) => s.id).sort()).toEqual(first.map((s) => s.id).sort());
    expect(listed.length).toBeGreaterThanOrEqual(8);
  });

  it('the board lists the queues with their counts, and /readyz and /metrics answer from the cluster', async () => {
    const auth = `Basic ${Buffer.from('ops:correct horse').toString('base64')}`;
    const queues = await app.inject({ url: '/admin/queues/api/queues', headers: { authorization: auth } });
    expect(queues.statusCode).toBe(200);
    // The board names a queue with its prefix.
    const system = (queues.json() as { queues: { name: string; counts: Record<string, number> }[] }).queues.find((q) => q.name.endsWith(':system'))!;
    expect(system.counts.completed).toBeGreaterThanOrEqual(1);
    expect((await app.inject({ url: '/readyz' })).json()).toMatchObject({ status: 'ready' });
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/^aexy_queue_jobs\{queue="system",state="completed"\} [1-9]/m);
  });
});
