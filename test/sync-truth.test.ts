import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { fakeSha, GitHubStandIn, type StandInUser } from '../src/dev/github-stand-in.js';
import { GIT_CHUNK, GIT_FIRST_CHUNK, syncCommits } from '../src/github/sync/commit-sync.js';
import { openMirror } from '../src/github/sync/git.js';
import { TransientError } from '../src/errors/index.js';
import { syncPulls } from '../src/github/sync/pull-stream.js';
import { developerSignals } from '../src/insights/signals.js';
import { computeMetrics } from '../src/metrics/library.js';
import { buildReportData } from '../src/reports/data.js';
import { githubSyncRepo, insightGenerate } from '../src/jobs/index.js';
import { GitRepo, type Person } from '../src/dev/git-repo.js';
import { directSync } from './helpers/direct-sync.js';
import { REDIS_URL } from './helpers/redis.js';
import { useGitHubWorld, useStandIn, useTestWorld } from './hooks.js';

/**
 * The sync against real git histories: a repository built here with git (branches merged after the
 * main line moved on, a merge of an old branch, a rename, a binary file, a force-push, a changed
 * default branch, unlinked and noreply emails, co-authors, bots), served by the GitHub stand-in from
 * its git objects. Ground truth is git itself: `git rev-list` and `git log --numstat` of the same
 * repository, never the fixture.
 */

const person = (name: string, email: string): Person => ({ name, email });
const alice = person('Alice', 'alice@acme.example');
const bob = person('Bob', 'bob@acme.example');
const dana = person('Dana', 'dana@home.example');
const frank = person('Frank', '5005+frank-gh@users.noreply.github.com');
const stranger = person('Stranger', 'stranger@nowhere.example');
const dependabot = person('dependabot[bot]', '49699333+dependabot[bot]@users.noreply.github.com');
const robot = person('CI Robot', 'ci@acme.example');

const users: Record<string, StandInUser> = {
  alice: { id: 2001, login: 'alice-gh', name: 'Alice A', created_at: '2011-05-01T00:00:00Z' },
  bob: { id: 2002, login: 'bob-gh', name: 'Bob B', created_at: '2016-05-01T00:00:00Z' },
  dana: { id: 2004, login: 'dana-gh', name: 'Dana D', created_at: '2019-05-01T00:00:00Z', email: 'dana@home.example' },
  frank: { id: 5005, login: 'frank-gh', name: 'Frank F', created_at: '2020-05-01T00:00:00Z' },
  dependabot: { id: 49699333, login: 'dependabot[bot]', type: 'Bot' },
  robot: { id: 3003, login: 'ci-robot', name: 'CI' },
};

