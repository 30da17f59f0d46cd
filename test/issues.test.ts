import { beforeAll, describe, expect, it } from 'vitest';
import type { StandInIssue, StandInUser } from '../src/dev/github-fixture-types.js';
import { githubSyncRepo } from '../src/jobs/index.js';
import { computeMetrics, type MetricResult } from '../src/metrics/index.js';
import { HOUR, percentile, scalar } from './helpers/by-hand.js';
import { readFile } from 'node:fs/promises';
import { runCustomReport } from '../src/reports/index.js';
import { runCliProcess } from './helpers/spawn.js';
import { standInPull } from './helpers/stand-in-pull.js';
import { useGitHubWorld } from './hooks.js';

/**
 * GitHub issues (`github.sync-repo` with the `issues` stream) from the stand-in's REST list (pull
 * requests, which GitHub lists too, left out) and their closed/reopened history from GraphQL: every
 * stored issue equals the stand-in's data; a re-run with nothing new costs only 304s; the issue
 * metrics equal a hand computation.
 */
const REPO = 'acme/tracker';
const ORG = 'dddddddd-0000-4000-8000-00000000000d';
const ann: StandInUser = { id: 1101, login: 'ann' };
const bo: StandInUser = { id: 1102, login: 'bo' };
const JULY = { organization_id: ORG, date_range: { start: '2026-07-01T00:00:00Z', end: '2026-08-01T00:00:00Z' } };

