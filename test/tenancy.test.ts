import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PDFParse } from 'pdf-parse';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../src/crypto/secrets.js';
import { GitHubStandIn } from '../src/dev/github-stand-in.js';
import { SlackStandIn } from '../src/dev/slack-stand-in.js';
import { EXPORT_TYPES } from '../src/exports/definitions.js';
import { computeMetrics } from '../src/metrics/index.js';
import { requestExport } from '../src/exports/request.js';
import { insightGenerate, slackInsightAlert, slackNotify } from '../src/jobs/index.js';
import { dueInsights } from '../src/insights/queries.js';
import { developerSignals } from '../src/insights/signals.js';
import { runCustomReport } from '../src/reports/run.js';
import { installSlackIntegration } from '../src/slack/integrations.js';
import { startTracking } from '../src/github/sync/tracked.js';
import { useTestWorld, useStandIn } from './hooks.js';
import { standInGitHubSettings } from './helpers/redis.js';

const A = 'aaaaaaaa-0000-4000-8000-00000000000a';
const B = 'bbbbbbbb-0000-4000-8000-00000000000b';
/** Everything of organization B carries one of these; none may appear in anything made for A. */
const B_MARKS = ['bea-b', 'bob-b', 'Beta', 'COBOL', 'B-SECRET', 'b-repo'];

/**
 * Two organizations in one database: everything made for one (reports in every format, exports of
 * every type and format, Slack notifications) holds nothing of the other. Expected numbers are
 * counted by hand from the fixture below.
 */
/** What an alertable insight carries beside its subject, type and score. */
const ALERTABLE = { confidence: 0.8, factors: [], recommendations: ['Talk.'], data_window_days: 30, generated_by_model: 'stand-in' };

