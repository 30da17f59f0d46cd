import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubSyncRepo, githubSyncTeams } from '../src/jobs/index.js';
import { tokenHash } from '../src/github/api/client.js';
import { installationTokenCache } from '../src/github/api/app.js';
import { alice, bob, carol, makeCommits, makePull } from './helpers/github-data.js';
import { REDIS_URL } from './helpers/redis.js';
import { useGitHubWorld } from './hooks.js';

const APP_ID = 424242;
const keys = () =>
  generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } });

describe('GitHub App authentication: an installation per GitHub account, each with its tokens and its budget', () => {
  let redis: Redis;
  const pair = keys();
  const w = useGitHubWorld({
    settings: (_gh, repo) => ({
      // No personal token: every request is the App's. The key as a .env file holds it, on one line.
      GITHUB_TOKEN: '',
      GITHUB_APP_ID: String(APP_ID),
      GITHUB_APP_PRIVATE_KEY: pair.privateKey.replace(/\n/g, '\\n'),
      GITHUB_COMMITS_FROM: 'git',
      GITHUB_PULLS_FROM: 'graphql',
      GIT_MIRROR_DIR: join(repo.root, 'mirrors'),
    }),
  });

  beforeAll(async () => {
    w.gh.app = {
      id: APP_ID,
      publicKey: pair.publicKey,
      installations: new Map([
        ['acme', 71],
        ['globex', 72],
        ['initech', 73],
        ['hooli', 74],
      ]),
    };
    for (const u of [alice, bob, carol]) w.gh.users.set(u.login, u);
    w.gh.repos.set('acme/api', { commits: makeCommits(30), pulls: [makePull(1, alice, bob), makePull(2, bob, carol)] });
    w.gh.repos.set('globex/web', { commits: makeCommits(12, 0, 'g'), pulls: [makePull(3, carol, alice)] });
    w.gh.repos.set('initech/tps', { commits: makeCommits(3, 0, 'i'), pulls: [] });
    w.gh.repos.set('umbrella/lab', { commits: makeCommits(3, 0, 'u'), pulls: [] });
    w.gh.repos.set('hooli/box', { commits: makeCommits(2, 0, 'h'), pulls: [] });
    w.repo.write('README.md', 'hello\n');
    w.repo.commit({ name: 'Alice', email: 'alice@example.com' }, '2026-01-01T00:00:00Z', 'first');
    w.repo.push();
    w.gh.repos.set('acme/tool', { commits: [], pulls: [], git: w.repo.bare });
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    redis?.disconnect();
  });

  const sync = async (repository: string) =>
    w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository }, { backoff: { type: 'fixed', delay: 50 } }));
  /** The installation whose token authenticated each API request under a path prefix. */
  const installationsOf = (prefix: string) =>
    new Set(
      w.gh.requests
        .filter((r) => r.path.startsWith(prefix))
        .map(
          (r) =>
            w.gh.installationTokens.get(/^(?:token|bearer) (.+)$/i.exec(r.auth ?? '')?.[1] ?? '')?.installationId ??
            `not an installation token: ${r.auth?.slice(0, 12)}`,
        ),
    );
  const tokensCreated = (id: number) => w.gh.requests.filter((r) => r.method === 'POST' && r.path === `/app/installations/${id}/access_tokens`).length;

  it("each account's repositories are synced with its installation's tokens, and each installation has its own budget", async () => {
    for (const repository of ['acme/api', 'globex/web']) {
      const job = await sync(repository);
      expect(job.failedReason).toBeUndefined();
    }
    const { rows } = await w.db.sql.query(`SELECT account_login, app_id::int, installation_id::int FROM github_app_installations ORDER BY account_login`);
    expect(rows).toEqual([
      { account_login: 'acme', app_id: APP_ID, installation_id: 71 },
      { account_login: 'globex', app_id: APP_ID, installation_id: 72 },
    ]);
    expect(installationsOf('/repos/acme/')).toEqual(new Set([71]));
    expect(installationsOf('/repos/globex/')).toEqual(new Set([72]));
    expect(installationsOf('/graphql')).toEqual(new Set([71, 72]));
    expect([tokensCreated(71), tokensCreated(72)]).toEqual([1, 1]);
    const { rows: commits } = await w.db.sql.query(`SELECT repository_full_name, count(*)::int AS n FROM commits GROUP BY 1 ORDER BY 1`);
    expect(commits).toEqual([
      { repository_full_name: 'acme/api', n: 30 },
      { repository_full_name: 'globex/web', n: 12 },
    ]);

    // The budgets recorded in Redis are the installations' own, as the stand-in counted them; the
    // personal token's budget was never touched.
    const remaining = (identity: string) => redis.hget(`${w.config.QUEUE_PREFIX}:github:rate:${tokenHash(identity)}`, 'remaining');
    expect(await remaining(`app:${APP_ID}:installation:71`)).toBe(String(w.gh.installationRates.get(71)!.remaining));
    expect(await remaining(`app:${APP_ID}:installation:72`)).toBe(String(w.gh.installationRates.get(72)!.remaining));
    expect(w.gh.installationRates.get(71)!.remaining).not.toBe(w.gh.installationRates.get(72)!.remaining);
    expect(w.gh.rate.remaining).toBe(w.gh.rate.limit);
    // The profiles of the developers the syncs found (a user's public profile is no account's in
    // particular) were fetched with an installation's token too.
    expect(w.gh.requests.filter((r) => r.path.startsWith('/users/')).map((r) => r.status)).toEqual(expect.arrayContaining([200]));
    for (const id of installationsOf('/users/')) expect([71, 72]).toContain(id);
  });

  it("an organization's teams are read with its own installation", async () => {
    w.gh.orgTeams.set('globex', [{ id: 1, slug: 'web', name: 'Web', description: null, members: [alice, carol] }]);
    w.gh.reset();
    const job = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncTeams, { org: 'globex', organizationId: '00000000-0000-4000-8000-00000000e001' }));
    expect(job.returnvalue).toEqual({ org: 'globex', teams: 1, written: 1 });
    expect(installationsOf('/orgs/globex/teams')).toEqual(new Set([72]));
  });

  it('a token is reused by the next jobs, and renewed once it is within 5 minutes of expiring', async () => {
    w.gh.reset();
    expect((await sync('acme/api')).failedReason).toBeUndefined();
    expect(tokensCreated(71)).toBe(0);
    expect(w.gh.requests.some((r) => r.path === '/orgs/acme/installation')).toBe(false); // stored, not looked up again

    // The cache, with tokens as auth-app stores them ("token|createdAt|expiresAt|…"): an hour-long
    // token is reused until 5 minutes before its end, then renewed.
    const cache = installationTokenCache('999');
    const entry = (createdMinutesAgo: number, lifetimeMinutes: number) => {
      const created = Date.now() - createdMinutesAgo * 60_000;
      return `ghs_x|${new Date(created).toISOString()}|${new Date(created + lifetimeMinutes * 60_000).toISOString()}|all|contents|`;
    };
    cache.set('1', entry(50, 60));
    cache.set('2', entry(56, 60));
    cache.set('3', entry(1, 4)); // a 4-minute token: renewed in its last minute only
    cache.set('4', entry(3.5, 4));
    expect(['1', '2', '3', '4'].map((k) => cache.get(k) !== undefined)).toEqual([true, false, true, false]);
    w.gh.installationTokenSeconds = 3600;
  });

  it("git clones and fetches with the installation's token", async () => {
    w.gh.gitRequests.length = 0;
    const job = await sync('acme/tool');
    expect(job.failedReason).toBeUndefined();
    expect(job.returnvalue.commits).toMatchObject({ written: 1, source: 'git' });
    const passwords = w.gh.gitRequests.map(
      (r) =>
        Buffer.from(/^Basic (.+)$/.exec(r.auth ?? '')?.[1] ?? '', 'base64')
          .toString()
          .split(':')[1],
    );
    expect(passwords.length).toBeGreaterThan(0);
    for (const p of passwords) expect(w.gh.installationTokens.get(p ?? '')?.installationId).toBe(71);
  });

  it('uninstalled and installed again under a new id: the refused token and the stale installation are dropped, and the retry finds the new one', async () => {
    w.gh.app!.installations.set('acme', 81);
    for (const [token, issued] of w.gh.installationTokens) if (issued.installationId === 71) w.gh.installationTokens.delete(token); // GitHub revokes them
    w.gh.repos.get('acme/api')!.commits.push(...makeCommits(1, 200, 'reinstalled'));
    w.gh.reset();
    const job = await sync('acme/api');
    expect(await job.getState()).toBe('completed');
    // One transient failure (the revoked token, after auth-app's own retries for replication lag), then done.
    expect(job.stacktrace).toHaveLength(1);
    expect(job.stacktrace?.[0]).toMatch(/refused the installation token of installation 71 \(401\)/);
    expect(job.returnvalue.commits).toMatchObject({ written: 1 });
    expect(installationsOf('/repos/acme/api/commits')).toEqual(new Set([81]));
    const { rows } = await w.db.sql.query(`SELECT installation_id::int FROM github_app_installations WHERE account_login = 'acme'`);
    expect(rows).toEqual([{ installation_id: 81 }]);
  });

  it('an account the App is not installed on fails at once, saying so', async () => {
    const job = await sync('umbrella/lab');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toBe(`The GitHub App ${APP_ID} is not installed on umbrella: install it on that account, or set GITHUB_TOKEN`);
  });

  it('a JWT GitHub refuses (the App key was rotated): a permanent failure that names it, and no key in the error', async () => {
    w.gh.app!.publicKey = keys().publicKey;
    const job = await sync('initech/tps');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/^GitHub rejected the credentials \(401\) for \S+\/orgs\/initech\/installation$/);
    expect(job.failedReason).not.toMatch(/PRIVATE KEY|ey[A-Za-z0-9_-]{20,}\./);
    w.gh.app!.publicKey = pair.publicKey;
  });
});
