import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StandInDeployment, StandInPull, StandInUser } from '../src/dev/github-fixture-types.js';
import { githubSyncRepo } from '../src/jobs/index.js';
import { computeMetrics } from '../src/metrics/index.js';
import { HOUR, percentile, round, scalar } from './helpers/by-hand.js';
import { requestExport } from '../src/exports/request.js';
import { runCustomReport } from '../src/reports/index.js';
import { standInPull } from './helpers/stand-in-pull.js';
import { useGitHubWorld } from './hooks.js';

/**
 * The pull-request lifecycle on a real git history served by the stand-in (GraphQL, validated against
 * GitHub's schema): a draft made ready and merged by a merge commit, a pull request reviewed only by a
 * bot and squash-merged by its author, a rebase-merged one reviewed, reworked after review and
 * reopened and deployed by a later deployment, an open draft, a bot's own pull request. Every stored
 * moment is compared with git and the fixture; every phase and review-quality number with a hand
 * computation.
 */
const REPO = 'acme/flow';
const ORG = 'cccccccc-0000-4000-8000-00000000000c';
const WINDOW = { organization_id: ORG, date_range: { start: '2026-06-01T00:00:00Z', end: '2026-06-10T00:00:00Z' } };

const person = (id: number, login: string): StandInUser => ({ id, login });
const ann = person(801, 'ann');
const bo = person(802, 'bo');
const cy = person(803, 'cy');
const bot: StandInUser = { id: 49699333, login: 'dependabot[bot]', type: 'Bot' };
const git = (u: StandInUser) => ({ name: u.login, email: `${u.login}@acme.example` });

