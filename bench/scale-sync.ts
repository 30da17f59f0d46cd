/**
 * (g) A first sync at GitHub scale: a generated repository of SCALE_COMMITS commits (20 authors, a
 * merged side branch every 100 commits, a binary file every 500) and SCALE_PULLS pull requests with
 * 1-3 reviews each, served by the GitHub stand-in (the history over git's smart HTTP and the REST
 * API from the same git objects, pull requests over REST and GraphQL), synced into an empty database
 * through both paths: commits from git with pull requests from GraphQL, and the REST API for both.
 * The stand-in runs in a process of its own (stand-in-process.ts), as GitHub runs on its own machines.
 * It reports wall time and rate-limited requests per commit and per pull request for each.
 */
import { median } from './median.js';
import { execFileSync, fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { AppConfig } from '../src/config/index.js';
import { sql, withPgClient } from '../src/db/sql.js';
import type { MikroORM } from '../src/db/orm.js';
import type { StandInPull, StandInUser } from '../src/dev/github-stand-in.js';
import { GitRepo } from '../src/dev/git-repo.js';
import { createGitHubClient } from '../src/github/api/client.js';
import { createLogger } from '../src/lib/logger.js';
import { syncCommits } from '../src/github/sync/commit-sync.js';
import { openMirror } from '../src/github/sync/git.js';
import { LOG_FORMAT } from '../src/github/sync/git-parse.js';
import { syncPulls } from '../src/github/sync/pull-stream.js';

export const SCALE_COMMITS = Number(process.env.BENCH_SCALE_COMMITS ?? 10_000);
export const SCALE_PULLS = Number(process.env.BENCH_SCALE_PULLS ?? 2_000);

/**
 * Timed first syncs of the commits (a worker's later runs, its code compiled by then), each followed
 * by a run of the floor: medians are reported, and the median of each pair's ratio.
 */
export const WARM_RUNS = Number(process.env.BENCH_WARM_RUNS ?? 5);

export interface ScalePath {
  path: string;
  commits: number;
  commitSeconds: number;
  /** Of commitSeconds, until the mirror was cloned (the git path; the branch is read meanwhile). */
  cloneSeconds: number;
  commitRequests: number;
  pulls: number;
  reviews: number;
  pullSeconds: number;
  pullRequests: number;
  points: number;
  /** CPU seconds the commits took on this machine, all processes (ours: node, git, PostgreSQL), the stand-in's apart. */
  cpuSeconds: number;
  /** CPU seconds the stand-in (GitHub's side: the API, serving the clone) took meanwhile. */
  standInCpuSeconds: number;
}

/** CPU seconds every core of this machine has been busy since boot (/proc/stat: user, nice, system, irq, softirq; 100 ticks a second). */
function machineBusySeconds(): number {
  const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/ +/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq!) / 100;
}

const T0 = Date.UTC(2024, 0, 1) / 1000;
const users: StandInUser[] = Array.from({ length: 20 }, (_, k) => ({ id: 4_000_000 + k, login: `scale-dev-${k}`, email: `dev${k}@scale.example` }));