describe('organizations as tenants: nothing of one reaches another', () => {
  let slack: SlackStandIn;
  let gh: GitHubStandIn;
  const dev: Record<string, string> = {};
  const team: Record<string, string> = {};
  const now = new Date('2026-03-31T00:00:00Z');

  useStandIn(async () => (slack = await new SlackStandIn().start()));
  useStandIn(async () => (gh = await new GitHubStandIn().start()));
  const w = useTestWorld({
    harness: true,
    settings: () => ({
      ...standInGitHubSettings(gh),
      SLACK_API_URL: slack.url,
      SLACK_TIMEOUT_MS: '2000',
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    }),
  });

  beforeAll(async () => {
    // The fixture's teams are smaller than the default group size (3): their numbers are shown here (withholding is policy.test.ts's).
    for (const org of [A, B]) await w.rows.insert('organization_policies', { organization_id: org, min_group_size: 1 });
    for (const [i, login] of ['amy-a', 'abe-a', 'bea-b', 'bob-b', 'sam-ab'].entries()) {
      dev[login] = await w.rows.developer({ githubId: i + 1, login });
    }
    const addTeam = async (name: string, org: string, members: string[]) =>
      (team[name] = await w.rows.team({ name, organizationId: org, developerIds: members.map((m) => dev[m]!) }));
    await addTeam('Alpha', A, ['amy-a', 'abe-a']);
    await addTeam('Beta', B, ['bea-b', 'bob-b']);
    // Each organization's repositories: the work in them is that organization's, whoever did it.
    await w.rows.trackedRepository({ fullName: 'acme/a-repo', organizationId: A });
    await w.rows.trackedRepository({ fullName: 'bcorp/b-repo', organizationId: B });
    const commit = (sha: string, login: string, repo: string, at: string, add: number, lang: string, message: string) =>
      w.rows.commit({
        sha: sha.padEnd(40, '0'),
        developer_id: dev[login],
        repository_name: repo.split('/')[1],
        repository_full_name: repo,
        message,
        additions: add,
        deletions: 1,
        files_changed: 1,
        languages: { [lang]: add + 1 },
        committed_at: at,
      });
    // A: 3 commits in March (amy 2, abe 1), 13 lines added; B: 2 commits, 7,777 lines.
    await commit('a1', 'amy-a', 'acme/a-repo', '2026-03-02T10:00:00Z', 5, 'Go', 'fix parser');
    await commit('a2', 'amy-a', 'acme/a-repo', '2026-03-03T10:00:00Z', 6, 'Go', 'add tests');
    await commit('a3', 'abe-a', 'acme/a-repo', '2026-03-04T10:00:00Z', 2, 'TypeScript', 'docs');
    await commit('b1', 'bea-b', 'bcorp/b-repo', '2026-03-02T11:00:00Z', 7000, 'COBOL', 'B-SECRET payroll');
    await commit('b2', 'bob-b', 'bcorp/b-repo', '2026-03-05T11:00:00Z', 777, 'COBOL', 'B-SECRET ledger');
    // Deployments: A's shipped a1..a3 and then failed, with an incident reported; B's shipped and had one too.
    const deployment = async (repo: string, id: number, sha: string, day: string, failed: boolean) => {
      const at = `2026-03-${day}T12:00:00Z`;
      return w.rows.insert('deployments', {
        repository_full_name: repo,
        source: 'deployments-api',
        external_id: id,
        environment: 'production',
        is_production: true,
        sha: sha.padEnd(40, '0'),
        status: failed ? 'failure' : 'success',
        created_at: at,
        succeeded_at: failed ? null : at,
        finished_at: at,
        failed_at: failed ? at : null,
      });
    };
    for (const repo of ['acme/a-repo', 'bcorp/b-repo'])
      await w.rows.insert('deployment_settings', { repository_full_name: repo, chosen_source: 'deployments-api' });
    const aShipped = await deployment('acme/a-repo', 1, 'a3', '05', false);
    await w.rows.insert('deployment_shipments', { deployment_id: aShipped, commits: 3, sha_known: true });
    for (const c of ['a1', 'a2', 'a3']) await w.rows.insert('deployment_commits', { deployment_id: aShipped, sha: c.padEnd(40, '0') });
    await deployment('acme/a-repo', 2, 'a3', '06', true);
    const bShipped = await deployment('bcorp/b-repo', 1, 'b2', '06', false);
    for (const c of ['b1', 'b2']) await w.rows.insert('deployment_commits', { deployment_id: bShipped, sha: c.padEnd(40, '0') });
    for (const [repo, id, title] of [
      ['acme/a-repo', 'A-1', 'Parser down'],
      ['bcorp/b-repo', 'B-1', 'B-SECRET payroll outage'],
    ])
      await w.rows.insert('incidents', { source: 'webhook', external_id: id, repository_full_name: repo, title, opened_at: '2026-03-07T00:00:00Z', sha: null });
    for (const [repo, id, title, login] of [
      ['acme/a-repo', '901', 'Parser crash', 'amy-a'],
      ['bcorp/b-repo', '902', 'B-SECRET payroll bug', 'bea-b'],
    ] as const)
      await w.rows.insert('issues', {
        source: 'github',
        external_id: id,
        issue_key: id,
        repository_full_name: repo,
        developer_id: dev[login],
        title,
        state: 'open',
        labels: JSON.stringify(['bug']),
        created_at: '2026-03-04T00:00:00Z',
        updated_at: '2026-03-04T00:00:00Z',
      });
    const aPr = await pr(1, 'amy-a', 'acme/a-repo', 'Faster parser');
    const bPr = await pr(2, 'bea-b', 'bcorp/b-repo', 'B-SECRET payroll run');
    await w.rows.codeReview({ github_id: 11, pull_request_id: aPr, reviewer_id: dev['abe-a'], submitted_at: '2026-03-06T02:00:00Z' });
    await w.rows.codeReview({ github_id: 12, pull_request_id: bPr, reviewer_id: dev['bob-b'], submitted_at: '2026-03-06T03:00:00Z' });
    // A learning path each, with one milestone (B's named so it would show).
    const role = await w.rows.insert('career_roles', { name: 'Senior', level: 3, required_skills: { testing: 50 } });
    for (const [login, title] of [
      ['amy-a', 'Raise Testing'],
      ['bea-b', 'B-SECRET milestone'],
    ] as const) {
      const path = await w.rows.insert('learning_paths', { developer_id: dev[login], target_role_id: role, started_at: '2026-03-10T00:00:00Z' });
      await w.rows.insert('learning_milestones', { learning_path_id: path, title, skill: 'testing', target_level: 50 });
    }
    const ring = new KeyRing(w.config.ENCRYPTION_KEYS!);
    for (const [org, slackTeam, channel] of [
      [A, 'T0AAA', 'C0AAA'],
      [B, 'T0BBB', 'C0BBB'],
    ] as const) {
      slack.tokens.set(`xoxb-${slackTeam}`, slackTeam);
      slack.channels.add(channel);
      if (org === B) slack.users.push({ id: 'U0BEA', team: slackTeam, email: 'bea@b.example', name: 'bea' });
      await installSlackIntegration(w.db.orm.em.fork(), ring, {
        organizationId: org,
        teamId: slackTeam,
        botToken: `xoxb-${slackTeam}`,
        defaultChannelId: channel,
        userMappings: org === B ? { U0BEA: dev['bea-b']! } : {},
      });
    }
  });
  /** A pull request of `repo` (owner/name), with the full name the sync records beside it. */
  const pr = async (gid: number, login: string, repo: string, title: string) => {
    const id = await w.rows.pullRequest({
      github_id: gid,
      number: gid,
      developer_id: dev[login],
      repository_name: repo.split('/')[1],
      title,
      state: 'merged',
      additions: 10,
      deletions: 2,
      created_at: '2026-03-06T00:00:00Z',
      merged_at: '2026-03-06T05:00:00Z',
    });
    await w.rows.insert('github_pull_repositories', { github_id: gid, repository_full_name: repo });
    await w.rows.insert('pull_request_lifecycles', { github_id: gid, repository_full_name: repo, is_draft: false, ready_at: '2026-03-06T00:00:00Z' });
    return id;
  };

  const noneOfB = (text: string, what: string) => {
    for (const mark of B_MARKS) expect(text, `${what} mentions ${mark}`).not.toContain(mark);
  };

  const report = async (org: string | null, filters: object, creator: string | null = null) =>
    w.rows.customReport({
      organization_id: org,
      creator_id: creator,
      name: 'Monthly',
      widgets: [
        { type: 'number', metric: 'commits' },
        { type: 'number', metric: 'lines_added' },
        { type: 'table', metric: 'lines_added', config: { title: 'Lines by developer' } },
        { type: 'bar', metric: 'language_mix' },
        { type: 'line', metric: 'commits', config: { group_by: 'week' } },
        { type: 'number', metric: 'reviews_given' },
      ],
      filters: { date_range: { start: '2026-03-01', end: '2026-03-31' }, ...filters },
    });

  it('a report without a team filter counts its own organization only, in JSON, CSV and PDF', async () => {
    const id = await report(A, {});
    const json = JSON.parse(await readFile((await runCustomReport(w.db.orm.em.fork(), id, 'json', w.dir, now)).path, 'utf8'));
    const byTitle = Object.fromEntries(json.widgets.map((w: { metric: string; type: string }, i: number) => [`${i}`, w]));
    expect(byTitle[0].value).toBe(3);
    expect(byTitle[1].value).toBe(13);
    expect(byTitle[2].items).toEqual([
      { label: 'amy-a', value: 11 },
      { label: 'abe-a', value: 2 },
    ]);
    expect(byTitle[3].items.map((i: { label: string }) => i.label).sort()).toEqual(['Go', 'TypeScript']);
    expect(byTitle[4].items.reduce((s: number, i: { value: number }) => s + i.value, 0)).toBe(3);
    expect(byTitle[5].value).toBe(1);
    noneOfB(JSON.stringify(json), 'JSON report');

    const csv = await readFile((await runCustomReport(w.db.orm.em.fork(), id, 'csv', w.dir, now)).path, 'utf8');
    expect(csv).toContain('amy-a');
    noneOfB(csv, 'CSV report');

    const parser = new PDFParse({ data: new Uint8Array(await readFile((await runCustomReport(w.db.orm.em.fork(), id, 'pdf', w.dir, now)).path)) });
    const { text } = await parser.getText();
    await parser.destroy();
    expect(text).toContain('amy-a');
    noneOfB(text, 'PDF report');

    // The same report for B sees B's numbers: the scoping is the organization, not a constant.
    const other = JSON.parse(await readFile((await runCustomReport(w.db.orm.em.fork(), await report(B, {}), 'json', w.dir, now)).path, 'utf8'));
    expect(other.widgets[0].value).toBe(2);
    expect(other.widgets[1].value).toBe(7777);
  });

  it("a report naming another organization's team or developer, or of no organization, is refused with a clear error", async () => {
    await expect(runCustomReport(w.db.orm.em.fork(), await report(A, { team_ids: [team.Beta] }), 'json', w.dir, now)).rejects.toThrow(
      `Report "Monthly" has filters outside its organization: team_ids: not teams of organization ${A}: ${team.Beta}`,
    );
    await expect(runCustomReport(w.db.orm.em.fork(), await report(A, { developer_ids: [dev['amy-a'], dev['bea-b']] }), 'json', w.dir, now)).rejects.toThrow(
      `developer_ids: not members of organization ${A}'s teams: ${dev['bea-b']}`,
    );
    await expect(runCustomReport(w.db.orm.em.fork(), await report(null, {}), 'json', w.dir, now)).rejects.toThrow(
      'Report "Monthly" belongs to no organization: set custom_reports.organization_id',
    );
    // Without organization_id, the creator's only organization is the report's.
    const byCreator = await runCustomReport(w.db.orm.em.fork(), await report(null, {}, dev['abe-a']), 'json', w.dir, now);
    expect(byCreator.data.report.organizationId).toBe(A);
    expect(byCreator.data.widgets[0]!.value).toBe(3);
  });

  /** Amy (of A) asking for an export of Bob's (of B) work: refused, naming him. */
  const bobRefusedToAmy = () =>
    expect(
      requestExport(w.db.orm.em.fork(), w.h.pool.producer, {
        exportType: 'commits',
        format: 'csv',
        requestedBy: dev['amy-a'],
        config: { developer_ids: [dev['bob-b']!] },
      }),
    ).rejects.toThrow(`config.developer_ids: not members of organization ${A}'s teams: ${dev['bob-b']}`);

  const exportOf = async (request: Parameters<typeof requestExport>[2]) => {
    const id = await requestExport(w.db.orm.em.fork(), w.h.pool.producer, request);
    const [job] = (await w.h.reader('exports').getJobs(['waiting', 'active', 'completed', 'failed', 'delayed'])).filter((j) => j.data.exportJobId === id);
    await w.h.settle(job!);
    return (await w.db.sql.query(`SELECT * FROM export_jobs WHERE id = $1`, [id])).rows[0];
  };

  it('exports of every type and format requested by a member of A hold A only, the counts of independent SQL', async () => {
    // Rows of A, counted independently: commits/PRs/reviews by A's members, A's developers, A's teams.
    // Deployments and incidents of A's repository: two deployments; the failure and the reported incident.
    const expected: Record<string, number> = {
      commits: 3,
      pull_requests: 1,
      code_reviews: 1,
      developers: 2,
      team_metrics: 1,
      learning_paths: 1,
      deployments: 2,
      incidents: 2,
      pr_lifecycle: 1,
      issues: 1,
    };
    for (const type of EXPORT_TYPES) {
      for (const format of ['csv', 'json'] as const) {
        const row = await exportOf({ exportType: type, format, requestedBy: dev['amy-a'], config: { date_range: { start: '2026-03-01', end: '2026-03-31' } } });
        expect(row.status, `${type}.${format}: ${row.error_message}`).toBe('completed');
        expect(row.config.organization_id).toBe(A);
        const text = await readFile(row.file_path, 'utf8');
        noneOfB(text, `${type}.${format}`);
        const rows = format === 'json' ? JSON.parse(text).length : text.trim().split('\n').length - 1;
        expect(rows, `${type}.${format}`).toBe(expected[type]);
      }
    }
    const delivery = async (type: 'deployments' | 'incidents') =>
      JSON.parse(await readFile((await exportOf({ exportType: type, format: 'json', config: { organization_id: A } })).file_path, 'utf8'));
    expect(await delivery('deployments')).toEqual([
      // The reported incident names no commit: it is the last successful deployment's before it opened.
      expect.objectContaining({ repository: 'acme/a-repo', deployment: 1, status: 'success', commits_shipped: 3, incidents: 1 }),
      expect.objectContaining({
        repository: 'acme/a-repo',
        deployment: 2,
        status: 'failure',
        failed_at: '2026-03-06T12:00:00Z',
        commits_shipped: null,
        incidents: 1,
      }),
    ]);
    expect(await delivery('incidents')).toEqual([
      expect.objectContaining({ kind: 'failed-deployment', reported_id: null, deployment: 2, opened_at: '2026-03-06T12:00:00Z', resolved_at: null }),
      expect.objectContaining({ kind: 'webhook', reported_id: 'A-1', title: 'Parser down', deployment: 1, hours_to_restore: null }),
    ]);
    const teamMetrics = JSON.parse(
      await readFile((await exportOf({ exportType: 'team_metrics', format: 'json', config: { organization_id: A } })).file_path, 'utf8'),
    );
    expect(teamMetrics).toEqual([expect.objectContaining({ team: 'Alpha', members: 2, commits: 3, additions: 13, prs_opened: 1, prs_merged: 1 })]);
  });

  it("the delivery and lifecycle numbers of one organization count none of the other's deployments, incidents or pull requests", async () => {
    const numbers = async (org: string) => {
      const m = await computeMetrics(
        w.db.sql,
        ['deployments', 'change_failure_rate', 'incidents', 'pickup_time', 'merged_without_review', 'issues_opened', 'bug_share'],
        {
          organization_id: org,
          date_range: { start: '2026-03-01', end: '2026-03-31' },
        },
      );
      return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.kind === 'scalar' ? v.value : null]));
    };
    // A: one success and one failure (attributed), the failure and the reported incident; its PR ready at 00:00, reviewed at 02:00.
    expect(await numbers(A)).toEqual({
      deployments: 1,
      change_failure_rate: 1,
      incidents: 2,
      pickup_time: 2,
      merged_without_review: 0,
      issues_opened: 1,
      bug_share: 1,
    });
    // B: one success with its reported incident; its PR reviewed at 03:00.
    expect(await numbers(B)).toEqual({
      deployments: 1,
      change_failure_rate: 1,
      incidents: 1,
      pickup_time: 3,
      merged_without_review: 0,
      issues_opened: 1,
      bug_share: 1,
    });
  });

  it("an export is refused without a single organization, for another organization's requester, and for another organization's report", async () => {
    await expect(requestExport(w.db.orm.em.fork(), w.h.pool.producer, { exportType: 'commits', format: 'csv' })).rejects.toThrow(
      'an export is of one organization: give requestedBy (its organization is used) or config.organization_id',
    );
    await expect(
      requestExport(w.db.orm.em.fork(), w.h.pool.producer, { exportType: 'commits', format: 'csv', requestedBy: dev['amy-a'], config: { organization_id: B } }),
    ).rejects.toThrow(`config.organization_id: the requester ${dev['amy-a']} is in no team of organization ${B}`);
    await expect(requestExport(w.db.orm.em.fork(), w.h.pool.producer, { exportType: 'commits', format: 'csv', requestedBy: dev['sam-ab'] })).rejects.toThrow(
      `requestedBy: developer ${dev['sam-ab']} is in no team of any organization`,
    );
    await expect(
      requestExport(w.db.orm.em.fork(), w.h.pool.producer, {
        exportType: 'commits',
        format: 'csv',
        requestedBy: dev['amy-a'],
        config: { team_ids: [team.Beta!] },
      }),
    ).rejects.toThrow(`config.team_ids: not teams of organization ${A}: ${team.Beta}`);
    await bobRefusedToAmy();
    // A developer in both organizations names the one the export is of.
    const both = [
      await w.rows.team({ name: 'Guests', organizationId: A, developerIds: [dev['sam-ab']!] }),
      await w.rows.team({ name: 'Guests', organizationId: B, developerIds: [dev['sam-ab']!] }),
    ];
    try {
      await expect(requestExport(w.db.orm.em.fork(), w.h.pool.producer, { exportType: 'commits', format: 'csv', requestedBy: dev['sam-ab'] })).rejects.toThrow(
        /the requester is in the teams of 2 organizations .*; name one/,
      );
      const chosen = await exportOf({ exportType: 'commits', format: 'json', requestedBy: dev['sam-ab'], config: { organization_id: B } });
      expect(JSON.parse(await readFile(chosen.file_path, 'utf8')).map((c: { developer: string }) => c.developer)).toEqual(['bea-b', 'bob-b']);
    } finally {
      await w.db.sql.query(`DELETE FROM teams WHERE id = ANY($1::uuid[])`, [both]);
    }
    // A row written straight into export_jobs for B's report by A's member fails, with the reason.
    const bReport = await report(B, {});
    const exportJobId = await w.rows.exportJob({ requested_by: dev['amy-a'], export_type: 'report', format: 'json', config: { report_id: bReport } });
    const job = await w.h.pool.producer.enqueue((await import('../src/jobs/index.js')).exportProcess, { exportJobId });
    await w.h.settle(job);
    const after = (await w.db.sql.query(`SELECT status, error_message, file_path FROM export_jobs WHERE id = $1`, [exportJobId])).rows[0];
    expect(after).toEqual({
      status: 'failed',
      error_message: 'Report "Monthly" belongs to another organization than the one it was requested for',
      file_path: null,
    });
  });

  it("notifications go to the organization's own workspace with its own numbers", async () => {
    await w.h.idle(['slack']); // the earlier exports' own notifications
    const before = slack.posted.length;
    // The weekly summary of Alpha: A's workspace, A's week (nothing of B's 7,777 lines).
    await w.db.sql.query(`UPDATE commits SET committed_at = now() - interval '1 day' WHERE sha LIKE 'a1%' OR sha LIKE 'b1%'`);
    try {
      const sent = await w.h.settle(await w.h.pool.producer.enqueue(slackNotify, { kind: 'weekly_team_summary', teamId: team.Alpha! }));
      expect(sent.failedReason).toBeUndefined();
      expect(sent.returnvalue, JSON.stringify(sent.returnvalue)).toMatchObject({ channel: 'C0AAA' });
      const exp = await exportOf({ exportType: 'developers', format: 'csv', requestedBy: dev['bea-b'] });
      await w.h.idle(['slack']);
      const posted = slack.posted.slice(before);
      const summary = posted.find((m) => JSON.stringify(m.blocks).includes('Alpha'))!;
      expect(summary.channel).toBe('C0AAA');
      // Its one commit of yesterday (nothing the week before); nothing of B's.
      expect(summary.text).toMatch(/^Alpha, \d{1,2} [^:]+ \d{4}: 1 commits \(\+1 from 0\), 0 PRs merged \(same\), 0 reviews \(same\)$/);
      noneOfB(JSON.stringify(summary), 'weekly summary of Alpha');
      // Export ready: to its requester alone, in her organization's workspace (the stand-in opens
      // direct messages with people of the token's own workspace only).
      const ready = posted.find((m) => m.text.startsWith('Export ready'))!;
      expect(slack.ims.get(ready.channel)).toBe('U0BEA');
      expect(exp.status).toBe('completed');
    } finally {
      await w.db.sql.query(`UPDATE commits SET committed_at = '2026-03-02T10:00:00Z' WHERE sha LIKE 'a1%'`);
      await w.db.sql.query(`UPDATE commits SET committed_at = '2026-03-02T11:00:00Z' WHERE sha LIKE 'b1%'`);
    }
  });

  it("a repository tracked for an organization through the producer API: its failing sync reaches that organization's digest only", async () => {
    const { repository, jobId } = await startTracking(w.db.orm.em.fork(), w.h.pool.producer, { repository: 'acme/vanished', organizationId: A });
    const sync = await w.h.settle((await w.h.reader('github-sync').getJob(jobId!))!);
    expect(sync.failedReason).toMatch(/404|Not Found|does not exist/i);
    const row = (await w.db.sql.query(`SELECT organization_id, last_error FROM tracked_repositories WHERE full_name = $1`, [repository])).rows[0];
    expect(row.organization_id).toBe(A);
    expect(row.last_error).toBeTruthy();
    const before = slack.posted.length;
    const digestA = await w.h.settle(await w.h.pool.producer.enqueue(slackNotify, { kind: 'sync_failure_digest', organizationId: A }));
    const digestB = await w.h.settle(await w.h.pool.producer.enqueue(slackNotify, { kind: 'sync_failure_digest', organizationId: B }));
    expect(digestA.returnvalue).toMatchObject({ channel: 'C0AAA' });
    expect(digestB.returnvalue).toEqual({ skipped: 'no failing repositories' });
    const posted = slack.posted.slice(before);
    expect(posted).toHaveLength(1);
    expect(JSON.stringify(posted[0]!.blocks)).toContain('acme/vanished');
  });

  it("an alert about a person reaches their own organization's leads only; a team's alert its own organization's channel", async () => {
    await w.h.idle(['slack']);
    slack.users.push(
      { id: 'U0ALEAD', team: 'T0AAA', email: 'lead@a.example', name: 'a-lead' },
      { id: 'U0BLEAD', team: 'T0BBB', email: 'lead@b.example', name: 'b-lead' },
    );
    await w.db.sql.query(`UPDATE slack_integrations SET notification_settings = $1 WHERE team_id = 'T0AAA'`, [{ team_leads: { [team.Alpha!]: ['U0ALEAD'] } }]);
    await w.db.sql.query(`UPDATE slack_integrations SET notification_settings = $1 WHERE team_id = 'T0BBB'`, [{ team_leads: { [team.Beta!]: ['U0BLEAD'] } }]);
    const insight = (column: 'developer_id' | 'team_id', id: string, type: string) => w.rows.insight({ [column]: id, type, riskScore: 0.9, ...ALERTABLE });
    const before = slack.posted.length;
    const amys = await insight('developer_id', dev['amy-a']!, 'burnout_risk');
    await w.rows.insert('predictive_insight_organizations', { insight_id: amys, organization_id: A });
    await w.h.settle(await w.h.pool.producer.enqueue(slackInsightAlert, { insightId: amys }));
    await w.h.settle(await w.h.pool.producer.enqueue(slackInsightAlert, { insightId: await insight('team_id', team.Beta!, 'bus_factor') }));
    const posted = slack.posted.slice(before);
    expect(posted.map((m) => slack.ims.get(m.channel) ?? m.channel)).toEqual(['U0ALEAD', 'C0BBB']);
    noneOfB(JSON.stringify(posted[0]), 'alert about amy');
    expect(JSON.stringify(posted[1])).not.toContain('amy-a');
  });

  it('a person in both organizations: each sees only the work in its own repositories, in every export, report, insight and Slack message', async () => {
    const sam = dev['sam-ab']!;
    const guests: Record<string, string> = {
      [A]: await w.rows.team({ name: 'Guests', organizationId: A, developerIds: [sam] }),
      [B]: await w.rows.team({ name: 'Guests', organizationId: B, developerIds: [sam] }),
    };
    const guestsOf = (org: string) => guests[org]!;
    // Sam's work: one commit in A's repository (3 lines of Rust), one in B's (4,000 lines of COBOL, its
    // text B's), a pull request in B's, a review in each, a learning path towards B's custom role.
    const commit = (sha: string, repo: string, add: number, lang: string, message: string, at: string) =>
      w.rows.commit({
        sha: sha.padEnd(40, '0'),
        developer_id: sam,
        repository_name: repo.split('/')[1],
        repository_full_name: repo,
        message,
        additions: add,
        deletions: 0,
        files_changed: 1,
        languages: { [lang]: add },
        committed_at: at,
      });
    await commit('5a', 'acme/a-repo', 3, 'Rust', 'sam in A', '2026-03-07T10:00:00Z');
    await commit('5b', 'bcorp/b-repo', 4000, 'COBOL', 'B-SECRET sam payroll', '2026-03-08T10:00:00Z');
    const samsPr = await pr(3, 'sam-ab', 'bcorp/b-repo', 'B-SECRET sam pull request');
    const prs = (await w.db.sql.query(`SELECT id, github_id::int AS gid FROM pull_requests WHERE github_id IN (1, 2)`)).rows;
    const prOf = (gid: number) => prs.find((p) => p.gid === gid)!.id;
    await w.rows.codeReview({ github_id: 21, pull_request_id: prOf(1), reviewer_id: sam, body: 'looks good', submitted_at: '2026-03-06T04:00:00Z' });
    await w.rows.codeReview({
      github_id: 22,
      pull_request_id: prOf(2),
      reviewer_id: sam,
      state: 'commented',
      body: 'B-SECRET review',
      submitted_at: '2026-03-06T04:30:00Z',
    });
    const bRole = await w.rows.insert('career_roles', { name: 'B-SECRET Role', level: 4, required_skills: {}, is_custom: true, organization_id: B });
    const path = await w.rows.insert('learning_paths', { developer_id: sam, target_role_id: bRole, started_at: '2026-03-11T00:00:00Z' });
    await w.rows.insert('learning_milestones', { learning_path_id: path, title: 'COBOL mastery', skill: 'cobol', target_level: 80 });
    void samsPr;
    // His profile is computed from all his work (B's COBOL included), and his last activity is in B.
    await w.db.sql.query(
      `UPDATE developers SET skills = ARRAY['COBOL', 'Rust'], seniority_level = 'senior', seniority_score = 70, last_activity_at = '2026-03-08T10:00:00Z' WHERE id = $1`,
      [sam],
    );

    // Exports of A: A's rows plus Sam's work in A's repository, nothing of his in B's (counted by hand).
    const expected: Record<string, number> = {
      commits: 4,
      pull_requests: 1,
      code_reviews: 2,
      developers: 3,
      team_metrics: 2,
      learning_paths: 1,
      deployments: 2,
      incidents: 2,
      pr_lifecycle: 1,
      issues: 1,
    };
    for (const type of EXPORT_TYPES) {
      for (const format of ['csv', 'json'] as const) {
        const row = await exportOf({
          exportType: type,
          format,
          requestedBy: sam,
          config: { organization_id: A, date_range: { start: '2026-03-01', end: '2026-03-31' } },
        });
        expect(row.status, `${type}.${format}: ${row.error_message}`).toBe('completed');
        const text = await readFile(row.file_path, 'utf8');
        noneOfB(text, `${type}.${format} of A requested by a person of both`);
        const rows = format === 'json' ? JSON.parse(text).length : text.trim().split('\n').length - 1;
        expect(rows, `${type}.${format}`).toBe(expected[type]);
      }
    }
    // In A's developers export his profile columns stay empty (they would tell A of B's work), his last activity is his latest in A.
    const people = JSON.parse(await readFile((await exportOf({ exportType: 'developers', format: 'json', config: { organization_id: A } })).file_path, 'utf8'));
    expect(people.find((p: { github_username: string }) => p.github_username === 'sam-ab')).toEqual({
      github_username: 'sam-ab',
      name: null,
      seniority_level: null,
      seniority_score: null,
      skills: null,
      last_activity_at: '2026-03-07T10:00:00Z',
    });
    const guestsMetrics = JSON.parse(
      await readFile(
        (await exportOf({ exportType: 'team_metrics', format: 'json', config: { organization_id: A, team_ids: [guestsOf(A)] } })).file_path,
        'utf8',
      ),
    );
    expect(guestsMetrics).toEqual([expect.objectContaining({ team: 'Guests', members: 1, commits: 1, additions: 3, prs_opened: 0 })]);
    // B's export of the same person holds his work in B's repository, and none of A's.
    const bCommits = JSON.parse(
      await readFile((await exportOf({ exportType: 'commits', format: 'json', config: { organization_id: B, developer_ids: [sam] } })).file_path, 'utf8'),
    );
    expect(bCommits.map((c: { message: string }) => c.message)).toEqual(['B-SECRET sam payroll']);

    // Reports of A, in every format: Sam counts 1 commit, 3 lines, 1 review there.
    const samReport = await report(A, { developer_ids: [sam] });
    const json = JSON.parse(await readFile((await runCustomReport(w.db.orm.em.fork(), samReport, 'json', w.dir, now)).path, 'utf8'));
    expect(json.widgets.map((w: { value?: number }) => w.value)).toEqual([1, 3, undefined, undefined, undefined, 1]);
    expect(json.widgets[2].items).toEqual([{ label: 'sam-ab', value: 3 }]);
    expect(json.widgets[3].items).toEqual([{ label: 'Rust', value: 3 }]);
    const whole = JSON.parse(await readFile((await runCustomReport(w.db.orm.em.fork(), await report(A, {}), 'json', w.dir, now)).path, 'utf8'));
    expect(whole.widgets[0].value).toBe(4);
    expect(whole.widgets[1].value).toBe(16);
    expect(whole.widgets[2].items).toContainEqual({ label: 'sam-ab', value: 3 });
    for (const format of ['json', 'csv', 'pdf'] as const) {
      const file = (await runCustomReport(w.db.orm.em.fork(), samReport, format, w.dir, now)).path;
      let text = await readFile(file, 'utf8');
      if (format === 'pdf') {
        const parser = new PDFParse({ data: new Uint8Array(await readFile(file)) });
        text = (await parser.getText()).text;
        await parser.destroy();
      }
      noneOfB(text, `${format} report of A about a person of both`);
    }

    // Insights: one per organization, each from its own repositories' work.
    await w.db.sql.query(`UPDATE commits SET committed_at = now() - interval '1 day' WHERE sha LIKE '5a%' OR sha LIKE '5b%'`);
    try {
      expect((await developerSignals(w.db.sql, sam, 30, new Date(), A)).commits).toBe(1);
      expect((await developerSignals(w.db.sql, sam, 30, new Date(), B)).commits).toBe(1);
      expect((await developerSignals(w.db.sql, sam, 30, new Date())).commits).toBe(2);
      const due = (await dueInsights(w.db.orm.em.fork(), 30)).filter((d) => d.developer_id === sam && d.insight_type === 'burnout_risk');
      expect(due.map((d) => d.organization_id).sort()).toEqual([A, B].sort());
      const unnamed = await w.h.settle(await w.h.pool.producer.enqueue(insightGenerate, { insightType: 'burnout_risk', developerId: sam }));
      expect(unnamed.failedReason).toMatch(/is in the teams of 2 organizations .*: give organizationId/);
      const forA = await w.h.settle(await w.h.pool.producer.enqueue(insightGenerate, { insightType: 'burnout_risk', developerId: sam, organizationId: A }));
      expect(forA.returnvalue).toMatchObject({ organizationId: A, cached: false });
      const stored = (
        await w.db.sql.query(
          `SELECT o.organization_id, pi.factors FROM predictive_insights pi JOIN predictive_insight_organizations o ON o.insight_id = pi.id WHERE pi.id = $1`,
          [forA.returnvalue.insightId],
        )
      ).rows[0];
      expect(stored.organization_id).toBe(A);
      noneOfB(JSON.stringify(stored.factors), 'insight of A');
      // The cache is per organization: B's is generated apart, A's is reused.
      const forB = await w.h.settle(await w.h.pool.producer.enqueue(insightGenerate, { insightType: 'burnout_risk', developerId: sam, organizationId: B }));
      expect(forB.returnvalue).toMatchObject({ organizationId: B, cached: false });
      const againA = await w.h.settle(await w.h.pool.producer.enqueue(insightGenerate, { insightType: 'burnout_risk', developerId: sam, organizationId: A }));
      expect(againA.returnvalue).toEqual({ insightId: forA.returnvalue.insightId, cached: true });

      // The weekly summary of A's Guests: Sam's one commit in A, nothing of B's.
      await w.h.idle(['slack']);
      const before = slack.posted.length;
      const sent = await w.h.settle(await w.h.pool.producer.enqueue(slackNotify, { kind: 'weekly_team_summary', teamId: guestsOf(A) }));
      expect(sent.returnvalue).toMatchObject({ channel: 'C0AAA' });
      const summary = slack.posted.slice(before).find((m) => m.text.startsWith('Guests'))!;
      expect(summary.text).toMatch(/^Guests, .*: 1 commits \(\+1 from 0\)/);
      noneOfB(JSON.stringify(summary), 'weekly summary of A');

      // An alert of A's insight goes to A's lead of Sam's team only, explained from A's work.
      await w.db.sql.query(`UPDATE slack_integrations SET notification_settings = $1 WHERE team_id = 'T0AAA'`, [
        { team_leads: { [guestsOf(A)]: ['U0ALEAD'] } },
      ]);
      await w.db.sql.query(`UPDATE slack_integrations SET notification_settings = $1 WHERE team_id = 'T0BBB'`, [
        { team_leads: { [guestsOf(B)]: ['U0BLEAD'] } },
      ]);
      const risky = await w.rows.insight({ developerId: sam, type: 'attrition_risk', riskScore: 0.9, organizationId: A, ...ALERTABLE });
      const mark = slack.posted.length;
      const alert = await w.h.settle(await w.h.pool.producer.enqueue(slackInsightAlert, { insightId: risky }));
      expect(Object.keys(alert.returnvalue)).toEqual([A]);
      const alerts = slack.posted.slice(mark);
      expect(alerts.map((m) => slack.ims.get(m.channel) ?? m.channel)).toEqual(['U0ALEAD']);
      noneOfB(JSON.stringify(alerts), 'alert of A about a person of both');
    } finally {
      await w.db.sql.query(`UPDATE commits SET committed_at = '2026-03-07T10:00:00Z' WHERE sha LIKE '5a%'`);
      await w.db.sql.query(`UPDATE commits SET committed_at = '2026-03-08T10:00:00Z' WHERE sha LIKE '5b%'`);
    }
  });

  it("a team's developer_ids holding a NULL does not open the check of who is outside the organization", async () => {
    await w.db.sql.query(`UPDATE teams SET developer_ids = array_append(developer_ids, NULL) WHERE id = $1`, [team.Alpha]);
    try {
      await bobRefusedToAmy();
    } finally {
      await w.db.sql.query(`UPDATE teams SET developer_ids = array_remove(developer_ids, NULL) WHERE id = $1`, [team.Alpha]);
    }
  });
});