const lines = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag} line ${i}`).join('\n') + '\n';

// Every way of reading commits must store exactly git's truth: per commit from the REST API, or from
// a bare git mirror fetched over git's smart HTTP (served by `git http-backend`) with authors from the
// commit list (GITHUB_PULLS_FROM=rest) or asked by email of GraphQL.
describe.each([
  ['api', 'rest'],
  ['git', 'rest'],
  ['git', 'graphql'],
] as const)('sync truth on a real git history (commits from %s, GraphQL or REST: %s)', (source, api) => {
  const w = useGitHubWorld({
    settings: (_gh, repo) => ({
      GITHUB_BOT_LOGINS: 'ci-robot',
      GITHUB_COMMITS_FROM: source,
      GITHUB_PULLS_FROM: api,
      GIT_MIRROR_DIR: join(repo.root, 'mirrors'),
    }),
  });
  const REPO = 'acme/truth';

  beforeAll(async () => {
    w.gh.repos.set(REPO, { commits: [], pulls: [], git: w.repo.bare });
    for (const u of Object.values(users)) w.gh.users.set(u.login.toLowerCase(), u);
    // GitHub links these emails to accounts; dana's personal email and the noreply ones are not linked.
    w.gh.emails.set(alice.email, users.alice!);
    w.gh.emails.set(bob.email, users.bob!);
    w.gh.emails.set(dependabot.email, users.dependabot!);
    w.gh.emails.set(robot.email, users.robot!);
  });

  async function sync(): Promise<Job> {
    const job = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['commits'] }));
    expect(job.failedReason).toBeUndefined();
    await w.h.idle(['github-sync', 'profiles']);
    return job;
  }

  /** The stored commits of the repository equal git's, sha for sha and number for number. */
  async function expectTruth(branch = 'main') {
    const truth = w.repo.numstat(branch);
    expect([...truth.keys()].sort()).toEqual(w.repo.revList(branch));
    const { rows } = await w.db.sql.query(
      `SELECT c.sha, c.additions, c.deletions, c.files_changed, c.files, g.parent_shas, g.is_merge, g.author_email
         FROM commits c LEFT JOIN commit_graph g ON g.sha = c.sha WHERE c.repository_full_name = $1 ORDER BY c.sha`,
      [REPO],
    );
    expect(rows.map((r) => r.sha)).toEqual(w.repo.revList(branch));
    for (const r of rows) {
      const t = truth.get(r.sha)!;
      expect({ sha: r.sha, additions: r.additions, deletions: r.deletions, files: r.files.map((f: { path: string }) => f.path).sort() }).toEqual({
        sha: r.sha,
        additions: t.additions,
        deletions: t.deletions,
        files: [...t.files].sort(),
      });
      expect(r.files_changed).toBe(t.files.length);
      expect(r.parent_shas).toEqual(t.parents);
      expect(r.is_merge).toBe(t.parents.length > 1);
      expect(r.author_email).toBe(t.email);
    }
    return truth;
  }

  /** The commits each GraphQL query asked the author of. */
  const askedCount = () => w.gh.graphqlQueries.map((q) => Object.keys(q.variables).filter((k) => /^c\d+$/.test(k)).length);

  const developerOf = async (sha: string) =>
    (await w.db.sql.query(`SELECT d.github_username FROM commits c LEFT JOIN developers d ON d.id = c.developer_id WHERE c.sha = $1`, [sha])).rows[0]
      ?.github_username ?? null;

  const shas: Record<string, string> = {};

  it('first sync: every commit of the branch, numbers as git log --numstat (rename, binary)', async () => {
    w.repo.write('src/app.ts', lines(10, 'app'));
    w.repo.write('README.md', lines(3, 'readme'));
    shas.c1 = w.repo.commit(alice, '2026-01-01T10:00:00Z', 'initial');
    w.repo.write('src/app.ts', lines(10, 'app').replace('app line 3', 'app line three') + 'more\n');
    w.repo.write('docs/notes.txt', lines(4, 'note'));
    shas.c2 = w.repo.commit(bob, '2026-01-02T10:00:00Z', 'notes');
    w.repo.git('branch', 'feature');
    w.repo.write('assets/logo.png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), randomBytes(256)]));
    shas.c3 = w.repo.commit(alice, '2026-01-03T10:00:00Z', 'logo');
    w.repo.git('mv', 'src/app.ts', 'src/main.ts');
    w.repo.write('src/main.ts', lines(10, 'app').replace('app line 3', 'app line three').replace('app line 9', 'app line nine') + 'more\n');
    shas.c4 = w.repo.commit(bob, '2026-01-04T10:00:00Z', 'rename app to main');
    w.repo.write('lib/util.py', lines(5, 'py'));
    shas.c5 = w.repo.commit(stranger, '2026-01-05T10:00:00Z', 'util');
    w.repo.write('lib/dana.go', lines(6, 'go'));
    shas.c6 = w.repo.commit(dana, '2026-01-06T10:00:00Z', 'dana before her email is linked');
    w.repo.push();

    w.gh.reset();
    const job = await sync();
    expect(job.returnvalue).toMatchObject({ commits: { fetched: 6, written: 6, removed: 0, source } });
    // Its last progress report carries the total, for `--wait`'s bar.
    expect(job.progress).toMatchObject({ repository: REPO, stream: 'commits', written: 6, total: 6 });
    // From git, no commit is asked of the API one by one; their authors come from one list page, or
    // from one GraphQL query asking one commit of each of the 4 emails.
    const details = w.gh.counted(/^GET \/repos\/acme\/truth\/commits\/[0-9a-f]{40}$/).length;
    expect(details).toBe(source === 'git' ? 0 : 6);
    if (source === 'git' && api === 'graphql') {
      expect(w.gh.counted(/\/commits$/)).toHaveLength(0);
      expect(askedCount()).toEqual([4]);
    }
    if (source === 'git') {
      expect(w.gh.gitRequests.filter((r) => r.status === 200).length).toBeGreaterThan(0);
      expect(job.returnvalue.commits.mirrorBytes).toBeGreaterThan(0); // the cache's size is reported
      // The token travels in a header git is given through its environment: never in the mirror's config or a URL.
      const mirrorConfig = readFileSync(join(w.repo.root, 'mirrors', 'acme', 'truth.git', 'config'), 'utf8');
      expect(mirrorConfig).toContain(`${w.gh.url}/acme/truth.git`);
      expect(mirrorConfig).not.toContain(w.gh.token);
      expect(w.gh.gitRequests.every((r) => r.auth === `Basic ${Buffer.from(`x-access-token:${w.gh.token}`).toString('base64')}`)).toBe(true);
    }
    const truth = await expectTruth();
    // The rename counts only its changed line, the binary file 0 lines (as git and GitHub say).
    expect(truth.get(shas.c4!)).toMatchObject({ additions: 1, deletions: 1, files: ['src/main.ts'] });
    expect(truth.get(shas.c3!)).toMatchObject({ additions: 0, deletions: 0, files: ['assets/logo.png'] });
    const { rows } = await w.db.sql.query(`SELECT languages FROM commits WHERE sha = $1`, [shas.c2]);
    expect(rows[0].languages).toEqual({ TypeScript: 3, Text: 4 });
    expect(await developerOf(shas.c6!)).toBeNull();
    expect(await developerOf(shas.c5!)).toBeNull();
  });

  it('merges of older work: every merged commit arrives, even dated before everything stored', async () => {
    w.repo.git('checkout', '-q', 'feature');
    w.repo.write('feature/a.ts', lines(7, 'a'));
    shas.f1 = w.repo.commit(dana, '2026-01-02T12:00:00Z', 'feature a');
    w.repo.write('feature/b.ts', lines(8, 'b'));
    shas.f2 = w.repo.commit(frank, '2026-01-02T13:00:00Z', 'feature b');
    w.repo.git('checkout', '-q', 'main');
    shas.m1 = w.repo.merge('feature', alice, '2026-01-10T10:00:00Z');
    w.repo.write('README.md', lines(4, 'readme'));
    shas.c7 = w.repo.commit(bob, '2026-01-11T10:00:00Z', 'readme');
    // A branch from the very first commit, dated before all of it, merged last.
    w.repo.git('checkout', '-q', '-b', 'hotfix', shas.c1!);
    w.repo.write('hotfix.sh', lines(2, 'sh'));
    shas.h1 = w.repo.commit(bob, '2025-12-31T10:00:00Z', 'old hotfix');
    w.repo.git('checkout', '-q', 'main');
    shas.m2 = w.repo.merge('hotfix', bob, '2026-01-12T10:00:00Z');
    w.repo.push();

    w.gh.reset();
    const job = await sync();
    // f1, f2, M1, c7, h1, M2: all six, found by comparing heads, not by dates.
    expect(job.returnvalue).toMatchObject({ commits: { fetched: 6, written: 6, removed: 0 } });
    // The API path compares heads (no listing); the git path asks one page of the list for the authors'
    // logins, or GraphQL one commit of each email (frank's noreply address, linked to no user there, is not
    // a bot's: REST is not asked).
    expect(w.gh.counted(/\/commits$/)).toHaveLength(source === 'git' && api === 'rest' ? 1 : 0);
    if (api === 'graphql') expect(askedCount()).toEqual([4]);
    expect(w.gh.counted(/\/compare\//)).toHaveLength(source === 'git' ? 0 : 1);
    await expectTruth();
    const { rows } = await w.db.sql.query(`SELECT sha FROM commit_graph WHERE is_merge ORDER BY sha`);
    expect(rows.map((r) => r.sha)).toEqual([shas.m1, shas.m2].sort());
    // frank's noreply address names his account: a developer with GitHub id 5005, enriched from GitHub.
    expect(await developerOf(shas.f2!)).toBe('frank-gh');
    const { rows: frankRow } = await w.db.sql.query(
      `SELECT github_id::int, github_created_at, seniority_level FROM developers WHERE github_username = 'frank-gh'`,
    );
    expect(frankRow[0].github_id).toBe(5005);
    expect(frankRow[0].github_created_at.toISOString()).toBe('2020-05-01T00:00:00.000Z');
    expect(frankRow[0].seniority_level).not.toBeNull();
  });

  it('identities: an email linked later re-attributes earlier commits; co-authors; bots', async () => {
    w.gh.emails.set(dana.email, users.dana!);
    w.repo.write('lib/dana.go', lines(8, 'go'));
    shas.c8 = w.repo.commit(dana, '2026-01-13T10:00:00Z', 'dana, linked now');
    w.repo.write('src/pair.ts', lines(9, 'pair'));
    shas.c9 = w.repo.commit(alice, '2026-01-14T10:00:00Z', 'pairing\n\nCo-authored-by: Bob <bob@acme.example>\nCo-authored-by: Someone <someone@else.example>');
    w.repo.write('scripts/deploy.sh', lines(3, 'sh'));
    shas.c9b = w.repo.commit(person('Bob', 'bob-gh@users.noreply.github.com'), '2026-01-14T12:00:00Z', 'from the web editor, older noreply form');
    w.repo.write('package.json', '{\n  "name": "truth"\n}\n');
    shas.c10 = w.repo.commit(dependabot, '2026-01-15T10:00:00Z', 'Bump left-pad');
    w.repo.write('ci.yml', lines(12, 'ci'));
    shas.c11 = w.repo.commit(robot, '2026-01-16T10:00:00Z', 'ci config');
    w.repo.push();

    await sync();
    const truth = await expectTruth();
    // Dana's earlier commits (main line and merged branch) now belong to her; the stranger's stay unattributed.
    expect(await developerOf(shas.c6!)).toBe('dana-gh');
    expect(await developerOf(shas.f1!)).toBe('dana-gh');
    expect(await developerOf(shas.c5!)).toBeNull();
    const { rows: ids } = await w.db.sql.query(
      `SELECT i.email, d.github_username, i.source, i.confidence FROM developer_identities i JOIN developers d ON d.id = i.developer_id ORDER BY i.email`,
    );
    expect(ids).toContainEqual({ email: dana.email, github_username: 'dana-gh', source: 'github', confidence: 100 });
    expect(ids).toContainEqual({ email: frank.email, github_username: 'frank-gh', source: 'noreply', confidence: 100 });
    // The older noreply form names only a login: it resolves through the developer of that login.
    expect(await developerOf(shas.c9b!)).toBe('bob-gh');
    expect(ids).toContainEqual({ email: 'bob-gh@users.noreply.github.com', github_username: 'bob-gh', source: 'noreply-login', confidence: 90 });
    const { rows: co } = await w.db.sql.query(
      `SELECT a.email, d.github_username FROM commit_coauthors a LEFT JOIN developers d ON d.id = a.developer_id WHERE a.sha = $1 ORDER BY a.email`,
      [shas.c9],
    );
    expect(co).toEqual([
      { email: 'bob@acme.example', github_username: 'bob-gh' },
      { email: 'someone@else.example', github_username: null },
    ]);
    const { rows: bots } = await w.db.sql.query(
      `SELECT d.github_username, b.reason FROM developer_bots b JOIN developers d ON d.id = b.developer_id ORDER BY 1`,
    );
    expect(bots).toEqual([
      { github_username: 'ci-robot', reason: 'configured' },
      { github_username: 'dependabot[bot]', reason: 'github-type' },
    ]);

    // Numbers: merge commits and bots are out of every count; ground truth from git log --numstat.
    const botEmails = new Set([dependabot.email, robot.email]);
    const counted = [...truth.values()].filter((c) => c.parents.length < 2 && !botEmails.has(c.email));
    const window = { date_range: { start: '2025-12-01', end: '2026-02-01' } };
    const all = await computeMetrics(w.db.sql, ['commits', 'lines_added', 'lines_deleted'], window);
    expect(all.commits).toMatchObject({ value: counted.length });
    expect(all.lines_added).toMatchObject({ value: counted.reduce((s, c) => s + c.additions, 0) });
    expect(all.lines_deleted).toMatchObject({ value: counted.reduce((s, c) => s + c.deletions, 0) });
    // Alice merged the feature branch: its lines are not hers.
    const { rows: dev } = await w.db.sql.query(`SELECT id FROM developers WHERE github_username = 'alice-gh'`);
    const hers = await computeMetrics(w.db.sql, ['commits', 'lines_added'], { ...window, developer_ids: [dev[0].id] });
    const aliceTruth = counted.filter((c) => c.email === alice.email);
    expect(hers.commits).toMatchObject({ value: aliceTruth.length });
    expect(hers.lines_added).toMatchObject({ value: aliceTruth.reduce((s, c) => s + c.additions, 0) });
    expect(truth.get(shas.m1!)!.additions).toBeGreaterThan(0); // the merge does carry the branch's lines

    // Profiles: every human author has one, bots none; the profile leaves merges out.
    const { rows: profiles } = await w.db.sql.query(
      `SELECT d.github_username, d.profile_updated_at IS NOT NULL AS profiled, d.seniority_level, d.languages
         FROM developers d ORDER BY d.github_username`,
    );
    const byLogin = Object.fromEntries(profiles.map((p) => [p.github_username, p]));
    for (const login of ['alice-gh', 'bob-gh', 'dana-gh', 'frank-gh']) expect(byLogin[login], login).toMatchObject({ profiled: true });
    for (const login of ['ci-robot', 'dependabot[bot]']) expect(byLogin[login], login).toMatchObject({ profiled: false, seniority_level: null });
    // Alice: TypeScript lines from c1 (10) and c9 (9); the merge's feature/*.ts lines (15) are not hers.
    expect(byLogin['alice-gh'].languages.TypeScript).toEqual({ lines: 19, commits: 2 });
    // Bob co-authored c9: one more TypeScript commit, no lines.
    const bobTs = [shas.c2, shas.c4].length;
    expect(byLogin['bob-gh'].languages.TypeScript).toEqual({ lines: 3 + 2, commits: bobTs + 1 });
    expect((await w.db.sql.query(`SELECT count(*)::int AS n FROM developer_dirty`)).rows[0].n).toBe(0);

    // Insights read the same counted work; a bot gets none. Reports list people only.
    const signals = await developerSignals(w.db.sql, dev[0].id, 45, new Date('2026-02-01T00:00:00Z'));
    expect(signals.commits).toBe(aliceTruth.length);
    const { rows: botRow } = await w.db.sql.query(`SELECT id FROM developers WHERE github_username = 'dependabot[bot]'`);
    const skipped = await w.h.settle(await w.h.pool.producer.enqueue(insightGenerate, { insightType: 'burnout_risk', developerId: botRow[0].id }));
    expect(skipped.returnvalue).toEqual({ skipped: 'bot' });
    expect((await w.db.sql.query(`SELECT count(*)::int AS n FROM predictive_insights WHERE developer_id = $1`, [botRow[0].id])).rows[0].n).toBe(0);
    // Everyone synced, bots included, in one team of one organization: the report still lists people only.
    const org = '1c1c1c1c-2d2d-4e3e-8f4f-5a5a5a5a5a5a';
    await w.db.sql.query(`INSERT INTO teams (name, organization_id, developer_ids) SELECT 'All', $1, array_agg(id) FROM developers`, [org]);
    const report = await buildReportData(
      w.db.sql,
      {
        id: 'r',
        name: 'People',
        description: null,
        organization_id: org,
        creator_id: null,
        filters: window,
        widgets: [{ type: 'bar', metric: 'commits', config: { title: 'Commits by person', limit: 50 } }],
      },
      new Date('2026-02-01T00:00:00Z'),
    );
    const labels = (report.widgets[0] as { items: { label: string; value: number }[] }).items.map((i) => i.label);
    expect(labels).toEqual(expect.arrayContaining(['alice-gh', 'bob-gh', 'dana-gh', 'frank-gh']));
    expect(labels).not.toContain('dependabot[bot]');
    expect(labels).not.toContain('ci-robot');
  });

  it('a force-push: commits that left the branch are removed, the new ones stored', async () => {
    w.repo.git('reset', '-q', '--hard', shas.c10!);
    w.repo.write('src/rewrite.ts', lines(5, 'rw'));
    shas.c12 = w.repo.commit(alice, '2026-01-17T10:00:00Z', 'rewritten history');
    w.repo.push('main', true);
    const job = await sync();
    expect(job.returnvalue).toMatchObject({ commits: { written: 1, removed: 1 } });
    await expectTruth();
    expect((await w.db.sql.query(`SELECT 1 FROM commits WHERE sha = $1`, [shas.c11])).rowCount).toBe(0);
    expect((await w.db.sql.query(`SELECT 1 FROM commit_graph WHERE sha = $1`, [shas.c11])).rowCount).toBe(0);
  });

  it("a changed default branch: the stored commits become exactly the new branch's", async () => {
    w.repo.git('checkout', '-q', '-b', 'trunk', shas.c7!);
    w.repo.write('TRUNK.md', lines(3, 'trunk'));
    shas.c13 = w.repo.commit(bob, '2026-01-18T10:00:00Z', 'trunk');
    w.repo.push('trunk');
    w.repo.setDefaultBranch('trunk');
    await sync();
    await expectTruth('trunk');
    const { rows } = await w.db.sql.query(`SELECT branch, head_sha, target_sha FROM github_commit_heads WHERE repository_full_name = $1`, [REPO]);
    expect(rows).toEqual([{ branch: 'trunk', head_sha: shas.c13, target_sha: null }]);
    // Nothing changed: the next sync costs no counted request and writes nothing.
    w.gh.reset();
    const again = await sync();
    expect(again.returnvalue).toMatchObject({ commits: { fetched: 0, written: 0, removed: 0 } });
    expect(w.gh.counted()).toEqual([]);
  });

  it.skipIf(source === 'api')('a repository git cannot clone is read from the API instead', async () => {
    const at = '2026-01-20T10:00:00Z';
    w.gh.repos.set('acme/memory', {
      commits: [
        {
          sha: fakeSha('memory-1'),
          message: 'in memory',
          author: users.alice!,
          authorDate: at,
          committerDate: at,
          files: [{ filename: 'a.ts', additions: 3, deletions: 0 }],
        },
      ],
      pulls: [],
    });
    const job = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: 'acme/memory', streams: ['commits'] }));
    expect(job.failedReason).toBeUndefined();
    // The remote refused the repository (404): a fallback, said in the result and counted for /metrics.
    expect(job.returnvalue).toMatchObject({ commits: { written: 1, source: 'api', gitFallback: 'remote-refused' } });
    expect(w.gh.gitRequests.some((r) => r.path === '/acme/memory.git/info/refs' && r.status === 404)).toBe(true);
    expect((await w.db.sql.query(`SELECT reason, fallbacks::int AS n FROM git_fallback_totals`)).rows).toEqual([{ reason: 'remote-refused', n: 1 }]);
  });

  it('the stored head is gone from GitHub: the branch is listed again and reconciled', async () => {
    await w.db.sql.query(`UPDATE github_commit_heads SET head_sha = $1 WHERE repository_full_name = $2`, ['f'.repeat(40), REPO]);
    await w.rows.commit({ sha: 'e'.repeat(40), repository_name: 'truth', repository_full_name: REPO });
    const job = await sync();
    expect(job.returnvalue).toMatchObject({ commits: { written: 0, removed: 1 } });
    await expectTruth('trunk');
  });
});

describe('commits from git, authors from the commit list (GITHUB_PULLS_FROM=rest): a merged old branch costs one list request, not the history between', () => {
  const w = useGitHubWorld({ settings: (_gh, repo) => ({ GITHUB_COMMITS_FROM: 'git', GIT_MIRROR_DIR: join(repo.root, 'mirrors') }) });
  const REPO = 'acme/deep';
  let firstLists: { query: URLSearchParams }[] = [];

  beforeAll(async () => {
    const dev = { id: 8100, login: 'deep-dev', created_at: '2018-01-01T00:00:00Z' };
    w.gh.users.set(dev.login, dev);
    w.gh.emails.set(alice.email, users.alice!);
    w.gh.users.set(users.alice!.login, users.alice!);
    w.repo.write('base.txt', 'base\n');
    const root = w.repo.commit(alice, '2025-06-01T00:00:00Z', 'root');
    for (let i = 0; i < 320; i++) {
      w.repo.write('main.txt', `${i}\n`);
      w.repo.commit(alice, new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), `main ${i}`);
    }
    w.repo.push();
    w.gh.repos.set(REPO, { commits: [], pulls: [], git: w.repo.bare });
    w.gh.reset();
    const first = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['commits'] }));
    expect(first.returnvalue).toMatchObject({ commits: { written: 321, source: 'git' } });
    firstLists = w.gh.counted(/^GET \/repos\/acme\/deep\/commits$/);
    // A branch from the root, dated before everything since, merged now.
    w.repo.git('checkout', '-q', '-b', 'old', root);
    for (let k = 0; k < 3; k++) {
      w.repo.write(`old${k}.txt`, `${k}\n`);
      w.repo.commit(alice, `2025-06-0${2 + k}T00:00:00Z`, `old ${k}`);
    }
    w.repo.git('checkout', '-q', 'main');
    w.repo.merge('old', alice, '2026-02-01T00:00:00Z');
    w.repo.push();
  });

  it("a first sync asks for the list pages holding its commits by number, each once (git's order is GitHub's)", () => {
    // The head of that first sync: the merge made since has it as its first parent.
    const head = w.repo.git('rev-parse', 'main^1').trim();
    // 321 commits: the 4 pages of 100 of the head's list, no page from the head asked twice, none by another sha.
    expect(firstLists.map((r) => [r.query.get('sha'), r.query.get('per_page'), r.query.get('page')]).sort()).toEqual(
      ['1', '2', '3', '4'].map((p) => [head, '100', p]),
    );
  });

  it('the branch head page, then one page from a missing commit: every author known, all of git’s numbers', async () => {
    w.gh.reset();
    const job = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['commits'] }));
    expect(job.returnvalue).toMatchObject({ commits: { fetched: 4, written: 4, source: 'git' } });
    const lists = w.gh.counted(/^GET \/repos\/acme\/deep\/commits$/);
    // From the head: page 1 (the merge) and page 2 (none of the old commits: they are 320 commits down); then one
    // page listed from an old commit. Paging from the head to them would have taken 4.
    expect(lists).toHaveLength(3);
    expect(lists[2]!.query.get('sha')).toMatch(/^[0-9a-f]{40}$/);
    const { rows } = await w.db.sql.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE d.github_username = 'alice-gh')::int AS alice FROM commits c LEFT JOIN developers d ON d.id = c.developer_id`,
    );
    expect(rows[0]).toEqual({ n: 325, alice: 325 });
    expect(w.repo.revList('main')).toHaveLength(325);
  });
});

