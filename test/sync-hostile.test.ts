import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../src/config/index.js';
import { type Person } from '../src/dev/git-repo.js';
import { type StandInUser } from '../src/dev/github-stand-in.js';
import { DeferredError, TransientError } from '../src/errors/index.js';
import { githubSyncRepo, retentionPrune } from '../src/jobs/index.js';
import { syncCommits } from '../src/github/sync/commit-sync.js';
import { openMirror } from '../src/github/sync/git.js';
import { gitFallbackReason } from '../src/github/sync/git-fallbacks.js';
import { useGitHubWorld, type GitHubWorld } from './hooks.js';
import { directSync } from './helpers/direct-sync.js';
import { REDIS_URL } from './helpers/redis.js';

/**
 * Histories written to break a parser, a race forced between two syncs of one repository, and
 * credits that only resolve later. Ground truth is git: `git rev-list`, and per commit its message,
 * files and line counts each read by a git command of its own (GitRepo.commitTruth).
 */

const person = (name: string, email: string): Person => ({ name, email });
const alice = person('Alice', 'alice@acme.example');
const zoe = person(`Zoë "Z" O'Brien`, 'zoe@acme.example');
const users: Record<string, StandInUser> = {
  alice: { id: 2001, login: 'alice-gh', name: 'Alice A', created_at: '2011-05-01T00:00:00Z' },
  zoe: { id: 2009, login: 'zoe-gh', name: 'Zoe', created_at: '2012-05-01T00:00:00Z' },
  gina: { id: 6006, login: 'gina-gh', name: 'Gina', created_at: '2015-05-01T00:00:00Z' },
};

/** The marker the git path once split `git log` on, and a sha that names no commit. */
const OLD_MARKER = '\x1e\x1fAEXY\x1f';
const FAKE_SHA = 'f'.repeat(40);

/** A GitHub world serving `repoName` from its git repository, with the hostile history's users, and a Redis client. */
type Setup = GitHubWorld & { redis: Redis };

function useHostileWorld(source: 'api' | 'git', repoName: string, extra: Partial<Record<keyof AppConfig, string>> = {}): Setup {
  const w = useGitHubWorld({ settings: (_gh, repo) => ({ GITHUB_COMMITS_FROM: source, GIT_MIRROR_DIR: join(repo.root, 'mirrors'), ...extra }) }) as Setup;
  beforeAll(() => {
    w.gh.repos.set(repoName, { commits: [], pulls: [], git: w.repo.bare });
    for (const u of Object.values(users)) w.gh.users.set(u.login.toLowerCase(), u);
    w.gh.emails.set(alice.email, users.alice!);
    w.gh.emails.set(zoe.email, users.zoe!);
    w.redis = new Redis(REDIS_URL);
  });
  afterAll(() => w.redis?.disconnect());
  return w;
}

async function syncJob(s: Setup, repository: string): Promise<Job> {
  const job = await s.h.settle(await s.h.pool.producer.enqueue(githubSyncRepo, { repository, streams: ['commits'] }));
  expect(job.failedReason).toBeUndefined();
  await s.h.idle(['github-sync', 'profiles']);
  return job;
}

/** Every stored commit of the repository is git's, message, files, numbers and author alike, and git's are all stored. */
async function expectExactly(s: Setup, repository: string, shas: string[]): Promise<void> {
  const { rows } = await s.db.sql.query(
    `SELECT c.sha, c.message, c.additions, c.deletions, c.files_changed, c.files, c.committed_at, g.author_email
       FROM commits c LEFT JOIN commit_graph g ON g.sha = c.sha WHERE c.repository_full_name = $1 ORDER BY c.sha`,
    [repository],
  );
  expect(rows.map((r) => r.sha)).toEqual([...shas].sort());
  for (const r of rows) {
    const t = s.repo.commitTruth(r.sha);
    expect(
      {
        sha: r.sha,
        message: r.message,
        files: r.files.map((f: { path: string }) => f.path).sort(),
        additions: r.additions,
        deletions: r.deletions,
        email: r.author_email,
        date: r.committed_at.toISOString(),
      },
      r.sha,
    ).toEqual({ sha: r.sha, message: t.message, files: t.files, additions: t.additions, deletions: t.deletions, email: t.authorEmail, date: t.authorDate });
    expect(r.files_changed).toBe(t.files.length);
  }
}

