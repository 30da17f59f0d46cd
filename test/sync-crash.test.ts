import { Queue, QueueEvents } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { GitHubStandIn } from '../src/dev/github-stand-in.js';
import { Producer } from '../src/queues/producer.js';
import { githubSyncRepo } from '../src/jobs/index.js';
import type { TestDatabase } from './helpers/db.js';
import { useStandIn, useTestWorld } from './hooks.js';
import { seedStandIn } from './helpers/github-data.js';
import { deletePrefix, randomPrefix, REDIS_URL } from './helpers/redis.js';
import { spawnTs, waitForOutput, type Spawned } from './helpers/spawn.js';

/**
 * kill -9 in the middle of a GitHub sync: the job must be recovered as stalled, finished by
 * another worker process, and leave exactly what an uninterrupted sync leaves — no duplicate,
 * no lost row — while the second worker resumes rather than starting over.
 */
describe('kill -9 mid-sync', () => {
  let gh: GitHubStandIn;
  useStandIn(async () => {
    gh = await new GitHubStandIn().start();
    seedStandIn(gh);
    return gh;
  });
  // Two databases: one synced with a crash, one without, to compare.
  const crashed = useTestWorld();
  const clean = useTestWorld();

  const worker = (db: TestDatabase, prefix: string): Spawned =>
    spawnTs('src/workers/main.ts', ['--queues', 'github-sync,profiles'], {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'info',
      GITHUB_API_URL: gh.url,
      GITHUB_TOKEN: gh.token,
      GITHUB_COMMITS_FROM: 'api',
      GITHUB_SYNC_INITIAL_DAYS: '0',
      // A crashed worker's lock expires in 1.5 s and is noticed within 0.5 s.
      WORKER_LOCK_MS: '1500',
      WORKER_STALLED_INTERVAL_MS: '500',
    });

  /** Everything a sync writes, without the generated ids and insertion times. */
  async function content(db: TestDatabase) {
    const { rows } = await db.sql.query(`
      SELECT (SELECT string_agg((to_jsonb(c) - 'id' - 'developer_id' - 'created_at')::text || '@' || coalesce(d.github_username, '-'), E'\\n' ORDER BY c.sha)
                FROM commits c LEFT JOIN developers d ON d.id = c.developer_id) AS commits,
             (SELECT string_agg((to_jsonb(p) - 'id' - 'developer_id')::text || '@' || coalesce(d.github_username, '-'), E'\\n' ORDER BY p.github_id)
                FROM pull_requests p LEFT JOIN developers d ON d.id = p.developer_id) AS pulls,
             (SELECT string_agg((to_jsonb(r) - 'id' - 'pull_request_id' - 'reviewer_id' - 'created_at')::text || '@' || coalesce(d.github_username, '-') || '#' || p.github_id, E'\\n' ORDER BY r.github_id)
                FROM code_reviews r LEFT JOIN developers d ON d.id = r.reviewer_id LEFT JOIN pull_requests p ON p.id = r.pull_request_id) AS reviews,
             (SELECT string_agg(github_username, ',' ORDER BY github_id) FROM developers) AS developers,
             (SELECT count(*)::int FROM commits) AS commit_count,
             (SELECT count(DISTINCT sha)::int FROM commits) AS distinct_shas`);
    return rows[0];
  }

  /** Wait until the follow-ups (profile refreshes, GitHub user fetches) have all run. */
  async function settleFollowUps(prefix: string): Promise<void> {
    const queues = ['github-sync', 'profiles'].map((name) => ({
      queue: new Queue(name, { connection: { url: REDIS_URL }, prefix }),
      events: new QueueEvents(name, { connection: { url: REDIS_URL }, prefix }),
    }));
    try {
      await Promise.all(queues.map((q) => q.events.waitUntilReady()));
      for (;;) {
        // Not the schedulers' next runs (repeat:…), which wait for their period.
        const pending = await Promise.all(
          queues.map(async (q) => ({
            q,
            jobs: (await q.queue.getJobs(['waiting', 'active', 'delayed', 'prioritized'])).filter((j) => !j.id?.startsWith('repeat:')),
          })),
        );
        if (pending.every((p) => p.jobs.length === 0)) return;
        await Promise.all(pending.flatMap((p) => p.jobs.map((j) => j.waitUntilFinished(p.q.events).catch(() => undefined))));
      }
    } finally {
      await Promise.all(queues.flatMap((q) => [q.queue.close(), q.events.close()]));
    }
  }

  /** Developers without a computed profile, and profile marks left pending. */
  async function unprofiled(db: TestDatabase) {
    const { rows } = await db.sql.query(
      `SELECT (SELECT coalesce(string_agg(github_username, ',' ORDER BY github_username), '') FROM developers WHERE profile_updated_at IS NULL) AS unprofiled,
              (SELECT count(*)::int FROM developer_dirty) AS dirty`,
    );
    return rows[0];
  }

  async function runToCompletion(db: TestDatabase, prefix: string, crashAtDetail?: number) {
    const producer = new Producer({ redisUrl: REDIS_URL, prefix });
    const events = new QueueEvents('github-sync', { connection: { url: REDIS_URL }, prefix });
    const first = worker(db, prefix);
    let second: Spawned | undefined;
    try {
      await Promise.all([waitForOutput(first, /worker ready/), events.waitUntilReady()]);
      let details = 0;
      const killed = new Promise<unknown>((resolve) => {
        gh.onRequest = (r) => {
          if (!/^\/repos\/acme\/api\/commits\/[0-9a-f]{40}$/.test(r.path) || (r.query.get('page') ?? '1') !== '1') return;
          if (++details === crashAtDetail) {
            first.kill('SIGKILL');
            resolve(first.finished);
          }
        };
      });
      const job = await producer.enqueue(githubSyncRepo, { repository: 'acme/api' });
      if (crashAtDetail === undefined) {
        const result = await job.waitUntilFinished(events);
        await settleFollowUps(prefix);
        return { result };
      }

      const stalled = new Promise<string>((resolve) => events.once('stalled', ({ jobId }) => resolve(jobId)));
      await killed;
      const atCrash = await content(db);
      gh.reset();
      second = worker(db, prefix);
      expect(await stalled).toBe(job.id);
      const result = await job.waitUntilFinished(events);
      await settleFollowUps(prefix);
      const detailsAfter = gh.requests.filter((r) => /^\/repos\/acme\/api\/commits\/[0-9a-f]{40}$/.test(r.path) && (r.query.get('page') ?? '1') === '1');
      return { result, atCrash, detailsAfter: detailsAfter.length };
    } finally {
      gh.onRequest = undefined;
      first.kill('SIGKILL');
      second?.kill('SIGTERM');
      await second?.finished;
      await events.close();
      await producer.close();
      await deletePrefix(prefix);
    }
  }

  it('is recovered as stalled, resumes, and ends with exactly the rows of an uninterrupted sync', async () => {
    const baseline = await runToCompletion(clean.db, randomPrefix());
    expect(baseline.result).toMatchObject({ commits: { fetched: 251, written: 251 } });
    gh.reset();

    // Commits are fetched in detail and written 4 at a time, each 4 one transaction: the 130th
    // detail request belongs to the 33rd chunk, so 32 chunks (128 commits) were committed.
    const { result, atCrash, detailsAfter } = await runToCompletion(crashed.db, randomPrefix(), 130);
    expect(atCrash!.commit_count).toBe(128);
    expect(result).toMatchObject({ repository: 'acme/api', commits: { written: 123 }, pulls: { fetched: 5, written: 5, reviews: 5 } });
    // Resumed, not restarted: only the 123 commits not yet stored were fetched in detail again.
    expect(detailsAfter).toBe(123);
    // The profile follow-ups of the chunks committed before the crash were not lost with the
    // process: carol's only commit (the newest, written first) is in them, and she has a profile.
    expect(await unprofiled(crashed.db)).toEqual({ unprofiled: '', dirty: 0 });
    expect(await unprofiled(clean.db)).toEqual({ unprofiled: '', dirty: 0 });

    const [a, b] = [await content(crashed.db), await content(clean.db)];
    expect(a.commit_count).toBe(251);
    expect(a.distinct_shas).toBe(251);
    expect(a).toEqual(b);
  }, 90_000);
});
