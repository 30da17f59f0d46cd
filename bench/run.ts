/**
 * `npm run bench`: throughput of our code against a baseline measured in the same run, on the same
 * machine, so the ratios mean something wherever it runs:
 *   (a) no-op jobs through our worker runtime vs bare BullMQ;
 *   (b) the sync's commit write path (batched upserts) vs PostgreSQL COPY of the same rows.
 * BENCH_JOBS / BENCH_COMMITS scale the runs.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Queue, Worker } from 'bullmq';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { loadConfig } from '../src/config/index.js';
import { ensureDatabase } from '../src/db/ensure-database.js';
import { migrate, openOrm, type MikroORM } from '../src/db/orm.js';
import { createLogger } from '../src/lib/logger.js';
import { upsertCommits, upsertDevelopers, type CommitRow } from '../src/sync/writers.js';
import { systemNoop } from '../src/workers/jobs/index.js';
import { startWorkerPool } from '../src/workers/runtime.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 5000);
const COMMITS = Number(process.env.BENCH_COMMITS ?? 20000);
const CONCURRENCY = 50;
const base = loadConfig();

function dbUrl(name: string): string {
  const u = new URL(base.DATABASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

async function drain(queueName: string, prefix: string, n: number, start: () => Promise<() => Promise<void>>): Promise<number> {
  const queue = new Queue(queueName, { connection: { url: base.REDIS_URL }, prefix });
  for (let i = 0; i < n; i += 1000) {
    await queue.addBulk(Array.from({ length: Math.min(1000, n - i) }, () => ({ name: systemNoop.name, data: {}, opts: { removeOnComplete: true } })));
  }
  const t0 = performance.now();
  const stop = await start();
  while ((await queue.getWaitingCount()) + (await queue.getActiveCount()) > 0) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - t0) / 1000;
  await stop();
  await queue.obliterate({ force: true });
  await queue.close();
  return n / seconds;
}

async function benchJobs(orm: MikroORM): Promise<{ bare: number; ours: number }> {
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const bare = await drain('system', prefix, JOBS, async () => {
    const w = new Worker('system', async () => ({ ok: true }), { connection: { url: base.REDIS_URL, maxRetriesPerRequest: null }, prefix, concurrency: CONCURRENCY });
    return () => w.close();
  });
  const ours = await drain('system', prefix, JOBS, async () => {
    const pool = await startWorkerPool({
      config: { ...base, QUEUE_PREFIX: prefix, WORKER_CONCURRENCY: CONCURRENCY },
      orm,
      log: createLogger('silent'),
      jobs: [systemNoop],
    });
    return () => pool.close();
  });
  return { bare, ours };
}

function makeCommits(n: number, devIds: number[]): CommitRow[] {
  return Array.from({ length: n }, (_, i) => ({
    sha: randomBytes(20).toString('hex'),
    author_github_id: devIds[i % devIds.length]!,
    repository_name: 'bench',
    repository_full_name: 'aexy/bench',
    message: `commit ${i}: a realistic one-line message`,
    additions: 10 + (i % 90),
    deletions: i % 30,
    files_changed: 3,
    files: [0, 1, 2].map((k) => ({ path: `src/pkg${k}/file${i % 50}.ts`, additions: 3 + k, deletions: k, language: 'TypeScript' })),
    languages: { TypeScript: 12 },
    committed_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
  }));
}

async function benchWrites(orm: MikroORM, url: string): Promise<{ ours: number; copy: number }> {
  const em = orm.em.fork();
  const devs = await upsertDevelopers(
    em,
    Array.from({ length: 200 }, (_, i) => ({ github_id: 7_000_000 + i, github_username: `bench-${i}`, avatar_url: null })),
  );
  const devGithubIds = [...devs.keys()];
  const rows = makeCommits(COMMITS, devGithubIds);

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('TRUNCATE commits CASCADE');
  let t0 = performance.now();
  for (let i = 0; i < rows.length; i += 1000) {
    await em.transactional((tx) => upsertCommits(tx, rows.slice(i, i + 1000), devs));
  }
  const ours = COMMITS / ((performance.now() - t0) / 1000);

  await client.query('TRUNCATE commits CASCADE');
  const csv = (v: unknown) => (v === null ? '' : `"${String(v).replace(/"/g, '""')}"`);
  t0 = performance.now();
  await pipeline(
    Readable.from(
      (function* () {
        for (const r of rows) {
          yield [r.sha, devs.get(r.author_github_id!)!, r.repository_name, r.repository_full_name, r.message, r.additions, r.deletions, r.files_changed, JSON.stringify(r.files), JSON.stringify(r.languages), r.committed_at]
            .map(csv)
            .join(',') + '\n';
        }
      })(),
    ),
    client.query(
      copyFrom(
        `COPY commits (sha, developer_id, repository_name, repository_full_name, message, additions, deletions, files_changed, files, languages, committed_at) FROM STDIN WITH (FORMAT csv)`,
      ),
    ),
  );
  const copy = COMMITS / ((performance.now() - t0) / 1000);
  await client.end();
  return { ours, copy };
}

async function main(): Promise<void> {
  const name = `aexy_bench_${process.pid}`;
  const url = dbUrl(name);
  await ensureDatabase(url);
  const orm = await openOrm(url);
  try {
    await migrate(orm);
    console.log(`aexy-workers bench: ${JOBS} no-op jobs (concurrency ${CONCURRENCY}), ${COMMITS} commits\n`);
    const jobs = await benchJobs(orm);
    const writes = await benchWrites(orm, url);
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    const rows = [
      { benchmark: '(a) no-op jobs/s', ours: fmt(jobs.ours), baseline: `${fmt(jobs.bare)} (bare BullMQ)`, ratio: `${((jobs.ours / jobs.bare) * 100).toFixed(0)}%`, goal: '≥ 80%' },
      { benchmark: '(b) commits written/s', ours: fmt(writes.ours), baseline: `${fmt(writes.copy)} (COPY)`, ratio: `${((writes.ours / writes.copy) * 100).toFixed(0)}%`, goal: '≥ 50%' },
    ];
    console.table(rows);
  } finally {
    await orm.close();
    const admin = new pg.Client({ connectionString: dbUrl('postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