describe.each([
  ['api', 'rest'],
  ['git', 'rest'],
  ['git', 'graphql'],
] as const)('a history written to break the parser (commits from %s, authors by %s)', (source, api) => {
  const REPO = 'acme/hostile';
  const s: Partial<Setup> = useHostileWorld(source, REPO, { GITHUB_PULLS_FROM: api });

  it('marker bytes, a fake sha, control characters, tabs, quotes, non-ASCII and renames to date- and email-like names: stored exactly as git holds them', async () => {
    const { repo } = s as Setup;
    repo.write('a.txt', 'a\n');
    repo.write('b.txt', 'b\nb\n');
    repo.commit(alice, '2026-01-01T10:00:00Z', 'root');
    // The old framing: a record marker, then what looks like a sha and NUL-free fields of a forged commit.
    repo.write('c.txt', 'c\n');
    repo.commitVerbatim(
      zoe,
      '2026-01-02T10:00:00Z',
      `subject with the marker ${OLD_MARKER}${FAKE_SHA}\n\n${OLD_MARKER}${FAKE_SHA}\n\x01\x02\x1b[31mred\x1b[0m\ttab "double" 'single' ünïcödé 日本語 🎉\n0\t0\tfake/path\n1\t2\t\n`,
    );
    // Renames to a name that is an ISO date and one that is an email: fields the old parser took for dates and emails.
    repo.git('mv', 'a.txt', '2026-01-01T00:00:00Z');
    repo.git('mv', 'b.txt', 'eve@evil.example');
    repo.commitVerbatim(alice, '2026-01-03T10:00:00Z', `two renames ${OLD_MARKER}\n`);
    // Paths with a tab, quotes, non-ASCII, a line feed, a numstat-looking prefix and a sha-looking name.
    repo.write('tab\there.txt', 'tab\n');
    repo.write(`quote"d 'single'.txt`, 'q\nq\nq\n');
    repo.write('ünïcödé/日本語.md', 'u\n');
    repo.write('line\nbreak.txt', 'n\nn\n');
    repo.write('0\t0\tnumstat-like.txt', 'x\n');
    repo.write(FAKE_SHA, 'sha-like\n');
    repo.commitVerbatim(zoe, '2026-01-04T10:00:00Z', 'hostile paths\n\n\n\n');
    // Several trailing line feeds (kept by --cleanup=verbatim): stored without them on both paths.
    repo.commitVerbatim(alice, '2026-01-05T10:00:00Z', 'ends in line feeds\n\nbody\n\n\n\n');
    repo.push();

    const job = await syncJob(s as Setup, REPO);
    expect(job.returnvalue).toMatchObject({ commits: { written: 5, source } });
    await expectExactly(s as Setup, REPO, repo.revList());
    const { rows } = await s.db!.sql.query(`SELECT message FROM commits WHERE message LIKE 'ends in%'`);
    expect(rows[0].message).toBe('ends in line feeds\n\nbody');
    // Nothing invented: no commit outside git's history, none credited to a developer git does not name.
    expect((await s.db!.sql.query(`SELECT count(*)::int AS n FROM commits WHERE sha = $1`, [FAKE_SHA])).rows[0].n).toBe(0);
    const { rows: devs } = await s.db!.sql.query(
      `SELECT DISTINCT d.github_username FROM commits c JOIN developers d ON d.id = c.developer_id WHERE c.repository_full_name = $1 ORDER BY 1`,
      [REPO],
    );
    expect(devs.map((d) => d.github_username)).toEqual(['alice-gh', 'zoe-gh']);
  });

  it("a co-author named by the older noreply form is credited once their account appears in a later commit's trailer", async () => {
    const { repo } = s as Setup;
    repo.write('pair.txt', 'pair\n');
    const older = repo.commit(alice, '2026-01-06T10:00:00Z', 'pairing\n\nCo-authored-by: Gina <gina-gh@users.noreply.github.com>');
    repo.push();
    await syncJob(s as Setup, REPO);
    const credit = async (sha: string) =>
      (
        await s.db!.sql.query(`SELECT a.email, d.github_username FROM commit_coauthors a LEFT JOIN developers d ON d.id = a.developer_id WHERE a.sha = $1`, [
          sha,
        ])
      ).rows;
    // Nobody of that login exists yet.
    expect(await credit(older)).toEqual([{ email: 'gina-gh@users.noreply.github.com', github_username: null }]);

    repo.write('pair.txt', 'pair again\n');
    const newer = repo.commit(alice, '2026-01-07T10:00:00Z', 'pairing again\n\nCo-authored-by: Gina <6006+gina-gh@users.noreply.github.com>');
    repo.push();
    await syncJob(s as Setup, REPO);
    expect(await credit(newer)).toEqual([{ email: '6006+gina-gh@users.noreply.github.com', github_username: 'gina-gh' }]);
    // The earlier credit resolves now too, whichever order the commits were written in.
    expect(await credit(older)).toEqual([{ email: 'gina-gh@users.noreply.github.com', github_username: 'gina-gh' }]);
    await expectExactly(s as Setup, REPO, repo.revList());
  });
});

