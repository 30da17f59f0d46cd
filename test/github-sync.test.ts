import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubSyncAll, githubSyncDeveloper, githubSyncRepo, githubSyncTeams } from '../src/jobs/index.js';
import { useTestWorld } from './hooks.js';
import { alice, at, bob, makeCommits, makePull, seedStandIn } from './helpers/github-data.js';
import { standInGitHubSettings } from './helpers/redis.js';
import { fakeSha, GitHubStandIn } from '../src/dev/github-stand-in.js';

describe('GitHub sync against a GitHub stand-in', () => {
  let gh: GitHubStandIn;
  beforeAll(async () => {
    gh = await new GitHubStandIn().start();
    seedStandIn(gh);
  });
  afterAll(async () => {
    await gh?.stop();
  });
  const w = useTestWorld({ harness: true, settings: () => standInGitHubSettings(gh) });

  async function sync(repository: string): Promise<Job> {
    const job = await w.h.pool.producer.enqueue(githubSyncRepo, { repository });
    return w.h.settle(job);
  }

  /** Wait for the profile jobs queued after `since` (the follow-ups of a sync). */
  async function settleProfiles(since: number): Promise<Job[]> {
    const jobs = await w.h.reader('profiles').getJobs(['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed']);
    return Promise.all(jobs.filter((j) => j.timestamp >= since).map((j) => w.h.settle(j)));
  }

  /** A fingerprint of every row version of the synced tables: any insert or update changes it. */
  async function fingerprint(): Promise<string> {
    const { rows } = await w.db.sql.query(
      `SELECT (SELECT string_agg(xmin::text, ',' ORDER BY id) FROM developers) ||
              (SELECT coalesce(string_agg(xmin::text, ',' ORDER BY id), '') FROM commits) ||
              (SELECT coalesce(string_agg(xmin::text, ',' ORDER BY id), '') FROM pull_requests) ||
              (SELECT coalesce(string_agg(xmin::text, ',' ORDER BY id), '') FROM code_reviews) ||
              (SELECT coalesce(string_agg(xmin::text, ',' ORDER BY repository_full_name, stream), '') FROM github_sync_cursors) AS f`,
    );
    return rows[0].f;
  }

  it('first sync: every commit, file, PR and review, attributed by GitHub id', async () => {
    const done = await sync('acme/api');
    expect(done.failedReason).toBeUndefined();
    expect(done.returnvalue).toMatchObject({ commits: { fetched: 251, written: 251 }, pulls: { fetched: 5, written: 5, reviews: 5 } });
    // Its steps are in the job's log (Bull Board's Logs tab).
    const { logs } = await w.h.reader('github-sync').getJobLogs(done.id!);
    expect(logs.map((l) => l.replace(/^\S+ /, '').replace(/ \{.*$/, ''))).toEqual([
      'syncing acme/api: commits and pulls',
      'commits: 251 stored, 0 removed, of 251 new on the branch',
      'pull requests: 5 written with 5 reviews, of 5 listed',
    ]);

    const { rows: counts } = await w.db.sql.query(
      `SELECT (SELECT count(*) FROM commits)::int AS commits, (SELECT count(*) FROM pull_requests)::int AS prs,
              (SELECT count(*) FROM code_reviews)::int AS reviews, (SELECT count(*) FROM developers)::int AS devs,
              (SELECT count(*) FROM commits WHERE developer_id IS NULL)::int AS unattributed`,
    );
    expect(counts[0]).toEqual({ commits: 251, prs: 5, reviews: 5, devs: 3, unattributed: 25 });

    const { rows: byDev } = await w.db.sql.query(
      `SELECT d.github_id::int, d.github_username, count(c.id)::int AS commits
         FROM developers d LEFT JOIN commits c ON c.developer_id = d.id GROUP BY d.id ORDER BY d.github_id`,
    );
    expect(byDev).toEqual([
      { github_id: 1001, github_username: 'alice', commits: 125 },
      { github_id: 1002, github_username: 'bob', commits: 100 },
      { github_id: 1003, github_username: 'carol', commits: 1 },
    ]);

    // Per-file stats with Linguist languages; vendored and generated files flagged and left out of languages.
    const { rows: first } = await w.db.sql.query(`SELECT additions, deletions, files_changed, files, languages, committed_at FROM commits WHERE sha = $1`, [
      fakeSha('c-0'),
    ]);
    expect(first[0]).toMatchObject({ additions: 160, deletions: 50, files_changed: 3, languages: { Go: 10 } });
    expect(first[0].files).toEqual([
      { path: 'src/module0/file.go', additions: 10, deletions: 0, language: 'Go' },
      { path: 'node_modules/left-pad/index.js', additions: 100, deletions: 0, language: 'JavaScript', excluded: 'vendored' },
      { path: 'package-lock.json', additions: 50, deletions: 50, language: 'JSON', excluded: 'generated' },
    ]);
    expect(first[0].committed_at.toISOString()).toBe(at(0).replace('Z', '.000Z').replace('.000.000', '.000'));

    // The 650-file commit was read across its three file pages.
    const { rows: big } = await w.db.sql.query(`SELECT files_changed, additions, jsonb_array_length(files) AS n, languages FROM commits WHERE sha = $1`, [
      fakeSha('big-650'),
    ]);
    expect(big[0]).toEqual({ files_changed: 650, additions: 1300, n: 650, languages: { Rust: 1950 } });

    const { rows: prs } = await w.db.sql.query(
      `SELECT p.number, p.state, d.github_username AS author, p.additions, p.commits_count, p.labels, p.reviewers
         FROM pull_requests p JOIN developers d ON d.id = p.developer_id ORDER BY p.number`,
    );
    expect(prs.map((p) => [p.number, p.state, p.author])).toEqual([
      [1, 'merged', 'alice'],
      [2, 'merged', 'bob'],
      [3, 'merged', 'alice'],
      [4, 'closed', 'carol'],
      [5, 'open', 'bob'],
    ]);
    expect(prs[4]).toMatchObject({ additions: 50, commits_count: 3, reviewers: ['alice', 'carol'] });
    const { rows: reviews } = await w.db.sql.query(
      `SELECT r.state, d.github_username AS reviewer, p.number FROM code_reviews r JOIN developers d ON d.id = r.reviewer_id
         JOIN pull_requests p ON p.id = r.pull_request_id ORDER BY p.number`,
    );
    expect(reviews).toEqual([
      { state: 'approved', reviewer: 'bob', number: 1 },
      { state: 'approved', reviewer: 'alice', number: 2 },
      { state: 'approved', reviewer: 'carol', number: 3 },
      { state: 'approved', reviewer: 'alice', number: 4 },
      { state: 'approved', reviewer: 'carol', number: 5 },
    ]);

    // The pull cursor sits at the newest PR seen; the commit stream remembers the branch head.
    const { rows: cursors } = await w.db.sql.query(`SELECT stream, cursor_at FROM github_sync_cursors ORDER BY stream`);
    expect(cursors.map((c) => [c.stream, c.cursor_at.toISOString()])).toEqual([['pulls', new Date(at(26)).toISOString()]]);
    const { rows: heads } = await w.db.sql.query(`SELECT branch, head_sha, target_sha FROM github_commit_heads`);
    expect(heads).toEqual([{ branch: 'main', head_sha: fakeSha('big-650'), target_sha: null }]);

    // Requests: the repository and its branch, 3 list pages, 251 details + 2 extra file pages of the
    // big commit, 1 PR page, 5 PRs × (detail + reviews).
    expect(gh.counted(/^GET \/repos\/acme\/api$/)).toHaveLength(1);
    expect(gh.counted(/\/branches\/main$/)).toHaveLength(1);
    expect(gh.counted(/\/commits$/)).toHaveLength(3);
    expect(gh.counted(/\/commits\/[0-9a-f]{40}$/)).toHaveLength(253);
    expect(gh.counted(/\/pulls$/)).toHaveLength(1);
    expect(gh.counted(/\/pulls\/\d+$/)).toHaveLength(5);
    expect(gh.counted(/\/reviews$/)).toHaveLength(5);
    expect(gh.requests.every((r) => r.auth === `token ${gh.token}`)).toBe(true);

    // Profiles of the developers whose data changed are recomputed, and the developers the sync
    // discovered are fetched from GitHub (name, account age for the seniority's tenure).
    const profiles = await settleProfiles(done.timestamp);
    expect(profiles.length).toBeGreaterThanOrEqual(3);
    expect(profiles.every((p) => p.finishedOn && !p.failedReason)).toBe(true);
    await w.h.idle(['github-sync', 'profiles']);
    const { rows: enriched } = await w.db.sql.query(
      `SELECT d.github_username, d.github_created_at IS NOT NULL AS fetched, d.profile_updated_at IS NOT NULL AS profiled, s.status
         FROM developers d LEFT JOIN github_user_syncs s ON s.developer_id = d.id ORDER BY d.github_id`,
    );
    expect(enriched).toEqual([
      { github_username: 'alice', fetched: true, profiled: true, status: 'done' },
      { github_username: 'bob', fetched: true, profiled: true, status: 'done' },
      { github_username: 'carol', fetched: true, profiled: true, status: 'done' },
    ]);
    expect((await w.db.sql.query(`SELECT count(*)::int AS n FROM developer_dirty`)).rows[0].n).toBe(0);
    const { rows: dev } = await w.db.sql.query(
      `SELECT languages, skills, frameworks, domains, seniority_level, seniority_score, last_activity_at, profile_updated_at
         FROM developers WHERE github_username = 'alice'`,
    );
    expect(dev[0].languages.Go.commits).toBeGreaterThan(0);
    expect(dev[0].languages.JavaScript).toBeUndefined(); // vendored only
    expect(dev[0].skills).toEqual(expect.arrayContaining(['go', 'typescript', 'python']));
    expect(dev[0].domains.backend).toBeGreaterThan(0);
    expect(dev[0].seniority_level).toMatch(/junior|mid|senior|staff|principal/);
    expect(dev[0].profile_updated_at).not.toBeNull();
    expect(dev[0].last_activity_at.toISOString()).toBe(new Date(at(248)).toISOString());
  });

  it('a re-run with nothing changed writes nothing and costs no rate-limited requests', async () => {
    const before = await fingerprint();
    // The branch head has not moved: the repository and branch reads come back 304, no commit is
    // listed, and every other request is a conditional GET answered 304 too.
    const remaining = gh.rate.remaining;
    gh.reset();
    const done = await sync('acme/api');
    expect(done.returnvalue).toMatchObject({ commits: { fetched: 0, written: 0 }, pulls: { written: 0, reviews: 0 } });
    expect(gh.requests.length).toBeGreaterThan(0);
    expect(gh.counted()).toEqual([]); // every request was a conditional GET answered 304
    expect(gh.requests.every((r) => r.conditional)).toBe(true);
    expect(gh.rate.remaining).toBe(remaining);
    expect(await fingerprint()).toBe(before);
    // The open PR was re-checked even though the list did not reach it.
    expect(gh.requests.some((r) => r.path === '/repos/acme/api/pulls/5')).toBe(true);
  });

  it('two owners, one repository name: each sync re-checks only its own open pull requests', async () => {
    gh.repos.set('other/api', { commits: [], pulls: [makePull(40, bob, alice, { state: 'open', merged_at: null, closed_at: null, updated_at: at(30) })] });
    const first = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: 'other/api', streams: ['pulls'] }));
    expect(first.returnvalue).toMatchObject({ pulls: { written: 1 } });
    const { rows } = await w.db.sql.query(
      `SELECT p.number, p.repository_name, r.repository_full_name FROM pull_requests p JOIN github_pull_repositories r USING (github_id)
        WHERE p.state = 'open' ORDER BY p.number`,
    );
    expect(rows).toEqual([
      { number: 5, repository_name: 'api', repository_full_name: 'acme/api' },
      { number: 40, repository_name: 'api', repository_full_name: 'other/api' },
    ]);
    gh.reset();
    await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: 'acme/api', streams: ['pulls'] }));
    await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: 'other/api', streams: ['pulls'] }));
    const details = gh.requests.map((r) => r.path).filter((path) => /\/pulls\/\d+$/.test(path));
    expect(details.sort()).toEqual(['/repos/acme/api/pulls/5', '/repos/other/api/pulls/40']);
    expect(gh.requests.filter((r) => r.status === 404)).toEqual([]);
    gh.repos.delete('other/api');
    await w.db.sql.query(`DELETE FROM github_pull_repositories WHERE repository_full_name = 'other/api'`);
    await w.db.sql.query(`DELETE FROM github_sync_cursors WHERE repository_full_name = 'other/api'`);
    await w.db.sql.query(`DELETE FROM code_reviews WHERE pull_request_id IN (SELECT id FROM pull_requests WHERE number = 40)`);
    await w.db.sql.query(`DELETE FROM pull_requests WHERE number = 40`);
  });

  it('incremental: only new commits and changed PRs are fetched; cursors advance', async () => {
    const repo = gh.repos.get('acme/api')!;
    repo.commits.push(...makeCommits(2, 400, 'new'));
    const pr5 = repo.pulls.find((p) => p.number === 5)!;
    pr5.updated_at = at(401);
    pr5.reviews.push({ id: 999_999, user: alice, state: 'CHANGES_REQUESTED', body: 'please add tests', submitted_at: at(401) });
    repo.pulls.push(makePull(6, alice, bob, { created_at: at(399), updated_at: at(402), merged_at: at(402), closed_at: at(402) }));
    gh.reset();

    const done = await sync('acme/api');
    // The new head was compared with the stored one: the 2 new commits came back and were fetched in
    // detail; nothing was listed. PR 5 gained a review, PR 6 is new.
    const newHead = fakeSha('new-401');
    expect(done.returnvalue).toMatchObject({ commits: { fetched: 2, written: 2, head: newHead }, pulls: { fetched: 2, written: 2, reviews: 2 } });
    expect(gh.counted(/\/compare\//).map((r) => r.path)).toEqual([`/repos/acme/api/compare/${fakeSha('big-650')}...${newHead}`]);
    expect(gh.counted(/\/commits$/)).toEqual([]);
    expect(gh.counted(/\/commits\/[0-9a-f]{40}$/)).toHaveLength(2);
    expect(
      gh
        .counted(/\/pulls\/\d+$/)
        .map((r) => r.path)
        .sort(),
    ).toEqual(['/repos/acme/api/pulls/5', '/repos/acme/api/pulls/6']);

    const { rows } = await w.db.sql.query(
      `SELECT (SELECT count(*) FROM commits)::int AS commits, (SELECT count(*) FROM code_reviews)::int AS reviews,
              (SELECT head_sha FROM github_commit_heads) AS head,
              (SELECT cursor_at FROM github_sync_cursors WHERE stream = 'pulls') AS pulls_cursor`,
    );
    expect(rows[0].commits).toBe(253);
    expect(rows[0].reviews).toBe(7);
    expect(rows[0].head).toBe(newHead);
    expect(rows[0].pulls_cursor.toISOString()).toBe(new Date(at(402)).toISOString());
    await settleProfiles(done.timestamp);
  });

  it('re-delivered work never duplicates rows (cursor and head lost, job run twice)', async () => {
    await w.db.sql.query(`DELETE FROM github_sync_cursors`);
    await w.db.sql.query(`DELETE FROM github_commit_heads`);
    await w.db.sql.query(`DELETE FROM github_http_cache`);
    const a = await sync('acme/api');
    expect(a.returnvalue).toMatchObject({ commits: { fetched: 253, written: 0 }, pulls: { written: 0, reviews: 0 } });
    const { rows } = await w.db.sql.query(
      `SELECT (SELECT count(*) FROM commits)::int AS c, (SELECT count(DISTINCT sha) FROM commits)::int AS dc,
              (SELECT count(*) FROM pull_requests)::int AS p, (SELECT count(*) FROM code_reviews)::int AS r`,
    );
    expect(rows[0]).toEqual({ c: 253, dc: 253, p: 6, r: 7 });
  });

  it('an empty repository (409) is a successful sync with no commits', async () => {
    const done = await sync('acme/empty');
    expect(await done.getState()).toBe('completed');
    expect(done.returnvalue).toMatchObject({ commits: { fetched: 0, written: 0 } });
  });

  it('an unknown repository fails permanently, without retries', async () => {
    const done = await sync('acme/nope');
    expect(await done.getState()).toBe('failed');
    expect(done.attemptsMade).toBe(1);
    expect(done.failedReason).toMatch(/GitHub has no .*\/repos\/acme\/nope \(404\)/);
  });

  it('502s are retried with backoff inside the request, then the sync completes', async () => {
    const repo = gh.repos.get('acme/api')!;
    const c = makeCommits(1, 500, 'flaky')[0]!;
    repo.commits.push(c);
    gh.fail({ match: new RegExp(`/commits/${c.sha}`), status: 502, times: 2, body: { message: 'Server Error' } });
    gh.reset();
    const done = await sync('acme/api');
    expect(await done.getState()).toBe('completed');
    expect(gh.requests.filter((r) => r.path.endsWith(`/commits/${c.sha}`)).map((r) => r.status)).toEqual([502, 502, 200]);
    expect((await w.db.sql.query(`SELECT 1 FROM commits WHERE sha = $1`, [c.sha])).rowCount).toBe(1);
  });

  it('primary rate limit: the job waits for x-ratelimit-reset (delayed, not failed), then completes', async () => {
    const repo = gh.repos.get('acme/api')!;
    repo.commits.push(...makeCommits(1, 600, 'limited'));
    gh.rate.remaining = 0;
    gh.rate.reset = Math.floor(Date.now() / 1000) + 1;
    gh.reset();
    const events = await w.h.events('github-sync');
    const delayed = new Promise<string>((resolve) => events.once('delayed', ({ jobId }) => resolve(jobId)));
    const job = await w.h.pool.producer.enqueue(githubSyncRepo, { repository: 'acme/api' });
    expect(await delayed).toBe(job.id);
    // One 403 taught every worker (through Redis) that the budget is gone; nothing else was sent.
    expect(gh.requests.map((r) => r.status)).toEqual([403]);
    gh.rate.remaining = 5000; // GitHub resets the budget at x-ratelimit-reset
    gh.rate.reset = Math.floor(Date.now() / 1000) + 3600;
    const done = await w.h.settle(job);
    expect(await done.getState()).toBe('completed');
    expect(done.attemptsMade).toBeLessThanOrEqual(1);
    expect(done.returnvalue).toMatchObject({ commits: { written: 1 } });
  });

  it('secondary rate limit: Retry-After is honoured', async () => {
    gh.fail({
      match: /\/pulls\?/,
      status: 403,
      times: 1,
      headers: { 'retry-after': '1' },
      body: {
        message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        documentation_url: 'https://docs.github.com/rest',
      },
    });
    const started = Date.now();
    const job = await w.h.pool.producer.enqueue(githubSyncRepo, { repository: 'acme/api', streams: ['pulls'] });
    const done = await w.h.settle(job);
    expect(await done.getState()).toBe('completed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(done.failedReason).toBeUndefined();
  });

  it('a malformed GitHub response is a clear error, retried, and loses nothing', async () => {
    gh.fail({ match: /\/repos\/acme\/api\/pulls\?/, status: 200, times: 10, body: [{ id: 'not-a-number', number: 1 }] });
    const job = await w.h.pool.producer.enqueue(
      githubSyncRepo,
      { repository: 'acme/api', streams: ['pulls'] },
      { attempts: 2, backoff: { type: 'fixed', delay: 10 } },
    );
    const done = await w.h.settle(job);
    gh.faults.length = 0;
    expect(await done.getState()).toBe('failed');
    expect(done.attemptsMade).toBe(2);
    expect(done.failedReason).toMatch(/^Malformed GitHub response for pull list of acme\/api: id: /);
    expect((await w.db.sql.query(`SELECT count(*)::int AS n FROM pull_requests`)).rows[0].n).toBe(6);
  });

  it('the scheduled sync-all queues the incremental syncs of every active tracked repository', async () => {
    for (const [fullName, active] of [
      ['acme/api', true],
      ['acme/empty', true],
      ['acme/old', false],
    ] as const) {
      await w.rows.trackedRepository({ fullName, organizationId: null, is_active: active });
    }
    const done = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncAll, {}));
    expect(done.returnvalue).toEqual({ queued: 2 });
    const queued = (await w.h.reader('github-sync').getJobs(['waiting', 'prioritized', 'active', 'completed', 'failed'])).filter(
      (j) => j.name === 'github.sync-repo' && j.timestamp >= done.timestamp,
    );
    // Per repository: its commits and pull requests, its deployments, and its issues.
    expect(queued.map((j) => `${j.data.repository} ${j.data.streams.join('+')}`).sort()).toEqual([
      'acme/api commits+pulls',
      'acme/api deployments',
      'acme/api issues',
      'acme/empty commits+pulls',
      'acme/empty deployments',
      'acme/empty issues',
    ]);
    const finished = await Promise.all(queued.map((j) => w.h.settle(j)));
    expect(await Promise.all(finished.map((j) => j.getState()))).toEqual(Array(6).fill('completed'));
    const { rows } = await w.db.sql.query(`SELECT full_name, last_synced_at IS NOT NULL AS synced, last_error FROM tracked_repositories ORDER BY full_name`);
    expect(rows).toEqual([
      { full_name: 'acme/api', synced: true, last_error: null },
      { full_name: 'acme/empty', synced: true, last_error: null },
      { full_name: 'acme/old', synced: false, last_error: null },
    ]);
  });

  it("teams follow the organization's GitHub teams; unchanged teams are not rewritten", async () => {
    const org = '0d3c9a4e-5b7f-4c1a-9e2d-6f8a1b2c3d4e';
    gh.orgTeams.set('acme', [
      { id: 1, slug: 'backend', name: 'Backend', description: 'APIs', members: [alice, bob] },
      { id: 2, slug: 'frontend', name: 'Frontend', description: null, members: [{ id: 1004, login: 'dave' }] },
    ]);
    const events = await w.h.events('github-sync');
    const progress: unknown[] = [];
    events.on('progress', ({ data }) => progress.push(data));
    const first = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncTeams, { org: 'acme', organizationId: org }));
    expect(first.returnvalue).toEqual({ org: 'acme', teams: 2, written: 2 });
    expect(progress).toEqual(expect.arrayContaining([50, 100]));
    const teams = async () =>
      (
        await w.db.sql.query(
          `SELECT t.name, t.description, array(SELECT d.github_username FROM developers d WHERE d.id = ANY(t.developer_ids) ORDER BY 1) AS members
             FROM teams t WHERE organization_id = $1 ORDER BY name`,
          [org],
        )
      ).rows;
    expect(await teams()).toEqual([
      { name: 'Backend', description: 'APIs', members: ['alice', 'bob'] },
      { name: 'Frontend', description: null, members: ['dave'] },
    ]);
    // New members of the organization: their Slack users are looked up; the GitHub organization is linked to it.
    const mapUsers = async (since: number) =>
      (await w.h.reader('slack').getJobs(['waiting', 'active', 'completed', 'failed'])).filter((j) => j.name === 'slack.map-users' && j.timestamp >= since);
    expect((await mapUsers(first.timestamp)).map((j) => j.data)).toEqual([{ organizationId: org }]);
    expect((await w.db.sql.query(`SELECT organization_id FROM github_organization_links WHERE github_login = 'acme'`)).rows).toEqual([
      { organization_id: org },
    ]);
    const again = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncTeams, { org: 'acme', organizationId: org }));
    expect(again.returnvalue).toEqual({ org: 'acme', teams: 2, written: 0 });
    expect(await mapUsers(again.timestamp)).toEqual([]); // nobody new
    gh.orgTeams.get('acme')![0]!.members = [alice];
    const changed = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncTeams, { org: 'acme', organizationId: org }));
    expect(changed.returnvalue).toEqual({ org: 'acme', teams: 2, written: 1 });
    expect((await teams())[0]).toEqual({ name: 'Backend', description: 'APIs', members: ['alice'] });
    // Another organization asking to mirror the same GitHub organization is refused: no team, no member of it there.
    const other = '7e7e7e7e-1f1f-4a2a-8b3b-4c4c4c4c4c4c';
    gh.reset();
    const refused = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncTeams, { org: 'acme', organizationId: other }));
    expect(refused.failedReason).toBe(
      `GitHub organization acme is linked to organization ${org}, not ${other}: its teams are not mirrored there (aexy github link acme --organization <uuid> moves the link)`,
    );
    expect(refused.attemptsMade).toBe(1);
    expect((await w.db.sql.query(`SELECT count(*)::int AS n FROM teams WHERE organization_id = $1`, [other])).rows[0].n).toBe(0);
    expect(gh.counted(/\/orgs\/acme\/teams/)).toEqual([]);
    await settleProfiles(first.timestamp);
  });

  it('sync developer: the GitHub user becomes a full profile', async () => {
    const job = await w.h.pool.producer.enqueue(githubSyncDeveloper, { login: 'alice' });
    const done = await w.h.settle(job);
    expect(await done.getState()).toBe('completed');
    await settleProfiles(done.timestamp);
    const { rows } = await w.db.sql.query(`SELECT name, bio, company, location, github_created_at, profile_updated_at FROM developers WHERE github_id = 1001`);
    expect(rows[0]).toMatchObject({ name: 'Alice Liddell', bio: 'Go and TypeScript', company: 'Acme', location: 'Oxford' });
    expect(rows[0].github_created_at.toISOString()).toBe('2012-01-01T00:00:00.000Z');
    void bob;
  });

  it('sync developer: a login GitHub does not know is recorded as missing and not asked for again', async () => {
    await w.rows.developer({ githubId: 424242, login: 'ghost-user' });
    const done = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncDeveloper, { login: 'ghost-user' }));
    expect(await done.getState()).toBe('completed');
    expect(done.returnvalue).toMatchObject({ login: 'ghost-user', missing: true });
    const { rows } = await w.db.sql.query(
      `SELECT s.status FROM github_user_syncs s JOIN developers d ON d.id = s.developer_id WHERE d.github_username = 'ghost-user'`,
    );
    expect(rows).toEqual([{ status: 'missing' }]);
    // The follow-up drain does not queue it again.
    const { pendingFollowUps } = await import('../src/people/sql/follow-ups.js');
    expect((await pendingFollowUps(w.db.orm.em.fork())).enrich).not.toContain('ghost-user');
  });
});
