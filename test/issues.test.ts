import { beforeAll, describe, expect, it } from 'vitest';
import type { StandInIssue, StandInUser } from '../src/dev/github-fixture-types.js';
import { githubSyncRepo } from '../src/jobs/index.js';
import { computeMetrics } from '../src/metrics/index.js';
import { HOUR, percentile, scalar } from './helpers/by-hand.js';
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
    const pull = {
      id: 6001,
      number: 5,
      title: 'A pull request, not an issue',
      body: null,
      user: ann,
      state: 'open' as const,
      created_at: '2026-07-02T09:00:00Z',
      updated_at: '2026-07-02T09:00:00Z',
      merged_at: null,
      closed_at: null,
      labels: [],
      requested_reviewers: [],
      additions: 1,
      deletions: 0,
      changed_files: 1,
      commits: 1,
      comments: 0,
      review_comments: 0,
      reviews: [],
    };
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
});