describe('two commit syncs of one repository at once (commits from git)', () => {
  const REPO = 'acme/race';
  const s: Partial<Setup> = useHostileWorld('git', REPO);
  beforeAll(() => s.rows!.trackedRepository({ fullName: REPO, organizationId: null }));

  it('a run that read an older head holds the stream; the newer run is deferred, then stores the newer head: the database equals git rev-list', async () => {
    const { repo, h, db, gh, config, redis } = s as Setup;
    for (let i = 0; i < 3; i++) {
      repo.write('f.txt', `${i}\n`);
      repo.commit(alice, `2026-02-0${i + 1}T10:00:00Z`, `base ${i}`);
    }
    repo.push();
    await syncJob(s as Setup, REPO);

    // Run A reads the branch at H1, then stops inside the stream (its mirror) until released.
    repo.write('f.txt', 'h1\n');
    const h1 = repo.commit(alice, '2026-02-05T10:00:00Z', 'h1');
    repo.push();
    // The mirror is opened while the branch is read: A has read it once GitHub answered the branch.
    const branchRead = new Promise<void>((resolve) => {
      gh.onRequest = (r) => {
        if (r.path.endsWith('/branches/main')) resolve();
      };
    });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reachedGate!: () => void;
    const atGate = new Promise<void>((r) => (reachedGate = r));
    const runA = syncCommits({
      ...directSync(gh, redis, db.orm.em.fork()),
      repo: REPO,
      mirror: async () => {
        reachedGate();
        await gate;
        return openMirror(config, REPO, gh.token);
      },
    });
    await Promise.all([atGate, branchRead]);
    gh.onRequest = undefined;

    // Meanwhile the branch moves to H2 and run B (a push webhook's sync) starts.
    repo.write('f.txt', 'h2\n');
    const h2 = repo.commit(alice, '2026-02-06T10:00:00Z', 'h2');
    repo.push();
    const events = await h.events('github-sync');
    const jobB = await h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['commits', 'pulls'] });
    const deferred = new Promise<'deferred'>((resolve) => {
      const on = ({ jobId }: { jobId: string }) => {
        if (jobId !== jobB.id) return;
        events.off('delayed', on);
        resolve('deferred');
      };
      events.on('delayed', on);
    });
    // B must not run beside A: it is parked, it does not finish; being parked is no failure of the repository.
    expect(await Promise.race([deferred, h.settle(jobB).then(() => 'finished' as const)])).toBe('deferred');
    expect((await db.sql.query(`SELECT last_error FROM tracked_repositories WHERE full_name = $1`, [REPO])).rows).toEqual([{ last_error: null }]);

    release();
    expect(await runA).toMatchObject({ head: h1, written: 1, removed: 0 });
    const live = await h.reader('github-sync').getJob(jobB.id!);
    await live!.promote();
    const b = await h.settle(jobB);
    expect(b.failedReason).toBeUndefined();
    expect(b.returnvalue).toMatchObject({ commits: { head: h2, written: 1, removed: 0 } });
    await expectExactly(s as Setup, REPO, repo.revList());
    const { rows } = await db.sql.query(`SELECT head_sha, target_sha FROM github_commit_heads WHERE repository_full_name = $1`, [REPO]);
    expect(rows).toEqual([{ head_sha: h2, target_sha: null }]);
  });

  it('the mirror, opened while the branch is read, stays under the stream lock: a run whose read fails ends only once its mirror is settled', async () => {
    const { db, gh, redis } = s as Setup;
    const opts = { ...directSync(gh, redis, db.orm.em.fork()), repo: REPO };
    let readFailed!: () => void;
    const failed = new Promise<void>((resolve) => (readFailed = resolve));
    opts.octokit.hook.error('request', (err) => {
      readFailed();
      throw err;
    });
    gh.fail({ match: new RegExp(`^GET /repos/${REPO}$`), status: 404, times: 1 });
    let outcome: unknown;
    const mirror = async () => {
      await failed;
      // The read has failed and the mirror is still being opened: another run finds the stream taken.
      const other = syncCommits({ ...directSync(gh, redis, db.orm.em.fork()), repo: REPO }).then(
        () => 'ran',
        (err: unknown) => (err instanceof DeferredError ? 'deferred' : err),
      );
      outcome = await Promise.race([first, other]);
      return null;
    };
    const first = syncCommits({ ...opts, mirror }).then(
      () => 'the first run ended',
      (err: unknown) => err,
    );
    expect(await first).toMatchObject({ status: 404 });
    expect(outcome).toBe('deferred');
  });

  it('a mirror fetched before the branch moved on is named as lacking the head, and nothing is stored until a later run has it', async () => {
    const { repo, db, gh, config, redis } = s as Setup;
    const stale = await openMirror(config, REPO, gh.token);
    const before = repo.revList();
    repo.write('f.txt', 'h3\n');
    const h3 = repo.commit(alice, '2026-02-07T10:00:00Z', 'h3');
    repo.push();
    const opts = { ...directSync(gh, redis, db.orm.em.fork()), repo: REPO };
    const err = await syncCommits({ ...opts, mirror: async () => stale }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toBe(`the mirror of ${REPO} does not have ${h3} yet`);
    await expectExactly(s as Setup, REPO, before);
    expect(await syncCommits({ ...opts, mirror: () => openMirror(config, REPO, gh.token) })).toMatchObject({ head: h3, written: 1, removed: 0 });
    await expectExactly(s as Setup, REPO, repo.revList());
  });
});