/** The history, written by `git fast-import` (seconds for 10,000 commits, where a commit per process takes minutes). */
function generateHistory(bare: string, n: number): void {
  const chunks: Buffer[] = [];
  const put = (s: string | Buffer) => chunks.push(typeof s === 'string' ? Buffer.from(s) : s);
  const data = (content: string | Buffer) => {
    const b = typeof content === 'string' ? Buffer.from(content) : content;
    put(`data ${b.length}\n`);
    put(b);
    put('\n');
  };
  const who = (i: number, at: number) => {
    const u = users[i % users.length]!;
    return `${u.login} <${u.email}> ${T0 + at * 600} +0000`;
  };
  let mark = 0;
  let mainHead = 0;
  const commit = (ref: string, i: number, at: number, message: string, from: number, merge: number | null, files: [string, string | Buffer][]) => {
    mark += 1;
    put(`commit ${ref}\nmark :${mark}\nauthor ${who(i, at)}\ncommitter ${who(i, at)}\n`);
    data(message);
    if (from) put(`from :${from}\n`);
    if (merge) put(`merge :${merge}\n`);
    for (const [path, content] of files) {
      put(`M 100644 inline ${path}\n`);
      data(content);
    }
    return mark;
  };
  for (let i = 0, made = 0; made < n; i++) {
    if (i > 0 && i % 100 === 0 && made + 6 <= n) {
      // A side branch of 5 commits from 20 commits back, dated before the work it joins, then merged.
      let side = mainHead - 20;
      for (let k = 0; k < 5; k++, made++)
        side = commit(`refs/heads/side${i}`, i + k, i - 30 + k, `side ${i} work ${k}`, side, null, [
          [`side${i}/f${k}.ts`, `export const v = ${k};\n`.repeat(k + 1)],
        ]);
      mainHead = commit('refs/heads/main', i, i, `Merge branch 'side${i}'`, mainHead, side, []);
      made += 1;
    }
    const files: [string, string | Buffer][] = [[`src/m${i % 50}.ts`, `export const x = ${i};\n`.repeat(1 + (i % 9))]];
    if (i % 3 === 0) files.push([`docs/d${i % 13}.md`, `# Note ${i}\n`.repeat(1 + (i % 4))]);
    if (i % 500 === 0) files.push([`assets/logo${i}.png`, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, i % 256, 1, 2, 3])]);
    mainHead = commit('refs/heads/main', i, i, `main work ${i}`, mainHead, null, files);
    made += 1;
  }
  execFileSync('git', ['--git-dir', bare, 'fast-import', '--quiet'], { input: Buffer.concat(chunks), maxBuffer: 1 << 30 });
  execFileSync('git', ['--git-dir', bare, 'symbolic-ref', 'HEAD', 'refs/heads/main']);
}

function generatePulls(n: number): StandInPull[] {
  const at = (h: number) => new Date((T0 + h * 3600) * 1000).toISOString();
  return Array.from({ length: n }, (_, i) => {
    const number = i + 1;
    const author = users[number % users.length]!;
    const open = number % 25 === 0;
    const merged = open ? null : at(number * 4 + 3);
    const reviews = Array.from({ length: 1 + (number % 3) }, (_, k) => ({
      id: 60_000_000 + number * 10 + k,
      user: users[(number + k + 1) % users.length]!,
      state: k === 0 && !open ? ('APPROVED' as const) : ('COMMENTED' as const),
      body: k === 0 ? 'LGTM' : `comment ${k}`,
      submitted_at: at(number * 4 + 1 + k),
      comments: k,
    }));
    return {
      id: 50_000_000 + number,
      number,
      title: `Change ${number}`,
      body: number % 9 === 0 ? null : `Description of change ${number}`,
      user: author,
      state: open ? 'open' : 'closed',
      created_at: at(number * 4),
      updated_at: merged ?? at(number * 4 + 2),
      merged_at: merged,
      closed_at: merged,
      labels: number % 2 ? ['enhancement'] : ['bug', 'sync'],
      requested_reviewers: open ? [users[(number + 5) % users.length]!] : [],
      additions: 20 + (number % 400),
      deletions: number % 50,
      changed_files: 1 + (number % 12),
      commits: 1 + (number % 5),
      comments: number % 4,
      review_comments: reviews.reduce((s, r) => s + r.comments, 0),
      reviews,
    };
  });
}

/**
 * A repository kept as GitHub keeps what it serves: one pack with a reachability bitmap and a
 * commit-graph, so a clone's objects are counted from the bitmap instead of walked (what `git gc`
 * on a server does; a `git fast-import`, or a fetched copy, leaves neither).
 */
function packLikeGitHub(bare: string): void {
  execFileSync('git', ['--git-dir', bare, 'repack', '-a', '-d', '-b', '-q']);
  execFileSync('git', ['--git-dir', bare, 'commit-graph', 'write', '--reachable']);
}