describe('GitHub issues', () => {
  const w = useGitHubWorld({ settings: () => ({ GITHUB_PULLS_FROM: 'graphql' }) });
  let issues: StandInIssue[];
  const issue = (n: number, fields: Partial<StandInIssue>): StandInIssue => ({
    id: 5000 + n,
    number: n,
    title: `Issue ${n}`,
    user: ann,
    assignees: [],
    labels: [],
    state: 'open',
    state_reason: null,
    created_at: '2026-07-01T09:00:00Z',
    updated_at: '2026-07-01T09:00:00Z',
    closed_at: null,
    ...fields,
  });
  const sync = async (id: string) => {
    const job = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['issues'] }, { jobId: id }));
    expect(job.failedReason).toBeUndefined();
    return (job.returnvalue as { issues: { fetched: number; written: number; pullRequests: number } }).issues;
  };
  const stored = async () =>
    (
      await w.db.sql.query(
        `SELECT i.issue_key, i.title, i.state, i.state_reason, i.labels, i.created_at, i.resolved_at, i.closed_at, d.github_username AS author,
                (SELECT array_agg(a.github_username ORDER BY a.github_username) FROM developers a WHERE a.id = ANY(i.assignee_ids)) AS assignees
           FROM issues i LEFT JOIN developers d ON d.id = i.developer_id WHERE i.source = 'github' AND i.repository_full_name = $1 ORDER BY i.issue_key::int`,
        [REPO],
      )
    ).rows;

  beforeAll(async () => {
    // The fixture's teams are smaller than the default group size (3): their numbers are shown here (withholding is policy.test.ts's).
    for (const org of [ORG]) await w.rows.insert('organization_policies', { organization_id: org, min_group_size: 1 });
    issues = [
      issue(1, {
        title: 'Crash on save',
        labels: ['bug'],
        assignees: [bo],
        state: 'closed',
        state_reason: 'completed',
        closed_at: '2026-07-03T09:00:00Z',
        updated_at: '2026-07-03T09:00:00Z',
        events: [{ type: 'closed', created_at: '2026-07-03T09:00:00Z' }],
      }),
      issue(2, {
        user: bo,
        title: 'Dark mode',
        labels: ['enhancement'],
        created_at: '2026-07-02T09:00:00Z',
        state: 'closed',
        state_reason: 'completed',
        closed_at: '2026-07-06T09:00:00Z',
        updated_at: '2026-07-06T09:00:00Z',
        events: [
          { type: 'closed', created_at: '2026-07-04T09:00:00Z' },
          { type: 'reopened', created_at: '2026-07-05T09:00:00Z' },
          { type: 'closed', created_at: '2026-07-06T09:00:00Z' },
        ],
      }),
      issue(3, {
        title: 'Won’t do',
        created_at: '2026-07-03T09:00:00Z',
        state: 'closed',
        state_reason: 'not_planned',
        closed_at: '2026-07-05T09:00:00Z',
        updated_at: '2026-07-05T09:00:00Z',
        events: [{ type: 'closed', created_at: '2026-07-05T09:00:00Z' }],
      }),
      issue(4, { title: 'Flaky test', labels: ['kind/bug'], created_at: '2026-07-06T09:00:00Z', updated_at: '2026-07-06T10:00:00Z' }),
    ];
    const pull = standInPull(6001, 5, ann, {
      title: 'A pull request, not an issue',
      state: 'open',
      created_at: '2026-07-02T09:00:00Z',
      updated_at: '2026-07-02T09:00:00Z',
    });
    w.gh.repos.set(REPO, { commits: [], pulls: [pull], issues });
    for (const u of [ann, bo]) w.gh.users.set(u.login, u);
    await w.rows.trackedRepository({ fullName: REPO, organizationId: ORG });
  });

  it('a first sync stores every issue as GitHub has it, pull requests left out, with its closed/reopened history', async () => {
    expect(await sync('i-1')).toEqual({ fetched: 4, written: 4, pullRequests: 1 });
    expect(await stored()).toEqual(
      issues.map((i) => ({
        issue_key: String(i.number),
        title: i.title,
        state: i.state,
        state_reason: i.state_reason,
        labels: i.labels,
        created_at: new Date(i.created_at),
        // Resolved: closed as completed; #3 was closed as not planned.
        resolved_at: i.state_reason === 'completed' ? new Date(i.closed_at!) : null,
        closed_at: i.closed_at ? new Date(i.closed_at) : null,
        author: i.user!.login,
        assignees: i.assignees.length ? i.assignees.map((a) => a.login) : null,
      })),
    );
    const { rows } = await w.db.sql.query(
      `SELECT t.at, t.from_status, t.to_status, t.status_category FROM issue_transitions t JOIN issues i ON i.id = t.issue_id WHERE i.issue_key = '2' ORDER BY t.at`,
    );
    expect(rows).toEqual(
      issues[1]!.events!.map((e, k, all) => ({
        at: new Date(e.created_at),
        from_status: k === 0 ? 'open' : all[k - 1]!.type === 'closed' ? 'closed' : 'open',
        to_status: e.type === 'closed' ? 'closed' : 'open',
        status_category: e.type === 'closed' ? 'done' : 'new',
      })),
    );
    // The history of all four in one GraphQL request.
    expect(w.gh.requests.filter((r) => r.path === '/graphql')).toHaveLength(1);
  });

  it('a re-run with nothing new costs only 304s; a changed issue is all the next run writes', async () => {
    w.gh.reset();
    expect(await sync('i-2')).toMatchObject({ written: 0 });
    // (The new developers' profiles are fetched by their own jobs meanwhile: not this sync's.)
    const ours = () => w.gh.requests.filter((r) => r.path.endsWith('/issues') || r.path === '/graphql');
    expect(ours().map((r) => r.status)).toEqual([304]);
    Object.assign(issues[3]!, { labels: ['kind/bug', 'p1'], assignees: [ann], updated_at: '2026-07-07T09:00:00Z' });
    w.gh.reset();
    expect(await sync('i-3')).toMatchObject({ written: 1 });
    // The changed first page, and the changed issue's history.
    expect(ours().map((r) => [r.path, r.status])).toEqual([
      ['/repos/acme/tracker/issues', 200],
      ['/graphql', 200],
    ]);
    expect((await stored())[3]).toMatchObject({ labels: ['kind/bug', 'p1'], assignees: ['ann'] });
  });

  it('the issue metrics equal a hand computation, for the organization and for a team', async () => {
    const names = ['issues_opened', 'issues_resolved', 'issue_cycle_time', 'issue_cycle_time_p75', 'bug_share'];
    const m = await computeMetrics(w.db.sql, names, JULY);
    // Resolved: #1 after 48 h, #2 after 96 h (from its creation; its reopening does not restart it).
    const cycle = [48, 96];
    expect(Object.fromEntries(names.map((n) => [n, scalar(m[n])]))).toEqual({
      issues_opened: 4,
      issues_resolved: 2,
      issue_cycle_time: percentile(cycle, 0.5),
      issue_cycle_time_p75: percentile(cycle, 0.75),
      // #1 (bug) and #4 (kind/bug) of four.
      bug_share: 0.5,
    });
    expect((new Date(issues[1]!.closed_at!).getTime() - new Date(issues[1]!.created_at).getTime()) / HOUR).toBe(96);
    // A team of bo: the issues he opened (#2) or is assigned (#1).
    const devs = (await w.db.sql.query<{ id: string; login: string }>(`SELECT id, github_username AS login FROM developers`)).rows;
    const team = await w.rows.team({ name: 'Bo', organizationId: ORG, developerIds: devs.filter((d) => d.login === 'bo').map((d) => d.id) });
    const t = await computeMetrics(w.db.sql, ['issues_opened', 'issues_resolved', 'bug_share'], { ...JULY, team_ids: [team] });
    expect([scalar(t.issues_opened), scalar(t.issues_resolved), scalar(t.bug_share)]).toEqual([2, 2, 0.5]);
    // Another organization sees none of them.
    const other = await computeMetrics(w.db.sql, ['issues_opened'], { ...JULY, organization_id: 'eeeeeeee-0000-4000-8000-00000000000e' });
    expect(scalar(other.issues_opened)).toBe(0);
  });

  it('pull requests link to the issues they close or mention; each merged one lands in exactly one investment category; the shares sum to 100', async () => {
    const pr = (n: number, title: string, body: string | null, lines: number, head?: string) =>
      standInPull(6100 + n, n, ann, {
        title,
        body,
        created_at: '2026-07-08T09:00:00Z',
        updated_at: '2026-07-09T09:00:00Z',
        merged_at: '2026-07-09T09:00:00Z',
        closed_at: '2026-07-09T09:00:00Z',
        additions: lines,
        ...(head ? { head_ref: head } : {}),
      });
    w.gh.repos.get(REPO)!.pulls = [
      pr(10, 'Fix the crash on save', 'Fixes #1', 10),
      pr(11, 'Dark mode', 'Closes acme/tracker#2', 30, 'feature/dark'),
      pr(12, 'Cleanup', 'Nothing to see; see abc#1 and &#1;', 60),
      pr(13, 'Refs #3 and #1', null, 0),
    ];
    const job = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['pulls'] }, { jobId: 'links-1' }));
    expect(job.failedReason).toBeUndefined();
    const { rows: links } = await w.db.sql.query(
      `SELECT p.number, i.issue_key, l.closing, l.found_in FROM issue_links l JOIN issues i ON i.id = l.issue_id
         JOIN pull_requests p ON p.github_id::text = l.source_id AND l.source_kind = 'pull' ORDER BY p.number, i.issue_key`,
    );
    expect(links).toEqual([
      { number: 10, issue_key: '1', closing: true, found_in: 'body' },
      { number: 11, issue_key: '2', closing: true, found_in: 'body' },
      { number: 13, issue_key: '1', closing: false, found_in: 'title' },
      { number: 13, issue_key: '3', closing: false, found_in: 'title' },
    ]);
    // Pull requests count for the organization's members: a team of everyone.
    const everyone = (await w.db.sql.query<{ id: string }>(`SELECT id FROM developers`)).rows.map((r) => r.id);
    await w.rows.team({ name: 'Everyone', organizationId: ORG, developerIds: everyone });
    const m = await computeMetrics(w.db.sql, ['linked_pr_share', 'investment_balance', 'investment_balance_count'], JULY);
    expect(scalar(m.linked_pr_share)).toBe(0.75);
    // #10 and #13 link a bug (#13 also an issue of no category: the bug decides); #11 a feature; #12 nothing.
    const shares = (r: MetricResult | undefined) => (r?.kind === 'breakdown' ? Object.fromEntries(r.items.map((i) => [i.label, i.value])) : null);
    expect(shares(m.investment_balance)).toEqual({ bug: 10, feature: 30, 'tech debt': 0, operations: 0, other: 60 });
    expect(shares(m.investment_balance_count)).toEqual({ bug: 50, feature: 25, 'tech debt': 0, operations: 0, other: 25 });
    // A stacked widget of the balance: one bar for the week the four were merged, its parts the shares.
    const report = await w.rows.customReport({
      name: 'Balance',
      organization_id: ORG,
      widgets: [{ type: 'stacked', metric: 'investment_balance', config: { group_by: 'week' } }],
      filters: { date_range: { start: '2026-07-06T00:00:00Z', end: '2026-07-13T00:00:00Z' } },
    });
    const data = JSON.parse(await readFile((await runCustomReport(w.db.orm.em.fork(), report, 'json', w.dir, new Date('2026-07-13T00:00:00Z'))).path, 'utf8'));
    expect(data.widgets[0].items).toEqual([
      { label: '2026-07-06', series: 'bug', value: 10 },
      { label: '2026-07-06', series: 'feature', value: 30 },
      { label: '2026-07-06', series: 'other', value: 60 },
    ]);
    // The organization maps `enhancement` to tech debt: #11 moves.
    await w.rows.insert('issue_category_mappings', { organization_id: ORG, match: 'enhancement', category: 'tech debt' });
    const mapped = await computeMetrics(w.db.sql, ['investment_balance'], JULY);
    expect(shares(mapped.investment_balance)).toEqual({ bug: 10, feature: 0, 'tech debt': 30, operations: 0, other: 60 });
  });

  it('an issue linked to a pull request by hand on GitHub (closingIssuesReferences) links it as a closing keyword would', async () => {
    const cleanup = w.gh.repos.get(REPO)!.pulls.find((p) => p.number === 12)!;
    // #12's text refers to nothing; its Development section links bug #1.
    cleanup.linked_issues = [{ repository: REPO, number: 1 }];
    cleanup.updated_at = '2026-07-10T09:00:00Z';
    const job = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['pulls'] }, { jobId: 'links-hand' }));
    expect(job.failedReason).toBeUndefined();
    const { rows } = await w.db.sql.query(
      `SELECT i.issue_key, l.closing, l.found_in FROM issue_links l JOIN issues i ON i.id = l.issue_id
         JOIN pull_requests p ON p.github_id::text = l.source_id AND l.source_kind = 'pull' WHERE p.number = 12`,
    );
    expect(rows).toEqual([{ issue_key: '1', closing: true, found_in: 'link' }]);
    // Four of four merged pull requests linked; #12's 60 lines move from other to bug (#11 is tech debt by the organization's mapping).
    const m = await computeMetrics(w.db.sql, ['linked_pr_share', 'investment_balance'], JULY);
    expect(scalar(m.linked_pr_share)).toBe(1);
    expect(m.investment_balance?.kind === 'breakdown' ? Object.fromEntries(m.investment_balance.items.map((i) => [i.label, i.value])) : null).toEqual({
      bug: 70,
      feature: 0,
      'tech debt': 30,
      operations: 0,
      other: 0,
    });
  });

  it('an issue labelled incident is an incident of the delivery model', async () => {
    issues.push(
      issue(7, {
        title: 'Checkout down',
        labels: ['incident'],
        created_at: '2026-07-10T09:00:00Z',
        updated_at: '2026-07-10T12:00:00Z',
        state: 'closed',
        state_reason: 'completed',
        closed_at: '2026-07-10T12:00:00Z',
        events: [{ type: 'closed', created_at: '2026-07-10T12:00:00Z' }],
      }),
    );
    await sync('i-7');
    const { rows } = await w.db.sql.query(`SELECT kind, title, opened_at, resolved_at FROM delivery_incidents WHERE repository_full_name = $1`, [REPO]);
    expect(rows).toEqual([
      { kind: 'issue', title: 'Checkout down', opened_at: new Date('2026-07-10T09:00:00Z'), resolved_at: new Date('2026-07-10T12:00:00Z') },
    ]);
  });

  it('a commit message that refers to an issue links the commit (and a pull request of it) to the issue', async () => {
    w.gh.repos.get(REPO)!.commits = [
      { sha: 'a'.repeat(40), message: 'Start', author: ann, authorDate: '2026-07-11T09:00:00Z', committerDate: '2026-07-11T09:00:00Z', files: [] },
      {
        sha: 'b'.repeat(40),
        message: 'Guard the flaky test\n\nFixes #4, see ABC-9',
        author: ann,
        authorDate: '2026-07-11T10:00:00Z',
        committerDate: '2026-07-11T10:00:00Z',
        files: [],
      },
    ];
    const job = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['commits'] }, { jobId: 'links-c' }));
    expect(job.failedReason).toBeUndefined();
    const { rows } = await w.db.sql.query(`SELECT source_id, target, closing, found_in FROM issue_references WHERE source_kind = 'commit' ORDER BY target`);
    expect(rows).toEqual([
      { source_id: 'b'.repeat(40), target: 'ABC-9', closing: false, found_in: 'message' },
      { source_id: 'b'.repeat(40), target: 'acme/tracker#4', closing: true, found_in: 'message' },
    ]);
    // #4 is stored: linked; ABC-9 is no stored issue: no link.
    const { rows: links } = await w.db.sql.query(
      `SELECT i.issue_key FROM issue_links l JOIN issues i ON i.id = l.issue_id WHERE l.source_kind = 'commit' AND l.source_id = $1`,
      ['b'.repeat(40)],
    );
    expect(links).toEqual([{ issue_key: '4' }]);
  });

  it('an issue a bot opened is stored but counted in no issue metric (as a bot’s commits and pull requests are not)', async () => {
    const metrics = ['issues_opened', 'issues_resolved', 'issue_cycle_time', 'bug_share'] as const;
    const before = await computeMetrics(w.db.sql, [...metrics], JULY);
    const renovate: StandInUser = { id: 29139614, login: 'renovate[bot]', type: 'Bot' };
    w.gh.users.set(renovate.login, renovate);
    issues.push(
      issue(9, {
        user: renovate,
        title: 'Dependency Dashboard',
        labels: ['bug'],
        created_at: '2026-07-12T09:00:00Z',
        updated_at: '2026-07-13T09:00:00Z',
        state: 'closed',
        state_reason: 'completed',
        closed_at: '2026-07-13T09:00:00Z',
        events: [{ type: 'closed', created_at: '2026-07-13T09:00:00Z' }],
      }),
    );
    await sync('i-bot');
    expect((await stored()).find((r) => r.issue_key === '9')).toMatchObject({ author: 'renovate[bot]', title: 'Dependency Dashboard' });
    const after = await computeMetrics(w.db.sql, [...metrics], JULY);
    expect(metrics.map((k) => scalar(after[k]))).toEqual(metrics.map((k) => scalar(before[k])));
  });

  it("aexy sync issues queues the sync of a repository's issues, and waits for it", async () => {
    const env = { DATABASE_URL: w.db.url, REDIS_URL: w.config.REDIS_URL, QUEUE_PREFIX: w.config.QUEUE_PREFIX, LOG_LEVEL: 'silent' };
    const out = await runCliProcess(['sync', 'issues', REPO, '--wait'], env);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`queued github.sync-repo of ${REPO}'s issues as job`);
    const bad = await runCliProcess(['sync', 'issues', 'not a repository'], env);
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining('repository: must be "owner/name"')]);
  }, 30_000);
});