describe('the pull-request lifecycle: where work waited, from first commit to production', () => {
  const w = useGitHubWorld({
    settings: (_gh, repo) => ({
      GITHUB_COMMITS_FROM: 'git',
      GIT_MIRROR_DIR: join(repo.root, 'mirrors'),
      GITHUB_SYNC_INITIAL_DAYS: '0',
      GITHUB_PULLS_FROM: 'graphql',
    }),
  });
  const sha: Record<string, string> = {};
  let pulls: StandInPull[];

  const pull = (n: number, user: StandInUser, fields: Partial<StandInPull>): StandInPull => standInPull(70_000 + n, n, user, fields);
  const review = (id: number, user: StandInUser, state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED', at: string) => ({
    id,
    user,
    state,
    body: '',
    submitted_at: at,
  });

  beforeAll(async () => {
    // The fixture's teams are smaller than the default group size (3): their numbers are shown here (withholding is policy.test.ts's).
    for (const org of [ORG]) await w.rows.insert('organization_policies', { organization_id: org, min_group_size: 1 });
    const r = w.repo;
    sha.b0 = r.commit(git(ann), '2026-06-01T08:00:00Z', 'base');
    // PR 1: a draft from f1, made ready, merged with a merge commit.
    r.git('checkout', '-q', '-b', 'f1');
    r.write('one.txt', '1');
    sha.c11 = r.commit(git(ann), '2026-06-01T09:00:00Z', 'one a');
    r.write('one.txt', '2');
    sha.c12 = r.commit(git(ann), '2026-06-01T15:00:00Z', 'one b');
    r.git('checkout', '-q', 'main');
    sha.m1 = r.merge('f1', git(bo), '2026-06-03T09:00:00Z', 'Merge pull request #1 from acme/f1');
    // PR 2: squash-merged by its author.
    r.git('checkout', '-q', '-b', 'f2');
    r.write('two.txt', '1');
    sha.c21 = r.commit(git(ann), '2026-06-04T09:00:00Z', 'two');
    r.git('checkout', '-q', 'main');
    r.git('merge', '-q', '--squash', 'f2');
    sha.s2 = r.commit(git(ann), '2026-06-04T12:00:00Z', 'PR 2 (#2)');
    // PR 3: two commits (the second after review), rebased onto main when merged.
    r.git('checkout', '-q', '-b', 'f3');
    r.write('three.txt', '1');
    sha.c31 = r.commit(git(cy), '2026-06-05T09:00:00Z', 'three a');
    r.write('three.txt', '2');
    sha.c32 = r.commit(git(cy), '2026-06-06T10:00:00Z', 'three b');
    r.git('checkout', '-q', 'main');
    const rebased = { GIT_COMMITTER_DATE: '2026-06-06T12:00:00Z', GIT_COMMITTER_NAME: 'bo', GIT_COMMITTER_EMAIL: 'bo@acme.example' };
    r.gitIn(r.work, ['cherry-pick', sha.c31!], rebased);
    r.gitIn(r.work, ['cherry-pick', sha.c32!], rebased);
    sha.r32 = r.git('rev-parse', 'HEAD').trim();
    r.push();
    for (const b of ['f1', 'f2', 'f3']) r.push(b);

    pulls = [
      pull(1, ann, {
        created_at: '2026-06-01T10:00:00Z',
        merged_at: '2026-06-03T09:00:00Z',
        closed_at: '2026-06-03T09:00:00Z',
        commit_shas: [sha.c11!, sha.c12!],
        merge_commit_sha: sha.m1,
        merged_by: bo,
        additions: 10,
        deletions: 2,
        review_comments: 2,
        timeline: [
          { type: 'ready_for_review', created_at: '2026-06-02T09:00:00Z', actor: ann },
          { type: 'comment', created_at: '2026-06-01T12:00:00Z', actor: bo }, // on the draft: not a response yet
          { type: 'comment', created_at: '2026-06-02T11:00:00Z', actor: bo },
        ],
        reviews: [review(101, bo, 'APPROVED', '2026-06-02T15:00:00Z')],
      }),
      pull(2, ann, {
        created_at: '2026-06-04T10:00:00Z',
        merged_at: '2026-06-04T12:00:00Z',
        closed_at: '2026-06-04T12:00:00Z',
        commit_shas: [sha.c21!],
        merge_commit_sha: sha.s2,
        merged_by: ann,
        additions: 5,
        deletions: 0,
        timeline: [{ type: 'comment', created_at: '2026-06-04T10:01:00Z', actor: bot }],
        reviews: [review(201, bot, 'APPROVED', '2026-06-04T10:05:00Z')],
      }),
      pull(3, cy, {
        created_at: '2026-06-05T10:00:00Z',
        merged_at: '2026-06-06T12:00:00Z',
        closed_at: '2026-06-06T12:00:00Z',
        commit_shas: [sha.c31!, sha.c32!],
        merge_commit_sha: sha.r32,
        merged_by: bo,
        additions: 30,
        deletions: 10,
        review_comments: 4,
        timeline: [{ type: 'reopened', created_at: '2026-06-06T09:00:00Z', actor: cy }],
        reviews: [review(301, bo, 'CHANGES_REQUESTED', '2026-06-05T12:00:00Z'), review(302, bo, 'APPROVED', '2026-06-06T11:00:00Z')],
      }),
      pull(4, cy, { state: 'open', created_at: '2026-06-07T09:00:00Z', draft: true }),
      pull(5, bot, { state: 'open', created_at: '2026-06-02T09:00:00Z' }),
    ];
    const deployment = (id: number, at: string, day: string): StandInDeployment => ({
      id,
      sha: at,
      ref: 'main',
      environment: 'production',
      created_at: `2026-06-${day}T08:00:00Z`,
      statuses: [{ id: id * 10, state: 'success', created_at: `2026-06-${day}T${id === 1 ? '12' : '09'}:00:00Z` }],
    });
    const deployments = [deployment(1, sha.m1!, '03'), deployment(2, sha.s2!, '05'), deployment(3, sha.s2!, '07'), deployment(4, sha.r32!, '08')];
    w.gh.repos.set(REPO, { commits: [], pulls, git: w.repo.bare, deployments });
    for (const u of [ann, bo, cy, bot]) w.gh.users.set(u.login, u);
    for (const u of [ann, bo, cy]) w.gh.emails.set(`${u.login}@acme.example`, u);
    await w.rows.trackedRepository({ fullName: REPO, organizationId: ORG });
    const job = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['commits', 'pulls', 'deployments'] }));
    expect(job.failedReason).toBeUndefined();
    await w.h.idle(['github-sync', 'profiles']);
    const devs = (await w.db.sql.query<{ id: string; login: string }>(`SELECT id, github_username AS login FROM developers`)).rows;
    await w.rows.team({ name: 'Flow', organizationId: ORG, developerIds: devs.filter((d) => d.login !== 'dependabot[bot]').map((d) => d.id) });
  }, 60_000);

  it('stores each pull request’s commits as git lists them, when it became ready, its merge commit and who merged it', async () => {
    const commits = (await w.db.sql.query(`SELECT pull_github_id::int AS pr, sha FROM pull_request_commits ORDER BY pull_github_id, authored_at`)).rows;
    const branch = (b: string, base: string) => w.repo.revList(b, [`^${base}`]).sort();
    expect(
      commits
        .filter((c) => c.pr === 70_001)
        .map((c) => c.sha)
        .sort(),
    ).toEqual(branch('f1', sha.b0!));
    expect(
      commits
        .filter((c) => c.pr === 70_003)
        .map((c) => c.sha)
        .sort(),
    ).toEqual(branch('f3', sha.s2!));
    const { rows } = await w.db.sql.query(
      `SELECT github_id::int AS pr, is_draft, ready_at, reopened_at, merge_commit_sha, merged_by_github_id::int AS merged_by FROM pull_request_lifecycles ORDER BY 1`,
    );
    expect(rows).toEqual([
      { pr: 70_001, is_draft: false, ready_at: new Date('2026-06-02T09:00:00Z'), reopened_at: null, merge_commit_sha: sha.m1, merged_by: bo.id },
      // Never a draft: ready when opened.
      { pr: 70_002, is_draft: false, ready_at: new Date('2026-06-04T10:00:00Z'), reopened_at: null, merge_commit_sha: sha.s2, merged_by: ann.id },
      {
        pr: 70_003,
        is_draft: false,
        ready_at: new Date('2026-06-05T10:00:00Z'),
        reopened_at: new Date('2026-06-06T09:00:00Z'),
        merge_commit_sha: sha.r32,
        merged_by: bo.id,
      },
      // Still a draft: never ready.
      { pr: 70_004, is_draft: true, ready_at: null, reopened_at: null, merge_commit_sha: null, merged_by: null },
      { pr: 70_005, is_draft: false, ready_at: new Date('2026-06-02T09:00:00Z'), reopened_at: null, merge_commit_sha: null, merged_by: null },
    ]);
  });

  /**
   * By hand, from the fixture and git: t0 first commit (author date), t1 ready, t2 first response by
   * someone else and no bot (at or after ready; none before merge: the merge), t3 first approval by
   * someone else (none: the merge), t4 merge, t5 the first deployment that shipped the merge commit.
   */
  const clocks: Record<number, string[]> = {
    // Ready 06-02 09:00; bo's comment on the draft does not count, his comment at 11:00 does.
    1: ['2026-06-01T09:00:00Z', '2026-06-02T09:00:00Z', '2026-06-02T11:00:00Z', '2026-06-02T15:00:00Z', '2026-06-03T09:00:00Z', '2026-06-03T12:00:00Z'],
    // Only a bot answered: no response, no approval before the merge; deployment 2 shipped the squash commit.
    2: ['2026-06-04T09:00:00Z', '2026-06-04T10:00:00Z', '2026-06-04T12:00:00Z', '2026-06-04T12:00:00Z', '2026-06-04T12:00:00Z', '2026-06-05T09:00:00Z'],
    // Changes requested, reopened, reworked, approved; deployment 3 redeployed an older sha, 4 shipped it.
    3: ['2026-06-05T09:00:00Z', '2026-06-05T10:00:00Z', '2026-06-05T12:00:00Z', '2026-06-06T11:00:00Z', '2026-06-06T12:00:00Z', '2026-06-08T09:00:00Z'],
  };

  it('each merged pull request’s clocks, in the order of its phases', async () => {
    const { rows } = await w.db.sql.query(
      `SELECT github_id::int AS pr, t0, t1, t2, t3, t4, t5 FROM pull_request_phases WHERE merged_at IS NOT NULL ORDER BY 1`,
    );
    expect(rows.map((r) => [r.t0, r.t1, r.t2, r.t3, r.t4, r.t5].map((t: Date) => t.toISOString().replace('.000Z', 'Z')))).toEqual([
      clocks[1],
      clocks[2],
      clocks[3],
    ]);
    // The open draft has no commit: its clock starts at its creation, and stops there (never ready).
    const { rows: draft } = await w.db.sql.query(`SELECT t0, t1 FROM pull_request_phases WHERE github_id = 70004`);
    expect(draft).toEqual([{ t0: new Date('2026-06-07T09:00:00Z'), t1: null }]);
  });

  it('every phase, median and p75, equals the hand computation; cycle time is the sum of the phases for each pull request', async () => {
    const hours = (pr: number, from: number, to: number) => (new Date(clocks[pr]![to]!).getTime() - new Date(clocks[pr]![from]!).getTime()) / HOUR;
    const phases = { coding_time: [0, 1], pickup_time: [1, 2], review_time: [2, 3], merge_time: [3, 4], deploy_time: [4, 5], cycle_time: [0, 5] } as const;
    const names = Object.keys(phases).flatMap((n) => [n, `${n}_p75`]);
    const m = await computeMetrics(w.db.sql, names, WINDOW);
    for (const [name, [from, to]] of Object.entries(phases)) {
      const values = [1, 2, 3].map((pr) => hours(pr, from, to));
      expect([name, scalar(m[name])]).toEqual([name, round(percentile(values, 0.5))]);
      expect([`${name}_p75`, scalar(m[`${name}_p75`])]).toEqual([`${name}_p75`, round(percentile(values, 0.75))]);
    }
    for (const pr of [1, 2, 3]) expect([0, 1, 2, 3, 4].reduce((s, i) => s + hours(pr, i, i + 1), 0)).toBe(hours(pr, 0, 5));
    // In plain numbers: coding 24, 1, 1 h; pickup 2, 2, 2; review 4, 0, 23; merge 18, 0, 1; deploy 3, 21, 45; cycle 51, 24, 72.
    expect([scalar(m.coding_time), scalar(m.review_time), scalar(m.deploy_time), scalar(m.cycle_time), scalar(m.cycle_time_p75)]).toEqual([1, 4, 21, 51, 61.5]);
  });

  it('review quality: merged without review, self-merged, review depth, rework after review, size, and the age of what is still open', async () => {
    const m = await computeMetrics(w.db.sql, ['merged_without_review', 'self_merged', 'review_depth', 'rework_after_review', 'pr_size', 'open_pr_age'], WINDOW);
    expect(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, scalar(v)]))).toEqual({
      // PR 2: its only approval is a bot's.
      merged_without_review: 0.3333,
      // PR 2: merged by its author.
      self_merged: 0.3333,
      // Reviewed by a person: PRs 1 (2 comments) and 3 (4).
      review_depth: 3,
      // Of those, PR 3 had a commit after its first review.
      rework_after_review: 0.5,
      // Lines changed 12, 5, 40.
      pr_size: 12,
      // Open at 06-10: PR 4 since 06-07 09:00 (the bot's PR is not counted): 63 h.
      open_pr_age: 2.63,
    });
  });

  it('the pull requests open longest, by repository, number and title (no person named), with their age', async () => {
    const m = await computeMetrics(w.db.sql, ['oldest_open_prs'], WINDOW);
    expect(m.oldest_open_prs).toEqual({ kind: 'breakdown', unit: 'days', items: [{ label: `${REPO}#4 PR 4`, value: 2.6 }] });
  });

  it('a stacked widget shows the cycle as its phases, per week and per team, each part a median; in JSON, CSV and PDF', async () => {
    const team2 = await w.rows.team({
      name: 'Reviewers',
      organizationId: ORG,
      developerIds: (await w.db.sql.query<{ id: string }>(`SELECT id FROM developers WHERE github_username = 'cy'`)).rows.map((r) => r.id),
    });
    void team2;
    const id = await w.rows.customReport({
      name: 'Cycle',
      organization_id: ORG,
      widgets: [
        { type: 'stacked', metric: 'cycle_time', config: { group_by: 'week' } },
        { type: 'stacked', metric: 'cycle_time', config: { group_by: 'team' } },
        { type: 'stacked', metric: 'pr_size' },
      ],
      filters: { date_range: WINDOW.date_range },
    });
    const at = new Date('2026-06-10T00:00:00Z');
    const data = JSON.parse(await readFile((await runCustomReport(w.db.orm.em.fork(), id, 'json', w.dir, at)).path, 'utf8'));
    const hours = (pr: number, from: number, to: number) => (new Date(clocks[pr]![to]!).getTime() - new Date(clocks[pr]![from]!).getTime()) / HOUR;
    const parts = (prs: number[]) =>
      ['coding', 'pickup', 'review', 'merge', 'deploy'].map((series, k) => ({
        series,
        value: round(
          percentile(
            prs.map((pr) => hours(pr, k, k + 1)),
            0.5,
          ),
        ),
      }));
    // Weeks from 06-01: the three merged in the first; the second (06-08 to the window's end) merged none: no bar.
    expect(data.widgets[0].items).toEqual(parts([1, 2, 3]).map((p) => ({ label: '2026-06-01', ...p })));
    // Teams: Flow has everyone (PRs 1, 2, 3), Reviewers only cy (PR 3).
    expect(data.widgets[1].items).toEqual([
      ...parts([1, 2, 3]).map((p) => ({ label: 'Flow', ...p })),
      ...parts([3]).map((p) => ({ label: 'Reviewers', ...p })),
    ]);
    expect(data.widgets[2]).toMatchObject({
      type: 'error',
      error: 'widget 3: a stacked widget shows cycle_time, investment_balance, investment_balance_count, agreement_attainment; "pr_size" has no parts',
    });
    const csv = await readFile((await runCustomReport(w.db.orm.em.fork(), id, 'csv', w.dir, at)).path, 'utf8');
    expect(csv).toContain(`Reviewers pickup,${parts([3])[1]!.value},hours`);
    const pdf = await runCustomReport(w.db.orm.em.fork(), id, 'pdf', w.dir, at);
    expect(pdf.bytes).toBeGreaterThan(1000);
  });

  it('export type pr_lifecycle: one row per pull request with every moment and its phases in hours', async () => {
    const id = await requestExport(w.db.orm.em.fork(), w.h.pool.producer, {
      exportType: 'pr_lifecycle',
      format: 'json',
      config: { organization_id: ORG, date_range: { start: '2026-06-01', end: '2026-06-10' } },
    });
    const [job] = (await w.h.reader('exports').getJobs(['waiting', 'active', 'completed', 'failed', 'delayed'])).filter((j) => j.data.exportJobId === id);
    await w.h.settle(job!);
    const row = (await w.db.sql.query(`SELECT status, file_path FROM export_jobs WHERE id = $1`, [id])).rows[0];
    expect(row.status).toBe('completed');
    const rows = JSON.parse(await readFile(row.file_path, 'utf8')) as Record<string, unknown>[];
    // The bot's pull request is not counted; the open draft has no clock past its start.
    expect(rows.map((r) => r.number)).toEqual([1, 2, 3, 4]);
    expect(rows[0]).toMatchObject({
      repository: REPO,
      first_commit_at: '2026-06-01T09:00:00Z',
      ready_at: '2026-06-02T09:00:00Z',
      first_response_at: '2026-06-02T11:00:00Z',
      first_approval_at: '2026-06-02T15:00:00Z',
      merged_at: '2026-06-03T09:00:00Z',
      deployed_at: '2026-06-03T12:00:00Z',
      coding_hours: 24,
      pickup_hours: 2,
      review_hours: 4,
      merge_hours: 18,
      deploy_hours: 3,
      cycle_hours: 51,
    });
    expect(rows[3]).toMatchObject({ number: 4, ready_at: null, coding_hours: null, cycle_hours: null });
  });
});