export interface Floor {
  gitSeconds: number;
  copySeconds: number;
  /** CPU seconds the machine was busy meanwhile (git, PostgreSQL, the bench driving them). */
  cpuSeconds: number;
}

/**
 * The floor of the git path's commits: git itself reading everything we store of the history (one
 * `git log --numstat` with messages, the same diff options as the sync, output read and dropped),
 * plus PostgreSQL taking the same rows with a bare COPY into commits and commit_graph (the rows the
 * sync stored, copied out untimed, the tables emptied, copied back in timed). Each the median of
 * WARM_RUNS, as ours is.
 */
async function floor(bare: string, em: EntityManager, pg: PoolClient, head = 'main'): Promise<Floor> {
  const runs: Floor[] = [];
  for (let i = 0; i < WARM_RUNS; i++) runs.push(await floorOnce(bare, em, pg, head));
  return medianFloor(runs);
}

/** The medians of floor runs. */
function medianFloor(runs: Floor[]): Floor {
  return {
    gitSeconds: median(runs.map((r) => r.gitSeconds)),
    copySeconds: median(runs.map((r) => r.copySeconds)),
    cpuSeconds: median(runs.map((r) => r.cpuSeconds)),
  };
}

async function floorOnce(bare: string, em: EntityManager, pg: PoolClient, head: string): Promise<Floor> {
  let cpu = machineBusySeconds();
  let t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const git = spawn(
      'git',
      ['--git-dir', bare, 'log', '--diff-merges=first-parent', '--root', '-M', '--numstat', '-z', `--format=${LOG_FORMAT}%x00%B`, head],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    git.stdout.resume();
    git.on('error', reject);
    git.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git log exited ${code}`))));
  });
  const gitSeconds = (performance.now() - t0) / 1000;
  let cpuSeconds = machineBusySeconds() - cpu;
  const tables = ['commits', 'commit_graph'];
  const saved: Buffer[][] = [];
  for (const t of tables) {
    const chunks: Buffer[] = [];
    const out = pg.query(copyTo(`COPY ${t} TO STDOUT`));
    out.on('data', (c: Buffer) => chunks.push(c));
    await finished(out);
    saved.push(chunks);
  }
  await sql(em, `TRUNCATE commits, commit_graph CASCADE`);
  cpu = machineBusySeconds();
  t0 = performance.now();
  for (const [i, t] of tables.entries()) await pipeline(Readable.from(saved[i]!), pg.query(copyFrom(`COPY ${t} FROM STDIN`)));
  const copySeconds = (performance.now() - t0) / 1000;
  cpuSeconds += machineBusySeconds() - cpu;
  return { gitSeconds, copySeconds, cpuSeconds };
}

/** The stand-in in its process (bench/stand-in-process.ts), driven by messages. */
async function standInProcess(): Promise<{ url: string; token: string; call(m: Record<string, unknown>): Promise<unknown>; stop(): Promise<void> }> {
  const child = fork(fileURLToPath(new URL('./stand-in-process.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    child.once('message', resolve as (m: unknown) => void);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the stand-in exited with ${code} before it was ready`)));
  });
  let next = 0;
  const waiting = new Map<number, (v: unknown) => void>();
  child.on('message', (m: { id?: number; value?: unknown }) => {
    if (m.id !== undefined) waiting.get(m.id)?.(m.value);
    waiting.delete(m.id!);
  });
  const call = (m: Record<string, unknown>) =>
    new Promise<unknown>((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      child.send({ ...m, id });
    });
  return {
    ...ready,
    call,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await call({ op: 'stop' });
      await exited;
    },
  };
}