describe('commits from git, authors from GraphQL: each email asked once a run, 100 to a query', () => {
  const w = useGitHubWorld({
    settings: (_gh, repo) => ({ GITHUB_COMMITS_FROM: 'git', GITHUB_PULLS_FROM: 'graphql', GIT_MIRROR_DIR: join(repo.root, 'mirrors') }),
  });
  const REPO = 'acme/wide';
  // 230 people in the first 1,000 commits (a chunk), 20 more after them; every third linked to an account.
  const people = Array.from({ length: 250 }, (_, k) => person(`Dev ${k}`, k < 230 ? `dev${k}@wide.example` : `late${k}@wide.example`));
  const linked = new Map(people.flatMap((p, k) => (k % 3 === 0 ? [[p.email, { id: 9_000 + k, login: `wide-${k}` }] as const] : [])));
  const bot = { id: 41898282, login: 'github-actions[bot]', type: 'Bot' as const };
  const botPerson = person('github-actions[bot]', '41898282+github-actions[bot]@users.noreply.github.com');
  const unlinkedNoreply = person('Old Form', '777+old-form@users.noreply.github.com');
  // The same address in another case: compared exactly as git holds it, so asked on its own.
  const shouting = person('Dev 3', 'DEV3@WIDE.EXAMPLE');
  let botSha = '';

  /** Every commit's account: the one the stand-in links its author email to (the emails from git log of GitHub's copy). */
  const expectedLogins = () =>
    new Map(
      w.repo
        .origin('log', '--format=%H %ae', 'main')
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [sha, email] = l.split(' ') as [string, string];
          // A noreply address names its account itself, linked or not.
          return [sha, w.gh.emails.get(email.toLowerCase())?.login ?? /^\d+\+([^@]+)@users\.noreply\.github\.com$/.exec(email)?.[1] ?? null];
        }),
    );
  const storedLogins = async () =>
    new Map(
      (
        await w.db.sql.query(
          `SELECT c.sha, d.github_username FROM commits c LEFT JOIN developers d ON d.id = c.developer_id WHERE c.repository_full_name = $1`,
          [REPO],
        )
      ).rows.map((r) => [r.sha, r.github_username]),
    );
  /** The emails (per git) of the commits each GraphQL query asked about. */
  const askedEmails = () => {
    const emailOf = new Map(
      w.repo
        .origin('log', '--format=%H %ae', 'main')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ') as [string, string]),
    );
    return w.gh.graphqlQueries.map((q) =>
      Object.entries(q.variables)
        .filter(([k]) => /^c\d+$/.test(k))
        .map(([, sha]) => emailOf.get(sha as string)!),
    );
  };

  beforeAll(async () => {
    for (const [email, u] of linked) {
      w.gh.emails.set(email, u);
      w.gh.users.set(u.login, u);
    }
    w.gh.emails.set(botPerson.email, bot);
    w.gh.users.set(bot.login, bot);
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
    const commits = Array.from({ length: 1_200 }, (_, i) => {
      const who = i === 500 ? botPerson : i === 501 ? unlinkedNoreply : i === 502 ? shouting : i < 1_000 ? people[i % 230]! : people[230 + (i % 20)]!;
      return { who, date: at(i), message: `work ${i}`, path: `src/f${i % 40}.ts`, content: `export const v = ${i};\n` };
    });
    botSha = w.repo.importCommits(commits)[500]!;
    w.repo.push();
    w.gh.repos.set(REPO, { commits: [], pulls: [], git: w.repo.bare });
  });

  it('a first sync of 1,200 commits by 253 addresses: 3 queries of one point, each address once, every commit its account', async () => {
    w.gh.reset();
    const costs = w.gh.graphqlCosts.length;
    const job = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['commits'] }));
    expect(job.failedReason).toBeUndefined();
    expect(job.returnvalue).toMatchObject({ commits: { written: 1_200, source: 'git' } });
    // The 253 addresses (in order of their first commit) in queries of 100, 100 and 53, asked while git reads.
    const asked = askedEmails();
    expect(asked.map((a) => a.length)).toEqual([100, 100, 53]);
    const distinct = new Set(w.repo.origin('log', '--format=%ae', 'main').split('\n').filter(Boolean));
    expect(distinct.size).toBe(253);
    expect(asked.flat().sort()).toEqual([...distinct].sort());
    expect(w.gh.graphqlCosts.slice(costs)).toEqual([1, 1, 1]);
    // REST only for the bot's noreply address, which GraphQL links to no user (REST shows the bot); not for
    // the other noreply address linked to no one.
    const lists = w.gh.counted(/^GET \/repos\/acme\/wide\/commits$/);
    expect(lists.map((r) => [r.query.get('sha'), r.query.get('per_page')])).toEqual([[botSha, '1']]);
    expect(w.gh.counted(/^GET \/repos\/acme\/wide\/commits\//)).toHaveLength(0);

    // Every commit's account is the one its email is linked to; the other case of dev3's address too.
    expect(await storedLogins()).toEqual(expectedLogins());
    expect([...(await storedLogins()).values()].filter((l) => l === 'wide-3')).toHaveLength(5 + 1);
    const { rows: bots } = await w.db.sql.query(`SELECT d.github_username, b.reason FROM developer_bots b JOIN developers d ON d.id = b.developer_id`);
    expect(bots).toEqual([{ github_username: 'github-actions[bot]', reason: 'github-type' }]);
    expect(w.repo.revList('main')).toEqual([...(await storedLogins()).keys()].sort());
  });

  it('the next sync asks only the addresses of its new commits, once each', async () => {
    const now = (k: number) => new Date(Date.UTC(2026, 1, 1) + k * 60_000).toISOString();
    w.repo.importCommits([
      { who: people[0]!, date: now(0), message: 'more', path: 'a.ts', content: '1\n' },
      { who: people[0]!, date: now(1), message: 'more', path: 'a.ts', content: '2\n' },
      { who: person('New', 'new@wide.example'), date: now(2), message: 'first', path: 'b.ts', content: '1\n' },
    ]);
    w.repo.push();
    w.gh.reset();
    const job = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['commits'] }));
    expect(job.returnvalue).toMatchObject({ commits: { fetched: 3, written: 3, source: 'git' } });
    expect(askedEmails()).toEqual([[people[0]!.email, 'new@wide.example']]);
    expect(w.gh.counted(/^GET \/repos\/acme\/wide\/commits/)).toHaveLength(0);
    expect(await storedLogins()).toEqual(expectedLogins());
  });

  it('a shutdown stops the git path between chunks: what was written stays, the next run completes it', async () => {
    const REPO2 = 'acme/wide-stop';
    const other = new GitRepo();
    const redis = new Redis(REDIS_URL);
    try {
      other.importCommits(
        Array.from({ length: GIT_CHUNK + 500 }, (_, i) => ({
          who: people[i % 5]!,
          date: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
          message: `work ${i}`,
          path: `f${i % 9}.ts`,
          content: `${i}\n`,
        })),
      );
      other.push();
      w.gh.repos.set(REPO2, { commits: [], pulls: [], git: other.bare });
      const count = async () => (await w.db.sql.query(`SELECT count(*)::int AS n FROM commits WHERE repository_full_name = $1`, [REPO2])).rows[0].n;
      const shutdown = new AbortController();
      const reason = new Error('the worker is shutting down');
      const opts = {
        ...directSync(w.gh, redis, w.db.orm.em.fork()),
        repo: REPO2,
        pullsFrom: 'graphql' as const,
        mirror: () => openMirror(w.config, REPO2, w.gh.token, shutdown.signal),
        signal: shutdown.signal,
        // The shutdown arrives as the first chunk is committed.
        progress: async () => shutdown.abort(reason),
      };
      await expect(syncCommits(opts)).rejects.toBe(reason);
      expect(await count()).toBe(GIT_FIRST_CHUNK);
      const { rows: heads } = await w.db.sql.query(`SELECT head_sha FROM github_commit_heads WHERE repository_full_name = $1`, [REPO2]);
      expect(heads[0].head_sha).toBeNull(); // not moved: the run did not finish
      const resumed = await syncCommits({ ...opts, signal: undefined, progress: undefined, mirror: () => openMirror(w.config, REPO2, w.gh.token) });
      expect(resumed.written).toBe(GIT_CHUNK + 500 - GIT_FIRST_CHUNK);
      const { rows } = await w.db.sql.query(`SELECT sha FROM commits WHERE repository_full_name = $1 ORDER BY sha`, [REPO2]);
      expect(rows.map((r) => r.sha)).toEqual(other.revList());
    } finally {
      redis.disconnect();
      other.remove();
    }
  });

  it('a query GitHub fails fails the run before its chunk is written; the next run stores every commit with its account', async () => {
    const newcomer = person('Newcomer', 'newcomer@wide.example');
    const account = { id: 9_999, login: 'wide-newcomer' };
    w.gh.emails.set(newcomer.email, account);
    w.gh.users.set(account.login, account);
    w.repo.importCommits([
      { who: newcomer, date: '2026-03-01T00:00:00Z', message: 'hello', path: 'c.ts', content: '1\n' },
      { who: people[1]!, date: '2026-03-01T00:01:00Z', message: 'again', path: 'c.ts', content: '2\n' },
    ]);
    w.repo.push();
    const count = async () => (await w.db.sql.query(`SELECT count(*)::int AS n FROM commits WHERE repository_full_name = $1`, [REPO])).rows[0].n;
    const before = await count();
    // GitHub's answer to a query that broke on its side (200, an error, no data), to the first try and its 3 retries.
    w.gh.fail({
      match: /^POST \/graphql$/,
      status: 200,
      times: 4,
      body: { errors: [{ message: 'Something went wrong while executing your query. Please include `0F3A:1B2C` when reporting this issue.' }] },
    });
    const redis = new Redis(REDIS_URL);
    try {
      const opts = {
        ...directSync(w.gh, redis, w.db.orm.em.fork()),
        repo: REPO,
        pullsFrom: 'graphql' as const,
        mirror: () => openMirror(w.config, REPO, w.gh.token),
      };
      w.gh.reset();
      await expect(syncCommits(opts)).rejects.toBeInstanceOf(TransientError);
      // Retried inside the request (GitHub asks for it), then the run's error: no other query was sent.
      expect(w.gh.counted(/^POST \/graphql$/)).toHaveLength(4);
      // Nothing written without its account (a commit stored unattributed would stay so: the next run skips stored shas).
      expect(await count()).toBe(before);
      expect(await syncCommits(opts)).toMatchObject({ written: 2 });
      expect(await count()).toBe(before + 2);
      expect(await storedLogins()).toEqual(expectedLogins());
    } finally {
      redis.disconnect();
    }
  });
});

