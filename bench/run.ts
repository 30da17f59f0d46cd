/**
 * `npm run bench`: throughput of our code against a baseline measured in the same run, on the same
 * machine, so the ratios mean something wherever it runs:
 *   (a) no-op jobs through our worker runtime vs bare BullMQ;
 *   (b) the sync's commit write path (batched upserts) vs PostgreSQL COPY of the same rows;
 *   (c) a 1M-commit CSV export (rows/s, peak RSS) vs COPY … TO STDOUT CSV of the same query;
 *   (d) a 12-widget PDF report over 200 developers and 1M commits;
 *   (e) each metric for one developer on 1M commits, and the index the plan uses;
 *   (f) a commit sync of a real git history (merged branches) through the GitHub stand-in:
 *       requests per stored commit, and the duplicate requests one rate-limit pause causes;
 *   (g) a first sync at GitHub scale (10,000 commits, 2,000 pull requests) through both paths
 *       (bench/scale-sync.ts);
 *   (h) start-up of the CLI and of a worker, compiled against tsx (bench/startup.ts);
 *   (i) deployments from the Deployments API (bench/deployments.ts);
 *   (j) fair sharing of the github-sync queue between two organizations (bench/fairness.ts).
 * BENCH_REAL_GIT=<a bare repository> adds (g) on that real history. BENCH_JOBS / BENCH_COMMITS / BENCH_EXPORT_ROWS / BENCH_SYNC_COMMITS / BENCH_SCALE_COMMITS / BENCH_SCALE_PULLS scale the
 * runs; (a) is the median of BENCH_ROUNDS (5) alternating rounds; (g) times BENCH_WARM_RUNS (5) first syncs, each paired with a run of its floor.
 */
import { median } from './median.js';
import { systemNoopJob } from '../src/system/jobs/system-noop.job.js';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Queue, Worker } from 'bullmq';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, withPgClient } from '../src/db/sql.js';
import { exportQuery } from '../src/exports/definitions.js';
import { streamExport } from '../src/exports/writer.js';
import { computeMetrics, METRIC_NAMES } from '../src/metrics/library.js';
import { runCustomReport } from '../src/reports/run.js';
import { loadConfig } from '../src/config/index.js';
import { ensureDatabase } from '../src/db/ensure-database.js';
import { migrate, openOrm, type MikroORM } from '../src/db/orm.js';
import { createLogger } from '../src/lib/logger.js';
import { upsertDevelopers } from '../src/people/sql/developers.js';
import { upsertCommits, type CommitRow } from '../src/github/sql/writers.js';
import { Redis } from 'ioredis';
import { GitHubStandIn } from '../src/dev/github-stand-in.js';
import { GitRepo } from '../src/dev/git-repo.js';
import { createGitHubClient } from '../src/github/api/client.js';
import { RateLimitedError } from '../src/errors/index.js';
import { syncCommits } from '../src/github/sync/commit-sync.js';
import { benchRealHistory, benchScaleSync, SCALE_COMMITS, SCALE_PULLS, WARM_RUNS } from './scale-sync.js';
import { benchStartup } from './startup.js';
import { benchDeployments, BENCH_DEPLOYMENTS } from './deployments.js';
import { benchFairness, FAIR_BIG } from './fairness.js';
import { systemNoop } from '../src/jobs/index.js';
import { startWorkerPool } from '../src/workers/runtime.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 5000);
const EXPORT_ROWS = Number(process.env.BENCH_EXPORT_ROWS ?? 1_000_000);
const COMMITS = Number(process.env.BENCH_COMMITS ?? 20000);
const CONCURRENCY = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SYNC_COMMITS = Number(process.env.BENCH_SYNC_COMMITS ?? 300);
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
  const bareRun = () =>
    drain('system', prefix, JOBS, async () => {
      const w = new Worker('system', async () => ({ ok: true }), {
        connection: { url: base.REDIS_URL, maxRetriesPerRequest: null },
        prefix,
        concurrency: CONCURRENCY,
      });
      return () => w.close();
    });
  const oursRun = () =>
    drain('system', prefix, JOBS, async () => {
      const pool = await startWorkerPool({
        config: { ...base, QUEUE_PREFIX: prefix, WORKER_CONCURRENCY: CONCURRENCY },
        orm,
        log: createLogger('silent'),
        jobs: [systemNoopJob],
      });
      return () => pool.close();
    });
  // Alternating rounds, median of each: one run of a few thousand jobs on a busy 2-core machine
  // swings by ±15 %, and whichever side runs second would otherwise get the warmer JIT and Redis.
  const bare: number[] = [];
  const ours: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      bare.push(await bareRun());
      ours.push(await oursRun());
    } else {
      ours.push(await oursRun());
      bare.push(await bareRun());
    }
  }
  return { bare: median(bare), ours: median(ours) };
}

