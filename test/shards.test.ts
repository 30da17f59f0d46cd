import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBoardServer } from '../src/board/server.js';
import type { AppConfig } from '../src/config/index.js';
import { GitHubStandIn } from '../src/dev/github-stand-in.js';
import { GitRepo } from '../src/dev/git-repo.js';
import { githubSyncRepo } from '../src/github/jobs/github-sync-repo.contract.js';
import { mirrorDir } from '../src/github/sync/git.js';
import { createLogger } from '../src/lib/logger.js';
import { JobWatcher } from '../src/queues/job-watcher.js';
import { shardOf, shardQueues } from '../src/queues/names.js';
import { JOBS } from '../src/workers/handlers.js';
import { startWorkerPool, type WorkerPool } from '../src/workers/runtime.js';
import { useStandIn, useTestWorld } from './hooks.js';
import { standInGitHubSettings } from './helpers/redis.js';

const SHARDS = 3;
const SECRET = 'whsec-shards-0123456789';

/**
 * Two worker hosts, each with its own git mirror directory, consuming their own github-sync shards
 * (A: 0 and 1, B: 2): every repository's syncs reach the host of its shard, so its mirror is cloned
 * there once and on no other host, and what is stored equals git's own history.
 */
describe('github-sync shards: a repository is synced on the host that keeps its mirror', () => {
  let gh: GitHubStandIn;
  useStandIn(async () => (gh = await new GitHubStandIn().start()));
  const w = useTestWorld({
    settings: () => ({
      ...standInGitHubSettings(gh),
      GITHUB_COMMITS_FROM: 'git',
      GITHUB_SYNC_SHARDS: String(SHARDS),
      BOARD_AUTH_DISABLED: 'true',
      GITHUB_WEBHOOK_SECRET: SECRET,
    }),
  });
  const repos: { name: string; git: GitRepo }[] = [];
  const hosts: { config: AppConfig; pool: WorkerPool; dir: string; owns: number[] }[] = [];
  let watcher: JobWatcher;

  beforeAll(async () => {
    // Two repositories on each host's shards, found by their hash (the names are arbitrary).
    for (let i = 0; repos.filter((r) => shardOf(r.name, SHARDS) === 2).length < 2 || repos.filter((r) => shardOf(r.name, SHARDS) < 2).length < 2; i++) {
      const name = `shard-org/repo-${i}`;
      const wantB = shardOf(name, SHARDS) === 2;
      if ((wantB ? repos.filter((r) => shardOf(r.name, SHARDS) === 2) : repos.filter((r) => shardOf(r.name, SHARDS) < 2)).length >= 2) continue;
      const git = new GitRepo();
      for (let k = 0; k <= i % 3; k++) {
        git.write(`f${k}.txt`, `${name} ${k}\n`);
        git.commit({ name: 'Dev', email: 'dev@shard.example' }, new Date(Date.UTC(2026, 0, 1 + k)).toISOString(), `work ${k}`);
      }
      git.push();
      gh.repos.set(name, { commits: [], pulls: [], git: git.bare });
      await w.rows.trackedRepository({ fullName: name, organizationId: null });
      repos.push({ name, git });
    }
    for (const owns of [[0, 1], [2]]) {
      const dir = await mkdtemp(join(tmpdir(), 'aexy-host-'));
      const config = { ...w.config, GIT_MIRROR_DIR: dir, GITHUB_SYNC_SHARDS_OWNED: owns.join(',') };
      hosts.push({
        config,
        dir,
        owns,
        pool: await startWorkerPool({ config, orm: w.db.orm, log: createLogger('silent'), jobs: JOBS, queues: ['github-sync'] }),
      });
    }
    watcher = new JobWatcher({ url: w.config.REDIS_URL, prefix: w.config.QUEUE_PREFIX });
    // Listening before anything is queued: a job must not finish before its queue's events are read.
    await watcher.listen(shardQueues(SHARDS));
  });
  afterAll(async () => {
    await watcher?.close();
    for (const h of hosts) {
      await h.pool.close();
      await rm(h.dir, { recursive: true, force: true });
    }
    for (const r of repos) r.git.remove();
  });

  const syncAll = async () => {
    const jobs = [];
    for (const r of repos) jobs.push(await hosts[0]!.pool.producer.enqueue(githubSyncRepo, { repository: r.name, streams: ['commits'] }));
    for (const job of jobs) await watcher.finish(job, 60_000);
    return jobs;
  };

  it("each repository's sync goes to its shard's queue and runs on the host owning it: one mirror, there", async () => {
    const jobs = await syncAll();
    for (const [i, r] of repos.entries()) {
      const shard = shardOf(r.name, SHARDS);
      expect(jobs[i]!.queueName).toBe(`github-sync-${shard}`);
      const owner = hosts.find((h) => h.owns.includes(shard))!;
      for (const h of hosts) expect(existsSync(mirrorDir(h.config, r.name)), `${r.name} on the host of shards ${h.owns}`).toBe(h === owner);
      // What is stored is git's own history of the repository.
      const { rows } = await w.db.sql.query(`SELECT sha FROM commits WHERE repository_full_name = $1 ORDER BY sha`, [r.name]);
      expect(rows.map((x) => x.sha)).toEqual(r.git.revList('main'));
    }
  });

  it('synced again after new commits: fetched on the same host, still no mirror anywhere else', async () => {
    for (const r of repos) {
      r.git.write('later.txt', 'later\n');
      r.git.commit({ name: 'Dev', email: 'dev@shard.example' }, '2026-02-01T00:00:00Z', 'later');
      r.git.push();
    }
    await syncAll();
    for (const r of repos) {
      const owner = hosts.find((h) => h.owns.includes(shardOf(r.name, SHARDS)))!;
      for (const h of hosts) expect(existsSync(mirrorDir(h.config, r.name))).toBe(h === owner);
      const { rows } = await w.db.sql.query(`SELECT sha FROM commits WHERE repository_full_name = $1 ORDER BY sha`, [r.name]);
      expect(rows.map((x) => x.sha)).toEqual(r.git.revList('main'));
    }
  });

  it("a push delivered to the board's webhook queues the repository's sync on its shard, as the workers' producer does", async () => {
    const app = await buildBoardServer({ config: w.config, orm: w.db.orm, log: createLogger('silent') });
    // Ready once its Redis connection is (a webhook is answered 503 before, as it should be).
    for (let i = 0; (await app.inject({ url: '/readyz' })).statusCode !== 200; i++) if (i > 100) throw new Error('the board never became ready');
    try {
      const r = repos[0]!;
      const delivered = Date.now();
      const body = JSON.stringify({ ref: 'refs/heads/main', after: 'c'.repeat(40), repository: { id: 1, full_name: r.name, name: r.name.split('/')[1] } });
      const res = await app.inject({
        method: 'POST',
        url: '/webhooks/github',
        payload: body,
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-github-delivery': crypto.randomUUID(),
          'x-hub-signature-256': await sign(SECRET, body),
        },
      });
      expect(res.statusCode, res.body).toBe(202);
      const states = ['waiting', 'prioritized', 'active', 'completed', 'failed'] as const;
      const on = async (queue: string) =>
        (await hosts[0]!.pool.producer.queue(queue).getJobs([...states])).filter(
          (j) => j.name === githubSyncRepo.name && j.data.repository === r.name && j.timestamp >= delivered,
        );
      expect(await on(`github-sync-${shardOf(r.name, SHARDS)}`)).toHaveLength(1);
      expect(await on('github-sync')).toHaveLength(0);
    } finally {
      await app.close();
    }
  });
});