describe('a first sync bounded by GITHUB_SYNC_INITIAL_DAYS (commits from git)', () => {
  const REPO = 'acme/skew';
  const s: Partial<Setup> = useHostileWorld('git', REPO, { GITHUB_SYNC_INITIAL_DAYS: '30' });

  it('one commit with an old committer date hides none of the history in the window behind it', async () => {
    const { repo } = s as Setup;
    const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
    repo.write('f.txt', 'old\n');
    repo.commit(alice, day(60), 'before the window');
    for (let i = 20; i > 0; i -= 2) {
      repo.write('f.txt', `${i}\n`);
      // One of them was committed with a clock years behind.
      repo.commit(alice, day(i), `day ${i}`, i === 10 ? { committerDate: '2001-01-01T00:00:00Z' } : {});
    }
    repo.push();
    await syncJob(s as Setup, REPO);
    // Truth: every commit of the branch whose committer date is in the window, by git log's own dates.
    const since = Date.now() - 30 * 86_400_000;
    const inWindow = repo
      .origin('log', '--format=%H %ct', 'main')
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .filter(([, ct]) => Number(ct) * 1000 >= since - 60_000)
      .map(([sha]) => sha!);
    expect(inWindow).toHaveLength(9);
    await expectExactly(s as Setup, REPO, inWindow);
  });
});