function makeCommits(n: number, devIds: number[], devs: Map<number, string>): (CommitRow & { developer_id: string | null })[] {
  return Array.from({ length: n }, (_, i) => ({
    developer_id: devs.get(devIds[i % devIds.length]!) ?? null,
    parent_shas: [randomBytes(20).toString('hex')],
    author_name: `Bench ${i % devIds.length}`,
    author_email: `bench-${i % devIds.length}@example.com`,
    committer_email: 'noreply@github.com',
    committer_date: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    coauthors: [],
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
  const rows = makeCommits(COMMITS, devGithubIds, devs);

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('TRUNCATE commits, commit_graph CASCADE');
  let t0 = performance.now();
  for (let i = 0; i < rows.length; i += 1000) {
    await em.transactional((tx) => upsertCommits(tx, rows.slice(i, i + 1000)));
  }
  const ours = COMMITS / ((performance.now() - t0) / 1000);
  const stored = await client.query<{ c: number; g: number }>('SELECT (SELECT count(*) FROM commits)::int AS c, (SELECT count(*) FROM commit_graph)::int AS g');
  if (stored.rows[0]!.c !== COMMITS || stored.rows[0]!.g !== COMMITS) throw new Error(`(b) stored ${JSON.stringify(stored.rows[0])}, not ${COMMITS} of each`);

  await client.query('TRUNCATE commits, commit_graph CASCADE');
  // The same rows into the same two tables (commits and their graph rows), one bare COPY each.
  const csv = (v: unknown) => (v === null ? '' : `"${String(v).replace(/"/g, '""')}"`);
  const copyCsv = (statement: string, line: (r: (typeof rows)[number]) => unknown[]) =>
    pipeline(
      Readable.from(
        (function* () {
          for (const r of rows) yield line(r).map(csv).join(',') + '\n';
        })(),
      ),
      client.query(copyFrom(statement)),
    );
  t0 = performance.now();
  await copyCsv(
    `COPY commits (sha, developer_id, repository_name, repository_full_name, message, additions, deletions, files_changed, files, languages, committed_at) FROM STDIN WITH (FORMAT csv)`,
    (r) => [
      r.sha,
      devs.get(r.author_github_id!)!,
      r.repository_name,
      r.repository_full_name,
      r.message,
      r.additions,
      r.deletions,
      r.files_changed,
      JSON.stringify(r.files),
      JSON.stringify(r.languages),
      r.committed_at,
    ],
  );
  await copyCsv(
    `COPY commit_graph (sha, parent_shas, is_merge, author_name, author_email, committer_email, committer_date) FROM STDIN WITH (FORMAT csv)`,
    (r) => [r.sha, `{${r.parent_shas.join(',')}}`, r.parent_shas.length > 1, r.author_name, r.author_email, r.committer_email, r.committer_date],
  );
  const copy = COMMITS / ((performance.now() - t0) / 1000);
  await client.end();
  return { ours, copy };
}

/** Peak RSS while `fn` runs, sampled every 20 ms. */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakMb: peak / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

/** The organization of the export and report benches. */
const BENCH_ORG = '6b0c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3';

/** The 1M-commit table of (c), (d) and (e): every developer in one team of BENCH_ORG, its repository's commits. Returns the developers. */
async function seedBigTable(client: pg.Client): Promise<string[]> {
  await client.query('TRUNCATE commits, commit_graph CASCADE');
  // The 200 developers of (b), made here when (b) did not run.
  await client.query(
    `INSERT INTO developers (github_id, github_username) SELECT 7000000 + g, 'bench-' || g FROM generate_series(0, 199) g ON CONFLICT (github_id) DO NOTHING`,
  );
  const devIds = (await client.query<{ id: string }>('SELECT id FROM developers')).rows.map((r) => r.id);
  // Everyone in one team of one organization: the export (and the PDF's report) are of that organization.
  await client.query(`DELETE FROM teams WHERE name = 'bench export'`);
  await client.query(`INSERT INTO teams (name, organization_id, developer_ids) VALUES ('bench export', $1, $2::uuid[])`, [BENCH_ORG, devIds]);
  // The commits are in the organization's repository: what its exports and reports count.
  await client.query(
    `INSERT INTO tracked_repositories (full_name, organization_id) VALUES ('aexy/bench', $1) ON CONFLICT (full_name) DO UPDATE SET organization_id = EXCLUDED.organization_id`,
    [BENCH_ORG],
  );
  await client.query(
    `INSERT INTO commits (sha, developer_id, repository_name, repository_full_name, message, additions, deletions, files_changed, languages, committed_at)
     SELECT md5(g::text) || substr(md5((g + 1)::text), 1, 8), ($1::uuid[])[1 + g % cardinality($1::uuid[])], 'bench', 'aexy/bench',
            'commit ' || g || ': a realistic one-line message', g % 200, g % 50, 1 + g % 9, jsonb_build_object('TypeScript', g % 300),
            timestamptz '2024-01-01' + g * interval '1 minute'
       FROM generate_series(1, $2) g`,
    [devIds, EXPORT_ROWS],
  );
  // Each commit's graph row, as a sync writes it: one in sixteen (a sha ending in 0) a merge.
  await client.query(`INSERT INTO commit_graph (sha, parent_shas, is_merge) SELECT sha, '{}', right(sha, 1) IN ('0') FROM commits`);
  await client.query('VACUUM (ANALYZE) commit_graph');
  // Vacuumed: the first reader of freshly inserted rows would otherwise pay for setting their hint bits.
  await client.query('VACUUM (ANALYZE) commits');
  return devIds;
}

/**
 * (c) The commit export of the 1M-row table as our CSV export writes it (streamExport: COPY of the
 * formula-neutralised query, parameters through set_config, progress counted, the file fsync'd and
 * renamed) against a bare `COPY (the same query) TO STDOUT` into a file (the table vacuumed by
 * seedBigTable); the two alternate over three rounds: the median time, the highest peak RSS of each.
 */
async function benchExport(orm: MikroORM, client: pg.Client): Promise<{ ours: number; copy: number; oursMb: number; copyMb: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'aexy-bench-'));
  const ours = async () => {
    const t0 = performance.now();
    const run = await withPeakRss(() =>
      withPgClient(orm.em.fork(), (c) =>
        streamExport({
          client: c,
          query: exportQuery('commits', { organization_id: BENCH_ORG }, new Date(), { csvSafe: true }),
          format: 'csv',
          dir,
          finalName: 'commits.csv',
        }),
      ),
    );
    if (run.result.rows !== EXPORT_ROWS) throw new Error(`(c) exported ${run.result.rows} rows, not ${EXPORT_ROWS}`);
    return { seconds: (performance.now() - t0) / 1000, mb: run.peakMb };
  };
  const copy = async () => {
    const t0 = performance.now();
    const run = await withPeakRss(async () => {
      const q = exportQuery('commits', { organization_id: BENCH_ORG });
      // COPY takes no parameters: the baseline inlines the one value (a constant of the bench), as ours binds it through set_config.
      const text = q.sql.replace('?', `'${BENCH_ORG}'`);
      await pipeline(client.query(copyTo(`COPY (${text}) TO STDOUT WITH (FORMAT csv, HEADER)`)), createWriteStream(join(dir, 'copy.csv')));
    });
    return { seconds: (performance.now() - t0) / 1000, mb: run.peakMb };
  };
  const runs: { ours: { seconds: number; mb: number }[]; copy: { seconds: number; mb: number }[] } = { ours: [], copy: [] };
  for (let round = 0; round < Math.min(ROUNDS, 3); round++) {
    global.gc?.();
    if (round % 2 === 0) {
      runs.ours.push(await ours());
      global.gc?.();
      runs.copy.push(await copy());
    } else {
      runs.copy.push(await copy());
      global.gc?.();
      runs.ours.push(await ours());
    }
  }
  await rm(dir, { recursive: true, force: true });
  return {
    ours: EXPORT_ROWS / median(runs.ours.map((r) => r.seconds)),
    copy: EXPORT_ROWS / median(runs.copy.map((r) => r.seconds)),
    oursMb: Math.max(...runs.ours.map((r) => r.mb)),
    copyMb: Math.max(...runs.copy.map((r) => r.mb)),
  };
}

/** (d) The 12 widgets of a dashboard. */
const WIDGETS_12 = [
  { type: 'number', metric: 'commits' },
  { type: 'number', metric: 'lines_added' },
  { type: 'number', metric: 'active_days' },
  { type: 'number', metric: 'after_hours_share' },
  { type: 'line', metric: 'commits', config: { group_by: 'week' } },
  { type: 'line', metric: 'lines_added', config: { group_by: 'week' } },
  { type: 'bar', metric: 'language_mix' },
  { type: 'pie', metric: 'pr_size_distribution' },
  { type: 'bar', metric: 'commits', config: { group_by: 'developer' } },
  { type: 'table', metric: 'lines_added', config: { group_by: 'developer' } },
  { type: 'number', metric: 'weekend_share' },
  { type: 'number', metric: 'reviews_given' },
];

/**
 * (d) A report of these widgets over every developer (200) and the 1M-commit table, rendered to PDF
 * three times: the first (this process's first PDF of them: the font read and subset) and the median
 * of the next two (a worker's steady state).
 */
async function benchPdf(orm: MikroORM, widgets: unknown[]): Promise<{ firstMs: number; ms: number; bytes: number }> {
  const em = orm.em.fork();
  const [r] = await sql<{ id: string }>(
    em,
    `INSERT INTO custom_reports (organization_id, name, widgets, filters) VALUES ('${BENCH_ORG}', 'Bench', ?::jsonb, '{"date_range":{"start":"2024-01-01","end":"2024-04-01"}}') RETURNING id`,
    [JSON.stringify(widgets)],
  );
  const dir = await mkdtemp(join(tmpdir(), 'aexy-bench-pdf-'));
  const runs: { ms: number; bytes: number; errors: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const out = await runCustomReport(orm.em.fork(), r!.id, 'pdf', dir);
    runs.push({ ms: performance.now() - t0, bytes: out.bytes, errors: out.data.widgets.filter((w) => w.type === 'error').length });
  }
  await rm(dir, { recursive: true, force: true });
  if (runs[0]!.errors > 0) throw new Error(`(d) ${runs[0]!.errors} of the report's widgets are errors`);
  return { firstMs: runs[0]!.ms, ms: median(runs.slice(1).map((x) => x.ms)), bytes: runs[0]!.bytes };
}

/**
 * (f) A git history of SYNC_COMMITS commits by 20 authors, a 10-commit branch (dated before the
 * main line it joins) merged every 40 commits, served by the GitHub stand-in. Synced once straight
 * through, then again into an empty database with one rate-limit pause in the middle (the budget
 * runs out at the 150th commit detail), resumed after the reset as a parked job would be.
 */
async function benchSync(orm: MikroORM): Promise<{
  commits: number;
  requests: number;
  pausedRequests: number;
  duplicates: number;
  apiSeconds: number;
}> {
  const repo = new GitRepo();
  const gh = await new GitHubStandIn().start();
  const redis = new Redis(base.REDIS_URL, { maxRetriesPerRequest: null });
  const log = createLogger('silent');
  try {
    const who = (i: number) => ({ name: `Dev ${i % 20}`, email: `dev${i % 20}@bench.example` });
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString();
    for (let i = 0, n = 0; n < SYNC_COMMITS; i++) {
      if (i > 0 && i % 40 === 0) {
        repo.git('checkout', '-q', '-b', `b${i}`, 'HEAD~20');
        for (let k = 0; k < 10; k++, n++) {
          repo.write(`branch${i}/f${k}.ts`, `export const v${k} = ${k};\n`.repeat(k + 1));
          repo.commit(who(i + k), at(i - 30 + k), `branch ${i} work ${k}`);
        }
        repo.git('checkout', '-q', 'main');
        repo.merge(`b${i}`, who(i), at(i));
        n++;
      }
      repo.write(`src/m${i % 25}.ts`, `export const x = ${i};\n`.repeat(1 + (i % 7)));
      repo.commit(who(i), at(i), `main work ${i}`);
      n++;
    }
    repo.push();
    gh.repos.set('bench/history', { commits: [], pulls: [], git: repo.bare });

    const run = async (pauseAtDetail?: number) => {
      const em = orm.em.fork();
      await sql(em, `TRUNCATE commits, commit_graph, commit_coauthors, developer_identities, developer_dirty, github_commit_heads, github_http_cache CASCADE`);
      const prefix = `bench-sync-${randomBytes(4).toString('hex')}`;
      const octokit = createGitHubClient({ baseUrl: gh.url, token: gh.token, redis, prefix, em, log, maxInlineWaitSeconds: 0, retryBaseMs: 10 });
      gh.rate = { limit: 5000, remaining: 5000, reset: Math.floor(Date.now() / 1000) + 3600, window: 3600 };
      gh.reset();
      let details = 0;
      gh.onRequest = (r) => {
        if (/\/commits\/[0-9a-f]{40}$/.test(r.path) && ++details === pauseAtDetail)
          Object.assign(gh.rate, { remaining: 0, reset: Math.ceil(Date.now() / 1000) + 1 });
      };
      const opts = { octokit, em, log, repo: 'bench/history', overlapMinutes: 5, initialDays: 0 };
      const t0 = performance.now();
      for (;;) {
        try {
          await syncCommits(opts);
          break;
        } catch (err) {
          if (!(err instanceof RateLimitedError)) throw err;
          await new Promise((r) => setTimeout(r, Math.max(0, err.resetAt.getTime() - Date.now())));
        }
      }
      gh.onRequest = undefined;
      const [{ n }] = (await sql<{ n: number }>(em, `SELECT count(*)::int AS n FROM commits`)) as [{ n: number }];
      const served = gh.requests.filter((r) => r.status === 200);
      const detailPaths = served.filter((r) => /\/commits\/[0-9a-f]{40}$/.test(r.path)).map((r) => r.path);
      const seconds = (performance.now() - t0) / 1000;
      return { commits: n, counted: gh.counted().length, duplicates: detailPaths.length - new Set(detailPaths).size, seconds };
    };
    const straight = await run();
    const paused = await run(150);
    return {
      commits: straight.commits,
      requests: straight.counted,
      pausedRequests: paused.counted,
      duplicates: paused.duplicates,
      apiSeconds: straight.seconds,
    };
  } finally {
    await gh.stop();
    redis.disconnect();
    repo.remove();
  }
}

/** Every metric for one developer over 30 days on the 1M-commit table: time and the index its plan uses. */
async function benchMetrics(client: pg.Client, devIds: string[]): Promise<{ metric: string; ms: string; plan: string }[]> {
  const filters = { developer_ids: [devIds[0]!], date_range: { start: '2024-06-01', end: '2024-07-01' } };
  const out = [];
  for (const name of METRIC_NAMES) {
    const t0 = performance.now();
    await computeMetrics(client, [name], filters);
    out.push({ metric: name, ms: (performance.now() - t0).toFixed(1), plan: '' });
  }
  // The statement the `commits` metric runs (its window bound once in a leading row, the set in place).
  const explain = await sql<{ 'QUERY PLAN': string }>(
    client,
    `EXPLAIN WITH win AS (SELECT ?::timestamptz AS s, ?::timestamptz AS e)
     SELECT count(*) FROM counted_commits c
      WHERE c.committed_at >= (SELECT s FROM win) AND c.committed_at < (SELECT e FROM win) AND c.developer_id = ANY(?::uuid[])`,
    ['2024-06-01', '2024-07-01', [devIds[0]]],
  );
  const plan = explain.map((r) => r['QUERY PLAN']).join(' ');
  out[0]!.plan = plan.match(/(idx_\w+|Seq Scan)/g)?.join(', ') ?? plan.slice(0, 60);
  return out;
}

/** BENCH_ONLY=b,d runs those parts alone (default: all). */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'abcdefghij').split(/[\s,]*/).filter(Boolean));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(0)}%`;

async function main(): Promise<void> {
  const name = `aexy_bench_${process.pid}`;
  const url = dbUrl(name);
  await ensureDatabase(url);
  const orm = await openOrm(url);
  try {
    await migrate(orm);
    console.log(`aexy-workers bench: ${JOBS} no-op jobs (concurrency ${CONCURRENCY}), ${COMMITS} commits, parts ${[...ONLY].join('')}\n`);
    if (ONLY.has('a')) {
      const jobs = await benchJobs(orm);
      console.table([
        { benchmark: '(a) no-op jobs/s', ours: fmt(jobs.ours), baseline: `${fmt(jobs.bare)} (bare BullMQ)`, ratio: pct(jobs.ours, jobs.bare), goal: '≥ 80%' },
      ]);
    }
    if (ONLY.has('b')) {
      const writes = await benchWrites(orm, url);
      console.table([
        {
          benchmark: '(b) commits written/s (commits + commit_graph)',
          ours: fmt(writes.ours),
          baseline: `${fmt(writes.copy)} (COPY of both)`,
          ratio: pct(writes.ours, writes.copy),
          goal: '≥ 80%',
        },
      ]);
    }
    if (ONLY.has('c') || ONLY.has('d') || ONLY.has('e')) {
      const client = new pg.Client({ connectionString: url });
      // An error of the run is reported by main; the database dropped after it ends this connection.
      client.on('error', () => undefined);
      await client.connect();
      const devIds = await seedBigTable(client);
      if (ONLY.has('c')) {
        const exported = await benchExport(orm, client);
        console.table([
          {
            benchmark: `(c) ${fmt(EXPORT_ROWS)}-commit CSV export rows/s`,
            ours: fmt(exported.ours),
            baseline: `${fmt(exported.copy)} (COPY TO STDOUT CSV)`,
            ratio: pct(exported.ours, exported.copy),
            goal: '≥ 80%',
          },
          {
            benchmark: '(c) peak RSS during the export (MB)',
            ours: exported.oursMb.toFixed(0),
            baseline: `${exported.copyMb.toFixed(0)} (COPY)`,
            ratio: pct(exported.oursMb, exported.copyMb),
            goal: '≤ 110%',
          },
        ]);
      }
      if (ONLY.has('d')) {
        const pdf = await benchPdf(orm, WIDGETS_12);
        const many = await benchPdf(
          orm,
          Array.from({ length: 100 }, (_, i) => WIDGETS_12[i % WIDGETS_12.length]!),
        );
        console.log(
          `(d) report over 200 developers and ${fmt(EXPORT_ROWS)} commits → PDF (first of the process; then the median of two more): ` +
            `12 widgets ${(pdf.firstMs / 1000).toFixed(2)} s; ${(pdf.ms / 1000).toFixed(2)} s (${fmt(pdf.bytes)} bytes; goal < 1 s), ` +
            `100 widgets (the 12 over and over: a statement several widgets make runs once) ${(many.firstMs / 1000).toFixed(2)} s; ${(many.ms / 1000).toFixed(2)} s (${fmt(many.bytes)} bytes; goal < 3 s)`,
        );
      }
      if (ONLY.has('e')) {
        const metricsReport = await benchMetrics(client, devIds);
        console.log(`(e) metrics for one developer over 30 days on ${fmt(EXPORT_ROWS)} commits (plan of the commit scan: ${metricsReport[0]?.plan}):`);
        console.table(metricsReport.map(({ metric, ms }) => ({ metric, ms })));
      }
      await client.end();
    }
    if (ONLY.has('f')) {
      const synced = await benchSync(orm);
      console.log(
        `(f) commit sync of a ${fmt(synced.commits)}-commit git history with merged branches: ${(synced.requests / synced.commits).toFixed(3)} requests per stored commit ` +
          `(${fmt(synced.requests)} requests, ${synced.apiSeconds.toFixed(1)} s); with one rate-limit pause: ${fmt(synced.pausedRequests)} requests, ${synced.duplicates} commit details fetched twice`,
      );
    }
    if (ONLY.has('g')) {
      const scale = await benchScaleSync(orm, base);
      console.log(
        `(g) first sync at GitHub scale: a generated history of ${fmt(SCALE_COMMITS)} commits (merged side branches, binaries) and ` +
          `${fmt(SCALE_PULLS)} pull requests with reviews; goals ≤ 0.02 requests per commit, ≤ 0.05 per pull request, commits in < 60 s:`,
      );
      console.table(
        scale.paths.map((p) => ({
          path: p.path === 'rest' ? 'REST API (commit details, PR details + reviews)' : 'commits from git, pull requests from GraphQL',
          commits: fmt(p.commits),
          'commits s': p.commitSeconds.toFixed(1),
          'requests/commit': (p.commitRequests / p.commits).toFixed(3),
          'pull requests': fmt(p.pulls),
          reviews: fmt(p.reviews),
          'pulls s': p.pullSeconds.toFixed(1),
          'requests/PR': (p.pullRequests / p.pulls).toFixed(3),
          'GraphQL points': p.points || '',
        })),
      );
      const git = scale.paths.find((p) => p.path === 'git+graphql')!;
      const floorSeconds = scale.floor.gitSeconds + scale.floor.copySeconds;
      const { commitSeconds: warm, cloneSeconds: clone } = scale.warm;
      console.log(
        `(g) floor of the git path's commits: git log --numstat of the same history ${scale.floor.gitSeconds.toFixed(2)} s + COPY of the same rows ` +
          `${scale.floor.copySeconds.toFixed(2)} s = ${floorSeconds.toFixed(2)} s (medians of ${WARM_RUNS}); ours ${warm.toFixed(2)} s ` +
          `(median of ${WARM_RUNS} first syncs in a worker that has run one; the process's first: ${git.commitSeconds.toFixed(2)} s), ` +
          `${(warm / floorSeconds).toFixed(2)}× the floor; of it the clone, which the floor does not do, ${clone.toFixed(2)} s ` +
          `(the branch read meanwhile): after it ${(warm - clone).toFixed(2)} s, ${((warm - clone) / floorSeconds).toFixed(2)}× the floor`,
      );
      console.log(
        `(g) paired (each first sync followed by a run of the floor, the machine as it was for both), medians of the ${WARM_RUNS} ratios: ` +
          `ours ${scale.paired.ratio.toFixed(2)}× the floor (goal ≤ 2×); after the clone ${scale.paired.afterClone.toFixed(2)}×`,
      );
      // What 2× the floor's time allows, at most: every core busy all of it.
      const cores = availableParallelism();
      const budget = cores * 2 * floorSeconds;
      console.log(
        `(g) CPU, medians: ours took ${scale.warm.cpuSeconds.toFixed(2)} CPU-s of this machine (node, git, PostgreSQL; GitHub's stand-in ` +
          `${scale.warm.standInCpuSeconds.toFixed(2)} CPU-s apart), the floor ${scale.floor.cpuSeconds.toFixed(2)} CPU-s; in 2× the floor's time ` +
          `${cores} cores can do ${budget.toFixed(2)} CPU-s at most: ours is ${((100 * scale.warm.cpuSeconds) / budget).toFixed(0)} % of that`,
      );
    }
    if (ONLY.has('g') && process.env.BENCH_REAL_GIT) {
      const real = await benchRealHistory(orm, base, process.env.BENCH_REAL_GIT);
      const floorSeconds = real.floor.gitSeconds + real.floor.copySeconds;
      console.log(
        `(g) a real history (BENCH_REAL_GIT, ${fmt(real.commits)} commits) from git: ours ${real.seconds.toFixed(1)} s; floor: git log --numstat ${real.floor.gitSeconds.toFixed(1)} s + ` +
          `COPY ${real.floor.copySeconds.toFixed(1)} s = ${floorSeconds.toFixed(1)} s; ${(real.seconds / floorSeconds).toFixed(2)}× the floor (goal ≤ 2×)`,
      );
    }
    if (ONLY.has('h')) {
      const startup = await benchStartup(url);
      console.log(
        `(h) start-up, median of 5 (goals: --help < 0.3 s, a worker ready < 2 s): aexy --help ${startup.help.dist.toFixed(0)} ms compiled, ` +
          `${startup.help.tsx.toFixed(0)} ms through tsx; a worker ready ${startup.worker.dist.toFixed(0)} ms compiled, ${startup.worker.tsx.toFixed(0)} ms through tsx`,
      );
    }
    if (ONLY.has('i')) {
      const deployed = await benchDeployments(orm, base);
      console.log(
        `(i) deployments: a first sync of ${fmt(BENCH_DEPLOYMENTS)} deployments from the Deployments API, a re-run with nothing new, then 10 new ones; goal ≤ 0.05 counted requests per new deployment, a re-run only 304s:`,
      );
      console.table(
        deployed.map((d) => ({
          'statuses from': d.from === 'rest' ? 'REST (a request per deployment)' : 'GraphQL (100 deployments a request)',
          'first sync requests': d.first,
          'per deployment': (d.first / d.deployments).toFixed(3),
          seconds: d.seconds.toFixed(1),
          're-run requests': d.again,
          '10 new: requests': d.tenNew,
        })),
      );
    }
    if (ONLY.has('j')) {
      const runs = await benchFairness(base, url);
      const goal = Math.floor(FAIR_BIG * 0.05);
      console.log(
        `(j) one organization's ${fmt(FAIR_BIG)} repository syncs queued first, 3 worker processes on them, then (50 started) another's one: ` +
          `the big one's jobs that started between the small one's being queued and its start (goal: fewer than ${goal}, 5 % of the backlog):`,
      );
      console.table(
        runs.map((r) => ({
          order: r.fair ? "by place in each organization's backlog (fairBy)" : 'first in, first out',
          'big jobs before': r.bigBefore,
          'share of the backlog': pct(r.bigBefore, FAIR_BIG),
          'small waited s': r.seconds.toFixed(2),
          goal: r.fair ? (r.bigBefore < goal ? 'met' : 'NOT met') : '',
        })),
      );
    }
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