describe('a first sync under a compressed rate limit', () => {
  const w = useGitHubWorld();
  const REPO = 'acme/paced';
  const authors = Array.from({ length: 5 }, (_, i) => ({
    person: person(`Dev ${i}`, `dev${i}@acme.example`),
    user: { id: 7000 + i, login: `dev-${i}`, created_at: '2018-01-01T00:00:00Z' },
  }));

  beforeAll(async () => {
    // Each author's commits are contiguous: the first authors' work is all in the first chunks,
    // which a run that loses its follow-ups at a pause would never queue again.
    let n = 0;
    for (const a of authors) {
      w.gh.users.set(a.user.login, a.user);
      w.gh.emails.set(a.person.email, a.user);
      for (let k = 0; k < 8; k++, n++) {
        w.repo.write(`src/${a.user.login}/f${k}.ts`, lines(3 + k, a.user.login));
        w.repo.commit(a.person, new Date(Date.UTC(2026, 0, 1, n)).toISOString(), `work ${n}`);
      }
    }
    w.repo.push();
    w.gh.repos.set(REPO, { commits: [], pulls: [], git: w.repo.bare });
    // 8 requests every 2 s: the sync (about 45 requests) pauses several times, even on a machine so
    // busy that a window sometimes ends before its requests are spent (15 a window was not enough there).
    w.gh.rate = { limit: 8, remaining: 8, reset: Math.floor(Date.now() / 1000) + 2, window: 2 };
  });

  it('pauses lose no commit and no profile, and waste at most the chunk in flight', async () => {
    const events = await w.h.events('github-sync');
    const job = await w.h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['commits'] });
    let pauses = 0;
    events.on('delayed', ({ jobId }) => {
      if (jobId === job.id) pauses += 1;
    });
    const done = await w.h.settle(job);
    expect(done.failedReason).toBeUndefined();
    await w.h.idle(['github-sync', 'profiles']);
    expect(pauses).toBeGreaterThanOrEqual(2);

    const { rows } = await w.db.sql.query(`SELECT sha FROM commits WHERE repository_full_name = $1 ORDER BY sha`, [REPO]);
    expect(rows.map((r) => r.sha)).toEqual(w.repo.revList());
    // Every author has a computed profile, and no mark is left pending.
    const { rows: devs } = await w.db.sql.query(`SELECT github_username, profile_updated_at IS NOT NULL AS profiled FROM developers ORDER BY github_username`);
    expect(devs).toEqual(authors.map((a) => ({ github_username: a.user.login, profiled: true })));
    expect((await w.db.sql.query(`SELECT count(*)::int AS n FROM developer_dirty`)).rows[0].n).toBe(0);

    // Waste: a commit fetched in detail twice is one a pause threw away; at most the chunk in
    // flight (4, of which the one refused was not answered) per pause. The listing was read once:
    // the resumed runs walk the same pages, answered 304.
    const details = w.gh.counted(/\/commits\/[0-9a-f]{40}$/).filter((r) => r.status === 200);
    const duplicates = details.length - new Set(details.map((r) => r.path)).size;
    expect(duplicates).toBeLessThanOrEqual(3 * pauses);
    expect(w.gh.counted(/\/commits$/).filter((r) => r.status === 200)).toHaveLength(1);
  }, 120_000);
});