export async function benchScaleSync(
  orm: MikroORM,
  base: AppConfig,
): Promise<{
  paths: ScalePath[];
  warm: Pick<ScalePath, 'commitSeconds' | 'cloneSeconds' | 'cpuSeconds' | 'standInCpuSeconds'>;
  floor: Floor;
  /** Medians of each warm run's ratio to the floor run that followed it (the machine as it was for both). */
  paired: { ratio: number; afterClone: number };
}> {
  const repo = new GitRepo();
  const gh = await standInProcess();
  const redis = new Redis(base.REDIS_URL, { maxRetriesPerRequest: null });
  const log = createLogger('silent');
  const mirrors = await mkdtemp(join(tmpdir(), 'aexy-bench-scale-'));
  try {
    generateHistory(repo.bare, SCALE_COMMITS);
    packLikeGitHub(repo.bare);
    await gh.call({ op: 'setup', users, repo: 'bench/scale', pulls: generatePulls(SCALE_PULLS), git: repo.bare });

    const run = async (path: 'git+graphql' | 'rest', pulls = true): Promise<ScalePath> => {
      const em = orm.em.fork();
      // A first sync each time: no mirror, nothing stored.
      await rm(mirrors, { recursive: true, force: true });
      await sql(
        em,
        `TRUNCATE commits, commit_graph, commit_coauthors, developer_identities, developer_dirty, github_commit_heads, github_http_cache,
                  pull_requests, code_reviews, github_pull_repositories, github_sync_cursors CASCADE`,
      );
      // A budget the bench does not run into: it counts the requests a first sync needs.
      await gh.call({ op: 'budget', limit: 1_000_000, reset: Math.floor(Date.now() / 1000) + 3600 });
      const prefix = `bench-scale-${randomBytes(4).toString('hex')}`;
      const octokit = createGitHubClient({ baseUrl: gh.url, token: gh.token, redis, prefix, em, log, maxInlineWaitSeconds: 0, retryBaseMs: 10 });
      const gitConfig = { ...base, GIT_MIRROR_DIR: mirrors, GITHUB_GIT_URL: gh.url };
      const opts = {
        octokit,
        em,
        log,
        repo: 'bench/scale',
        overlapMinutes: 5,
        initialDays: 0,
        pullsFrom: path === 'rest' ? ('rest' as const) : ('graphql' as const),
        ...(path === 'git+graphql'
          ? {
              mirror: async () => {
                const m = await openMirror(gitConfig, 'bench/scale', gh.token);
                cloneSeconds = (performance.now() - t0) / 1000;
                return m;
              },
            }
          : {}),
      };
      await gh.call({ op: 'reset' });
      let cloneSeconds = 0;
      const standIn0 = (await gh.call({ op: 'cpu' })) as number;
      const cpu0 = machineBusySeconds();
      let t0 = performance.now();
      await syncCommits(opts);
      const commitSeconds = (performance.now() - t0) / 1000;
      const cpu = machineBusySeconds() - cpu0;
      const standInCpuSeconds = ((await gh.call({ op: 'cpu' })) as number) - standIn0;
      const commitRequests = (await gh.call({ op: 'counted' })) as number;
      await gh.call({ op: 'reset' });
      t0 = performance.now();
      const synced = pulls ? await syncPulls(opts) : null;
      const pullSeconds = (performance.now() - t0) / 1000;
      const [counts] = await sql<{ commits: number; pulls: number; reviews: number }>(
        em,
        `SELECT (SELECT count(*) FROM commits)::int AS commits, (SELECT count(*) FROM pull_requests)::int AS pulls, (SELECT count(*) FROM code_reviews)::int AS reviews`,
      );
      return {
        path,
        ...counts!,
        commitSeconds,
        cloneSeconds,
        commitRequests,
        pullSeconds,
        pullRequests: (await gh.call({ op: 'counted' })) as number,
        points: synced?.points ?? 0,
        cpuSeconds: cpu - standInCpuSeconds,
        standInCpuSeconds,
      };
    };
    // The first run in this process (its code not compiled yet by V8: a worker's first job), then
    // WARM_RUNS first syncs of the same repository again (mirror removed, tables emptied), as a worker
    // that has synced before runs them, each followed by a run of the floor on the rows it stored: a
    // machine whose speed drifts (a shared host) moves both of a pair alike, so the median of the pairs'
    // ratios is what the goal is held to.
    const git = await run('git+graphql');
    const warm: ScalePath[] = [];
    const floors: Floor[] = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      warm.push(await run('git+graphql', false));
      floors.push(await withPgClient(orm.em.fork(), (pg) => floorOnce(repo.bare, orm.em.fork(), pg, 'main')));
    }
    const floorOf = (f: Floor) => f.gitSeconds + f.copySeconds;
    // BENCH_SCALE_REST=0 leaves out the REST path (minutes of the stand-in computing commits with git).
    return {
      paths: process.env.BENCH_SCALE_REST === '0' ? [git] : [git, await run('rest')],
      warm: {
        commitSeconds: median(warm.map((w) => w.commitSeconds)),
        cloneSeconds: median(warm.map((w) => w.cloneSeconds)),
        cpuSeconds: median(warm.map((w) => w.cpuSeconds)),
        standInCpuSeconds: median(warm.map((w) => w.standInCpuSeconds)),
      },
      floor: medianFloor(floors),
      paired: {
        ratio: median(warm.map((w, i) => w.commitSeconds / floorOf(floors[i]!))),
        afterClone: median(warm.map((w, i) => (w.commitSeconds - w.cloneSeconds) / floorOf(floors[i]!))),
      },
    };
  } finally {
    await rm(mirrors, { recursive: true, force: true });
    await gh.stop();
    redis.disconnect();
    repo.remove();
  }
}