describe('a long timeline, and what is not a person', () => {
  const w = useGitHubWorld({ settings: () => ({ GITHUB_PULLS_FROM: 'graphql' }) });

  it('a timeline past its first 100 items is read to its end; a comment by a deleted account is no one’s', async () => {
    const dee = person(901, 'dee');
    const base = Date.UTC(2026, 6, 1);
    const comments = Array.from({ length: 130 }, (_, i) => ({
      type: 'comment' as const,
      created_at: new Date(base + (i + 1) * 60_000).toISOString(),
      actor: i === 0 ? null : dee,
    }));
    w.gh.repos.set('acme/long', {
      commits: [],
      pulls: [
        standInPull(91_000, 1, ann, {
          title: 'Long talk',
          state: 'open',
          created_at: new Date(base).toISOString(),
          updated_at: new Date(base + 200 * 60_000).toISOString(),
          commits: 0,
          comments: 130,
          timeline: comments,
        }),
      ],
    });
    for (const u of [ann, dee]) w.gh.users.set(u.login, u);
    await w.rows.trackedRepository({ fullName: 'acme/long', organizationId: null });
    const job = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: 'acme/long', streams: ['pulls'] }));
    expect(job.failedReason).toBeUndefined();
    // The page of pull requests, then the rest of the timeline.
    expect(w.gh.requests.filter((r) => r.path === '/graphql')).toHaveLength(2);
    const { rows } = await w.db.sql.query(`SELECT count(*)::int AS n, count(DISTINCT author_github_id)::int AS authors FROM pull_request_comments`);
    expect(rows).toEqual([{ n: 129, authors: 1 }]);
    // The first response: dee's first comment (the deleted account's does not count).
    const { rows: phases } = await w.db.sql.query(`SELECT first_response_at FROM pull_request_phases`);
    expect(phases).toEqual([{ first_response_at: new Date(base + 2 * 60_000) }]);
  });
});