describe('the git path in production: mirrors heal, hold branches and tags only, and go with their repository', () => {
  const REPO = 'acme/mirror';
  const s: Partial<Setup> = useHostileWorld('git', REPO);

  const mirror = () => join(s.repo!.root, 'mirrors', 'acme', 'mirror.git');
  const git = (...args: string[]) => s.repo!.gitIn(mirror(), args);

  it("the first clone takes branches and tags, never GitHub's refs/pull/*", async () => {
    const { repo } = s as Setup;
    repo.write('f.txt', '1\n');
    const c1 = repo.commit(alice, '2026-03-01T10:00:00Z', 'one');
    repo.git('tag', 'v1');
    repo.git('checkout', '-q', '-b', 'side');
    repo.write('side.txt', 'side\n');
    const side = repo.commit(alice, '2026-03-02T10:00:00Z', 'side');
    repo.git('checkout', '-q', 'main');
    repo.push();
    repo.git('push', '-q', 'origin', 'v1', 'side');
    // What GitHub advertises beside the branches: a pull request's head, not on any branch.
    repo.origin('update-ref', 'refs/pull/7/head', side);
    repo.git('push', '-q', 'origin', '--delete', 'side');
    const job = await syncJob(s as Setup, REPO);
    expect(job.returnvalue).toMatchObject({ commits: { written: 1, source: 'git' } });
    expect(git('for-each-ref', '--format=%(refname)').trim().split('\n').sort()).toEqual(['refs/heads/main', 'refs/tags/v1']);
    expect(await hasObject(side)).toBe(false);
    expect(c1).toMatch(/^[0-9a-f]{40}$/);
  });

  it('stale lock files and temporary packs of a killed git, and a mirror cloned from another URL, heal on the next sync', async () => {
    const { repo, db } = s as Setup;
    // As if cloned before GITHUB_GIT_URL changed: the old address answers nothing.
    git('config', 'remote.origin.url', 'http://127.0.0.1:9/gone/mirror.git');
    for (const f of ['packed-refs.lock', 'refs/heads/main.lock', 'shallow.lock', 'config.lock', 'objects/pack/tmp_pack_abc123'])
      writeFileSync(join(mirror(), f), '');
    repo.write('f.txt', '2\n');
    repo.commit(alice, '2026-03-03T10:00:00Z', 'two');
    repo.push();
    const job = await syncJob(s as Setup, REPO);
    expect(job.returnvalue).toMatchObject({ commits: { written: 1, source: 'git' } });
    expect(job.returnvalue.commits.gitFallback).toBeUndefined();
    for (const f of ['packed-refs.lock', 'refs/heads/main.lock', 'shallow.lock', 'config.lock', 'objects/pack/tmp_pack_abc123'])
      expect(existsSync(join(mirror(), f)), f).toBe(false);
    expect(git('config', 'remote.origin.url').trim()).toBe(`${s.gh!.url}/acme/mirror.git`);
    await expectExactly(s as Setup, REPO, repo.revList());
    expect((await db.sql.query(`SELECT count(*)::int AS n FROM git_fallback_totals`)).rows[0].n).toBe(0);
  });

  it('a git failure that is not a refusal is retried, never a silent switch to the API', async () => {
    const { gh, config } = s as Setup;
    gh.fail({ match: /^POST \/acme\/mirror\.git\/git-upload-pack$/, status: 500, times: 1 });
    const err = await openMirror(config, REPO, gh.token).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(gitFallbackReason(err)).toBeNull();
    // Not found over git (while the API answers) is a refusal: the one remote reason to fall back.
    gh.fail({ match: /^GET \/acme\/mirror\.git\/info\/refs$/, status: 404, times: 1 });
    const missing = await openMirror({ ...config, GIT_MIRROR_DIR: join(s.repo!.root, 'other-mirrors') }, REPO, gh.token).catch((e: unknown) => e);
    expect(gitFallbackReason(missing)).toBe('remote-refused');
  });

  it('retention removes the mirrors of repositories no longer tracked and temporary clones a killed process left', async () => {
    const { db, h, repo } = s as Setup;
    await db.sql.query(`INSERT INTO tracked_repositories (full_name, is_active) VALUES ($1, true) ON CONFLICT (full_name) DO UPDATE SET is_active = true`, [
      REPO,
    ]);
    const stale = join(repo.root, 'mirrors', 'acme', 'mirror.git.0123456789ab.tmp');
    mkdirSync(stale, { recursive: true });
    const old = new Date(Date.now() - 7 * 3600_000);
    utimesSync(stale, old, old);
    const prune = async () => (await h.settle(await h.pool.producer.enqueue(retentionPrune, {}))).returnvalue;
    expect(await prune()).toMatchObject({ git_mirrors: 1 });
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(mirror())).toBe(true); // still tracked
    await db.sql.query(`UPDATE tracked_repositories SET is_active = false WHERE full_name = $1`, [REPO]);
    expect(await prune()).toMatchObject({ git_mirrors: 1 });
    expect(existsSync(mirror())).toBe(false);
    expect((await db.sql.query(`SELECT files_deleted::int AS n FROM pruned_totals WHERE kind = 'git_mirrors'`)).rows[0].n).toBe(2);
  });

  async function hasObject(sha: string): Promise<boolean> {
    try {
      git('cat-file', '-e', `${sha}^{commit}`);
      return true;
    } catch {
      return false;
    }
  }
});
