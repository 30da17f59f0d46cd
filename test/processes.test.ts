import { QueueEvents, type Job } from 'bullmq';
import pg from 'pg';
import { tmpdir } from 'node:os';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { Producer } from '../src/queues/producer.js';
import { systemNoop } from '../src/jobs/index.js';
import { createEmptyDatabase, databaseUrl, dropDatabase } from './helpers/db.js';
import { useTestWorld } from './hooks.js';
import { deletePrefix, randomPrefix, REDIS_URL } from './helpers/redis.js';
import { alive, descendants, runCliProcess, spawnNpm, spawnTs, waitForOutput, type Spawned } from './helpers/spawn.js';
import { freePort } from './helpers/private-redis.js';

describe('CLI and worker processes', () => {
  const w = useTestWorld();
  let env: Record<string, string>;

  beforeAll(() => {
    env = { DATABASE_URL: w.db.url, REDIS_URL, QUEUE_PREFIX: w.config.QUEUE_PREFIX, LOG_LEVEL: 'info' };
  });

  it('aexy migrate builds an empty database and is idempotent', async () => {
    const empty = await createEmptyDatabase();
    try {
      const first = await runCliProcess(['migrate'], { ...env, DATABASE_URL: empty.url });
      expect(first.stderr).toBe('');
      expect(first.stdout).toContain('applied: Migration20261125000000Initial');
      expect(first.code).toBe(0);
      // The standard career ladder: 3 tracks × 5 levels, added once, then kept up to date (never duplicated).
      expect(first.stdout).toContain('career ladder: 15 standard roles added, 0 up to date');
      const second = await runCliProcess(['migrate'], { ...env, DATABASE_URL: empty.url });
      expect(second.stdout).toContain('database is up to date');
      expect(second.stdout).toContain('career ladder: 0 standard roles added, 15 up to date');
    } finally {
      await empty.drop();
    }
  });

  it('npm run demo creates, migrates and seeds a database, runs the workers and prints what they made', async () => {
    const name = `aexy_test_${inject('testRunId')}_demo`;
    const demoPrefix = randomPrefix();
    try {
      const demoEnv = { ...env, DATABASE_URL: databaseUrl(name), QUEUE_PREFIX: demoPrefix, EXPORT_DIR: join(tmpdir(), demoPrefix) };
      const r = await spawnTs('src/demo/main.ts', [], demoEnv).finished;
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('1. created the database; migrations: applied Migration20261125000000Initial');
      expect(r.stdout).toMatch(/2\. seeded demo org: 8 developers, 2 teams, \d+ commits, 96 pull requests, 96 reviews/);
      expect(r.stdout).toContain('3. workers ran: system.noop → {"ok":true,"note":"demo"}');
      expect(r.stdout).toMatch(
        /github\.sync-repo aexy\/workers → \{"repository":"aexy\/workers","commits":\{"fetched":48,"written":48,"removed":0,"head":"[0-9a-f]{40}","source":"api"\},"pulls":\{"fetched":6,"written":6,"reviews":5,"source":"graphql","points":\d+\}/,
      );
      // The branch head has not moved: nothing is listed, every REST request is a 304; pull requests cost one GraphQL query a sync.
      expect(r.stdout).toMatch(
        /4\. incremental re-sync: \{"fetched":0,"written":0,"removed":0,"head":"[0-9a-f]{40}","source":"api"\} then \{"fetched":0,"written":0,"removed":0,"head":"[0-9a-f]{40}","source":"api"\}; \d+ REST requests, 0 counted against the rate limit \(the rest were 304s\); pull requests \{"fetched":1,"written":0,"reviews":0,"source":"graphql","points":\d+\} then \{"fetched":1,"written":0,"reviews":0,"source":"graphql","points":\d+\} in 2 GraphQL queries/,
      );
      expect(r.stdout).toContain("'linus-t'");
      expect(r.stdout).toMatch(/6\. exports: commits\.csv completed → \S+\/commits-[0-9a-f-]{36}\.csv \(\d+ bytes\); team_metrics\.json completed/);
      expect(r.stdout).toMatch(
        /7\. report "Engineering weekly" \(6 widgets\) → \S+\.pdf \(\d+ bytes\); weekly delivery scheduled, next run \S+T09:00:00\.000Z/,
      );
      // A fresh database: the refresh creates the first insights of all 8 active developers (3 types) and both teams (3 types).
      expect(r.stdout).toContain(
        '8. predictive insights: 30 made in this run by insight.refresh for the active developers and teams (nobody asked for them); 30 current (demo-standin-model); highest burnout risk:',
      );
      expect(r.stdout).toContain("'team Platform'");
      // A learning path of ada's toward the next level of her track, moved by new commits of hers.
      expect(r.stdout).toMatch(
        /9\. career: ada-l is \d+% ready for \w[\w -]+ Engineer \((backend|frontend|infrastructure) track\); a new learning path: \d+ gap\(s\)/,
      );
      expect(r.stdout).toMatch(/after 6 new commits of hers were synced/);
      expect(r.stdout).toMatch(/'\d+% (in_progress|completed)'/);
      expect(r.stdout).toContain(
        '10. retention.prune: {"insights":0,"slack_notification_logs":0,"github_http_cache":0,"export_jobs":0,"report_deliveries":0,"git_mirrors":0}',
      );
      expect(r.stdout).toMatch(/11\. job schedulers: .*github\.sync-all every 60 min/);
      expect(r.stdout).toMatch(/11\. job schedulers: .*export\.cleanup every 15 min/);
      expect(r.stdout).toMatch(/11\. job schedulers: .*report\.reconcile every 5 min/);
      expect(r.stdout).toMatch(/11\. job schedulers: .*insight\.refresh every 60 min/);
      expect(r.stdout).toMatch(/11\. job schedulers: .*retention\.prune at "30 3 \* \* \*"/);
      // Deployments every fourth commit (one failed), a revert, an incident: the four numbers of the fixture (src/demo/delivery.ts).
      expect(r.stdout).toContain(
        "12. delivery: 12 deployments of aexy/workers from deployments-api (chosen by the sync), an incident reported through the producer API; the organization's last 30 days: " +
          'deployment frequency 0.3667 a day (11 deployments), lead time for changes 29.5 h median (p75 43.5 h), change failure rate 25 % (3 incidents), time to restore 56 h median; DORA level low',
      );
      // The demo's pull requests: each commit half a day or more before it opened, reviewed 2 h after, merged 5-17 h after (src/demo/delivery.ts).
      expect(r.stdout).toContain(
        '13. where work waited (pull requests merged in the last 30 days, medians): coding 19 h · pickup 2 h · review 0 h · merge 9 h · deploy 27.5 h; cycle 57.5 h; merged without review 0 %',
      );
      // Five issues (three resolved after 2, 3 and 1 days), three pull requests referring to a bug, a feature and a chore.
      expect(r.stdout).toContain(
        '14. issues of aexy/workers (last 30 days): 5 opened, 3 resolved, median cycle 48 h, bugs 40 %; merged pull requests linked to an issue 60 %; ' +
          'investment balance by pull requests: bug 20 % · feature 20 % · tech debt 20 % · operations 0 % · other 40 %',
      );
      // Jira's SHOP (src/demo/jira.ts): 4 issues; 5 + 4 opened, 3 + 2 resolved; cycles 48, 72, 24 h (GitHub), 72 and 1 h (Jira): median 48;
      // the incident SHOP-3 (2 h to restore) lands on the deployment the reported incident already made a failure: still 25 %.
      expect(r.stdout).toContain(
        "15. Jira (a stand-in of Jira Cloud's REST API): site installed as Bot (token checked, stored encrypted); jira.sync read 4 issues of SHOP with their status history; " +
          "SHOP's incidents count against aexy/workers's deployments. The organization's last 30 days, GitHub and Jira together: 9 issues opened, 5 resolved, median cycle 48 h; " +
          '4 incidents, change failure rate 25 %, time to restore 29.5 h median',
      );
      // Pull requests waiting 7 and 10 hours for a first response (src/demo/agreements.ts): a heads-up each at 6 h, a miss for the older at 8 h.
      expect(r.stdout).toContain(
        '16. working agreement "First response within 8 h" (team Platform, pickup_time <= 8h): the last day has 2 heads-up and 1 missed; posted to Slack by agreement.evaluate after the sync: 3',
      );
      expect(r.stdout).toContain('C0ALERTS: Missed: First response within 8 h (team Platform): aexy/workers#902 had no response within 8 h.');
      // Re-running is idempotent: the rows in Postgres are the ones a single run seeded.
      const again = await spawnTs('src/demo/main.ts', [], demoEnv).finished;
      expect(again.stdout).toContain('1. migrations: database already up to date');
      expect(again.stdout).toContain(
        '8. predictive insights: 0 made in this run by insight.refresh for the active developers and teams (nobody asked for them); 30 current',
      );
      const client = new pg.Client({ connectionString: databaseUrl(name) });
      await client.connect();
      const { rows } = await client.query(
        `SELECT (SELECT count(*) FROM commits)::int AS commits, (SELECT count(*) FROM developers)::int AS developers,
                (SELECT count(*) FROM teams)::int AS teams, (SELECT count(*) FROM pull_requests)::int AS prs,
                (SELECT count(*) FROM developers WHERE last_activity_at IS NULL)::int AS without_activity`,
      );
      await client.end();
      // Seeded history plus the 48 commits and 6 pull requests synced from the GitHub stand-in, the 6 new
      // commits of the career section and the 2 pull requests of the working agreement's (the second run finds them synced: no more).
      expect(rows[0]).toEqual({ commits: Number(r.stdout.match(/(\d+) commits/)![1]) + 48 + 6, developers: 8, teams: 2, prs: 104, without_activity: 0 });
      expect(again.stdout).toMatch(/9\. career: ada-l .*her learning path/);
      expect(again.stdout).toContain('posted to Slack by agreement.evaluate after the sync: 0 (the rest were posted by an earlier run: each alert goes once)');
    } finally {
      await dropDatabase(name);
      await deletePrefix(demoPrefix);
      await rm(join(tmpdir(), demoPrefix), { recursive: true, force: true });
    }
  }, 120_000);

  it('aexy enqueue validates the payload and reports the job id; status counts it', async () => {
    const bad = await runCliProcess(['enqueue', 'system.noop', '{"sleepMs":"soon"}'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Invalid payload for job "system.noop": sleepMs:');
    const notJson = await runCliProcess(['enqueue', 'system.noop', '{oops'], env);
    expect(notJson.stderr).toContain('Payload is not valid JSON');
    const unknown = await runCliProcess(['enqueue', 'nope.job', '{}'], env);
    expect(unknown.stderr).toContain('Unknown job "nope.job". Known jobs: system.noop');

    const ok = await runCliProcess(['enqueue', 'system.noop', '{"note":"from the cli"}'], env);
    expect(ok.stdout).toMatch(/enqueued system.noop on system as job \d+/);
    const status = await runCliProcess(['status', '--json'], env);
    const { queues: rows } = JSON.parse(status.stdout) as { queues: { queue: string; waiting: number }[] };
    expect(rows.map((r) => r.queue)).toContain('github-sync');
    expect(rows.find((r) => r.queue === 'system')!.waiting).toBe(1);
  });

  it('with Redis unreachable, queue commands fail within seconds with one clear line instead of hanging', async () => {
    const down = { ...env, REDIS_URL: `redis://127.0.0.1:${await freePort()}` };
    for (const args of [['status'], ['enqueue', 'system.noop', '{}']]) {
      const r = await runCliProcess(args, down);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toMatch(/^error: Redis at redis:\/\/127\.0\.0\.1:\d+ has been unreachable for 5000 ms \(connection \w+\)$/);
    }
  }, 60_000);

  it('reports invalid configuration and exits 1', async () => {
    const r = await runCliProcess(['status'], { ...env, REDIS_URL: 'localhost:6379' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('REDIS_URL: must be a Redis URL');
  });

  /**
   * A real worker process on its own prefix, with a slow system.noop already running in it; the
   * callback decides how to stop it.
   */
  async function withBusyWorker(sleepMs: number, fn: (worker: Spawned, job: Job, producer: Producer) => Promise<void>): Promise<void> {
    const workerPrefix = randomPrefix();
    const producer = new Producer({ redisUrl: REDIS_URL, prefix: workerPrefix });
    const events = new QueueEvents('system', { connection: { url: REDIS_URL }, prefix: workerPrefix });
    await events.waitUntilReady();
    const worker = spawnTs('src/workers/main.ts', ['--queues', 'system'], { ...env, QUEUE_PREFIX: workerPrefix });
    try {
      await waitForOutput(worker, /worker ready/);
      const active = new Promise<string>((resolve) => events.on('active', ({ jobId }) => resolve(jobId)));
      const job = await producer.enqueue(systemNoop, { sleepMs, note: 'in flight' });
      expect(await active).toBe(job.id);
      await fn(worker, job, producer);
    } finally {
      worker.kill('SIGKILL');
      await events.close();
      await producer.close();
      await deletePrefix(workerPrefix);
    }
  }

  it('the worker process drains in-flight jobs on SIGTERM and exits 0', async () => {
    await withBusyWorker(1_000, async (worker, job, producer) => {
      worker.kill('SIGTERM');
      const exit = await worker.finished;
      expect(exit.code).toBe(0);
      expect(exit.stdout).toContain('shutting down gracefully');
      const stored = await producer.queue('system').getJob(job.id!);
      expect(await stored!.getState()).toBe('completed');
      // Every log line is JSON with the job's id, queue and duration.
      const done = exit.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .find((l) => l.msg === 'job completed');
      expect(done).toMatchObject({ jobId: job.id, queue: 'system', job: 'system.noop' });
      expect(done.durationMs).toBeGreaterThanOrEqual(1_000);
    });
  });

  it('PostgreSQL or Redis unreachable: the demo and migrate fail within seconds, naming the service, its URL (password masked) and what to do', async () => {
    const [pgDown, redisDown, migrateDown] = await Promise.all([
      spawnTs('src/demo/main.ts', [], { ...env, DATABASE_URL: 'postgres://demo:s3cret-pw@127.0.0.1:1/aexy' }).finished,
      spawnTs('src/demo/main.ts', [], { ...env, REDIS_URL: `redis://127.0.0.1:${await freePort()}` }).finished,
      runCliProcess(['migrate'], { ...env, DATABASE_URL: 'postgres://demo:s3cret-pw@127.0.0.1:1/aexy' }),
    ]);
    for (const r of [pgDown, migrateDown]) {
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        'PostgreSQL at postgres://demo:***@127.0.0.1:1/aexy is unreachable (ECONNREFUSED): start PostgreSQL, or point DATABASE_URL at a server that is up',
      );
      expect(r.stderr).not.toContain('s3cret-pw');
    }
    expect(redisDown.code).toBe(1);
    expect(redisDown.stderr).toMatch(/error: Redis at .* has been unreachable for 10000 ms .*: start Redis, or point REDIS_URL at a server that is up/);
    expect(redisDown.stdout).not.toContain('seeded');
  }, 90_000);

  it('SIGTERM to `npm run worker` / `npm run board` (what Docker, compose and systemd send) reaches the node process: graceful exit, nothing left running', async () => {
    const started = [
      { proc: spawnNpm('worker', ['--queues', 'system'], env), ready: /worker ready/, bye: /shutting down gracefully/ },
      {
        proc: spawnNpm('board', [], { ...env, BOARD_PORT: String(await freePort()), BOARD_USER: 'ops', BOARD_PASSWORD: 'correct-horse-battery' }),
        ready: /board listening/,
        bye: null,
      },
    ];
    try {
      for (const { proc, ready, bye } of started) {
        await waitForOutput(proc, ready);
        const tree = descendants(proc.pid!);
        expect(tree.length).toBeGreaterThan(0);
        proc.kill('SIGTERM');
        const done = await proc.finished;
        expect(done.code).toBe(0);
        if (bye) expect(done.stdout).toMatch(bye);
        // npm waits for its child, so by now the whole tree is gone (a short bound for the kernel's reaping).
        for (let i = 0; i < 50 && tree.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
        expect(tree.filter(alive)).toEqual([]);
      }
    } finally {
      for (const { proc } of started) for (const pid of [proc.pid!, ...descendants(proc.pid!)]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 120_000);

  it('a second signal forces the worker out, leaving the job for stall recovery', async () => {
    await withBusyWorker(20_000, async (worker, job, producer) => {
      worker.kill('SIGTERM');
      await waitForOutput(worker, /shutting down gracefully/);
      worker.kill('SIGTERM');
      const exit = await worker.finished;
      expect(exit.code).toBe(1);
      expect(exit.stdout).toContain('second signal: forcing exit');
      // Not completed: it is still owned by the dead worker until its lock expires and it is stalled.
      expect(await (await producer.queue('system').getJob(job.id!))!.getState()).toBe('active');
    });
  });

  it('the worker refuses unknown queues', async () => {
    const r = await spawnTs('src/workers/main.ts', ['--queues', 'system,bogus'], env).finished;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Unknown queue(s): bogus');
  });
});