/**
 * (g) on a real history: BENCH_REAL_GIT names a bare repository on this machine (a clone of
 * expressjs/express, say): its default branch synced from git into an empty database through the
 * stand-in (its authors unknown to it: no logins, every page still asked), against the same floor.
 */
export async function benchRealHistory(orm: MikroORM, base: AppConfig, gitDir: string): Promise<{ commits: number; seconds: number; floor: Floor }> {
  const gh = await standInProcess();
  const redis = new Redis(base.REDIS_URL, { maxRetriesPerRequest: null });
  const mirrors = await mkdtemp(join(tmpdir(), 'aexy-bench-real-'));
  // GitHub's copy: the repository given, packed as GitHub keeps it (the given one is not touched).
  const servedRoot = await mkdtemp(join(tmpdir(), 'aexy-bench-served-'));
  const served = join(servedRoot, 'served.git');
  try {
    execFileSync('git', ['clone', '--quiet', '--bare', '--no-local', gitDir, served]);
    packLikeGitHub(served);
    await gh.call({ op: 'setup', users: [], repo: 'bench/real', pulls: [], git: served });
    await gh.call({ op: 'budget', limit: 1_000_000, reset: Math.floor(Date.now() / 1000) + 3600 });
    const em = orm.em.fork();
    await sql(em, `TRUNCATE commits, commit_graph, commit_coauthors, developer_identities, developer_dirty, github_commit_heads, github_http_cache CASCADE`);
    const prefix = `bench-real-${randomBytes(4).toString('hex')}`;
    const log = createLogger('silent');
    const octokit = createGitHubClient({ baseUrl: gh.url, token: gh.token, redis, prefix, em, log, maxInlineWaitSeconds: 0, retryBaseMs: 10 });
    const gitConfig = { ...base, GIT_MIRROR_DIR: mirrors, GITHUB_GIT_URL: gh.url };
    const t0 = performance.now();
    await syncCommits({ octokit, em, log, repo: 'bench/real', overlapMinutes: 5, initialDays: 0, mirror: () => openMirror(gitConfig, 'bench/real', gh.token) });
    const seconds = (performance.now() - t0) / 1000;
    const [row] = await sql<{ n: number }>(em, `SELECT count(*)::int AS n FROM commits`);
    const measured = await withPgClient(orm.em.fork(), (pg) => floor(served, orm.em.fork(), pg, 'HEAD'));
    return { commits: row!.n, seconds, floor: measured };
  } finally {
    await rm(servedRoot, { recursive: true, force: true });
    await rm(mirrors, { recursive: true, force: true });
    await gh.stop();
    redis.disconnect();
  }
}