describe('GITHUB_SYNC_INITIAL_DAYS bounds a first sync of commits and pull requests alike', () => {
  let gh: GitHubStandIn;
  useStandIn(async () => (gh = await new GitHubStandIn().start()));
  const w = useTestWorld();
  let redis: Redis;
  const now = new Date('2026-06-01T00:00:00Z');
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString();
  const someone: StandInUser = { id: 8801, login: 'someone' };
  /** A pull request with nothing but its dates (days before `now`) and state; closed ones merged when last updated unless told. */
  const pull = (id: number, number: number, created: number, updated: number, state: 'open' | 'closed', merged = updated) => ({
    id,
    number,
    title: `PR ${number}`,
    body: null,
    user: someone,
    state,
    created_at: daysAgo(created),
    updated_at: daysAgo(updated),
    merged_at: state === 'closed' ? daysAgo(merged) : null,
    closed_at: state === 'closed' ? daysAgo(merged) : null,
    labels: [],
    requested_reviewers: [],
    additions: 1,
    deletions: 1,
    changed_files: 1,
    commits: 1,
    comments: 0,
    review_comments: 0,
    reviews: [],
  });

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    gh.repos.set('acme/window', {
      commits: [100, 40, 10, 1].map((d) => ({
        sha: fakeSha(`window-${d}`),
        message: `${d} days ago`,
        author: someone,
        authorDate: daysAgo(d),
        committerDate: daysAgo(d),
        files: [{ filename: 'a.ts', additions: d, deletions: 0 }],
      })),
      pulls: [pull(880_001, 1, 400, 100, 'closed'), pull(880_002, 2, 60, 40, 'closed'), pull(880_003, 3, 12, 10, 'closed'), pull(880_004, 4, 200, 5, 'open')],
    });
  });
  afterAll(async () => {
    redis?.disconnect();
  });

  it('only what changed in the last 30 days is listed and fetched', async () => {
    const opts = { ...directSync(gh, redis, w.db.orm.em.fork()), repo: 'acme/window', initialDays: 30, now };
    const commits = await syncCommits(opts);
    const pulls = await syncPulls(opts);
    expect(commits).toMatchObject({ written: 2 });
    expect(pulls).toMatchObject({ fetched: 2, written: 2 });
    expect(
      gh
        .counted(/\/pulls\/\d+$/)
        .map((r) => r.path)
        .sort(),
    ).toEqual(['/repos/acme/window/pulls/3', '/repos/acme/window/pulls/4']);
    expect(gh.counted(/\/commits$/)[0]!.query.get('since')).toBe(daysAgo(30));
    const { rows } = await w.db.sql.query(
      `SELECT (SELECT string_agg(message, ',' ORDER BY committed_at) FROM commits) AS commits, (SELECT string_agg(number::text, ',' ORDER BY number) FROM pull_requests) AS pulls`,
    );
    expect(rows[0]).toEqual({ commits: '10 days ago,1 days ago', pulls: '3,4' });
  });

  it('a shutdown stops the commit sync between chunks: what was written stays, the next run completes it', async () => {
    gh.repos.set('acme/stop', {
      commits: Array.from({ length: 10 }, (_, i) => ({
        sha: fakeSha(`stop-${i}`),
        message: `stop ${i}`,
        author: someone,
        authorDate: daysAgo(10 - i),
        committerDate: daysAgo(10 - i),
        files: [{ filename: 'a.ts', additions: i + 1, deletions: 0 }],
      })),
      pulls: [],
    });
    const shutdown = new AbortController();
    const reason = new Error('the worker is shutting down');
    // The shutdown arrives while the first chunk is being written.
    const opts = {
      ...directSync(gh, redis, w.db.orm.em.fork()),
      repo: 'acme/stop',
      now,
      signal: shutdown.signal,
      progress: async () => shutdown.abort(reason),
    };
    await expect(syncCommits(opts)).rejects.toBe(reason);
    // repository_name holds the repository's name without its owner (the contract's column).
    const count = async () => Number((await w.db.sql.query(`SELECT count(*) FROM commits WHERE repository_name = 'stop'`)).rows[0].count);
    expect(await count()).toBe(4); // one chunk, committed
    const { rows: heads } = await w.db.sql.query(`SELECT head_sha, target_sha FROM github_commit_heads WHERE repository_full_name = 'acme/stop'`);
    expect(heads[0].head_sha).toBeNull(); // not moved: the run did not finish
    const resumed = await syncCommits({ ...opts, signal: undefined, progress: undefined });
    expect(resumed.written).toBe(6);
    expect(await count()).toBe(10);
  });

  // REST writes batches of 25 pull requests; GraphQL writes each page of 50 as it arrives.
  it.each([
    ['rest', 30, 25],
    ['graphql', 60, 50],
  ] as const)(
    'a shutdown stops the pull-request sync (%s) before its next batch: nothing half-written, the cursor unmoved',
    async (pullsFrom, total, batch) => {
      const repository = `acme/stop-pulls-${pullsFrom}`;
      const base = pullsFrom === 'rest' ? 990_000 : 991_000;
      gh.repos.set(repository, {
        commits: [],
        // Updated a few hours apart, merged 19 days ago.
        pulls: Array.from({ length: total }, (_, i) => pull(base + i, i + 1, 20, 20 - i / 10, 'closed', 19)),
      });
      const shutdown = new AbortController();
      const reason = new Error('the worker is shutting down');
      // The shutdown arrives while the first batch is being written.
      const opts = {
        ...directSync(gh, redis, w.db.orm.em.fork()),
        repo: repository,
        now,
        pullsFrom,
        signal: shutdown.signal,
        progress: async () => shutdown.abort(reason),
      };
      await expect(syncPulls(opts)).rejects.toBe(reason);
      const count = async () =>
        Number((await w.db.sql.query(`SELECT count(*) FROM pull_requests WHERE github_id >= $1 AND github_id < $2`, [base, base + total])).rows[0].count);
      expect(await count()).toBe(batch); // one batch, committed
      const { rows: cursors } = await w.db.sql.query(`SELECT count(*)::int AS n FROM github_sync_cursors WHERE repository_full_name = $1`, [repository]);
      expect(cursors[0].n).toBe(0); // the cursor moves only when the run ends
      const resumed = await syncPulls({ ...opts, signal: undefined, progress: undefined });
      expect(resumed.fetched).toBe(total);
      expect(await count()).toBe(total);
    },
  );
});
