import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../src/crypto/secrets.js';
import { JiraStandIn, type JiraStandInIssue } from '../src/dev/jira-stand-in.js';
import { installJiraSite } from '../src/jira/index.js';
import { jiraGet } from '../src/jira/client.js';
import { jiraSync } from '../src/jobs/index.js';
import { computeMetrics } from '../src/metrics/index.js';
import { HOUR, percentile, scalar } from './helpers/by-hand.js';
import { useStandIn, useTestWorld } from './hooks.js';

/**
 * Jira Cloud issues through the Jira stand-in (REST v3 as Atlassian documents it): installing a site
 * checks its token, story points field and JQL; a sync reads every page of the JQL search with the
 * changelog, matches people by email, stores each issue and its transitions as the stand-in has them,
 * waits out a 429, and reads only what changed the next time; a revoked token or a site that answers
 * HTML fails with the reason.
 */
const ORG = 'ffffffff-0000-4000-8000-00000000000f';
const jiraTime = (iso: string) => iso.replace('Z', '.000+0000');

describe('Jira issues', () => {
  let jira: JiraStandIn;
  useStandIn(async () => (jira = await new JiraStandIn().start()));
  const w = useTestWorld({ harness: true, settings: { ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}` } });
  const ring = () => new KeyRing(w.config.ENCRYPTION_KEYS!);
  let kim: string;
  const issue = (n: number, fields: Partial<JiraStandInIssue>): JiraStandInIssue => ({
    id: String(10_000 + n),
    key: `PAY-${n}`,
    summary: `Issue ${n}`,
    type: 'Story',
    status: 'To Do',
    priority: 'Medium',
    labels: [],
    reporter: { accountId: 'kim', displayName: 'Kim', emailAddress: 'kim@acme.example' },
    assignee: null,
    created: jiraTime('2026-08-01T09:00:00Z'),
    updated: jiraTime('2026-08-01T09:00:00Z'),
    resolutiondate: null,
    transitions: [],
    ...fields,
  });
  const sync = async (id: string) => {
    const job = await w.h.settle(await w.h.pool.producer.enqueue(jiraSync, { organizationId: ORG }, { jobId: id }));
    return job;
  };

  beforeAll(async () => {
    kim = await w.rows.developer({ login: 'kim' });
    await w.rows.insert('developer_identities', { email: 'kim@acme.example', developer_id: kim, source: 'jira', confidence: 100 });
    jira.pageSize = 2;
    jira.issues.push(
      issue(1, {
        type: 'Bug',
        status: 'Done',
        storyPoints: 3,
        assignee: { accountId: 'kim', displayName: 'Kim', emailAddress: 'KIM@acme.example' },
        updated: jiraTime('2026-08-03T12:00:00Z'),
        resolutiondate: jiraTime('2026-08-03T12:00:00Z'),
        transitions: [
          { at: jiraTime('2026-08-02T09:00:00Z'), from: 'To Do', to: 'In Progress' },
          { at: jiraTime('2026-08-03T09:00:00Z'), from: 'In Progress', to: 'In Review' },
          { at: jiraTime('2026-08-03T12:00:00Z'), from: 'In Review', to: 'Done' },
        ],
      }),
      // An assignee whose email nobody has: no one.
      issue(2, {
        status: 'In Progress',
        assignee: { accountId: 'x', displayName: 'Stranger', emailAddress: 'who@else.example' },
        updated: jiraTime('2026-08-02T10:00:00Z'),
        transitions: [{ at: jiraTime('2026-08-02T10:00:00Z'), from: 'To Do', to: 'In Progress' }],
      }),
      issue(3, {
        type: 'Task',
        status: 'Done',
        updated: jiraTime('2026-08-05T09:00:00Z'),
        resolutiondate: jiraTime('2026-08-05T09:00:00Z'),
        created: jiraTime('2026-08-01T10:00:00Z'),
        transitions: [
          { at: jiraTime('2026-08-04T09:00:00Z'), from: 'To Do', to: 'In Progress' },
          { at: jiraTime('2026-08-05T09:00:00Z'), from: 'In Progress', to: 'Done' },
        ],
      }),
      issue(4, { reporter: null, updated: jiraTime('2026-08-01T09:30:00Z') }),
      issue(5, { type: 'Incident', updated: jiraTime('2026-08-06T09:00:00Z') }),
    );
  });

  it('installing refuses a wrong token, a field the site does not have, a JQL it cannot run and a site that answers HTML: each named, nothing stored', async () => {
    const em = () => w.db.orm.em.fork();
    const base = { organizationId: ORG, baseUrl: jira.url, email: jira.email, token: jira.token };
    await expect(installJiraSite(em(), ring(), { ...base, token: 'wrong-token-123' })).rejects.toThrow(
      'refused the credentials (401): the API token is wrong or revoked',
    );
    await expect(installJiraSite(em(), ring(), { ...base, storyPointsField: 'customfield_99999' })).rejects.toThrow(
      `jira site: storyPointsField: customfield_99999 is no field of ${jira.url}`,
    );
    await expect(installJiraSite(em(), ring(), { ...base, jql: 'project = PAY AND (' })).rejects.toThrow('answered 400: Error in the JQL Query');
    await expect(installJiraSite(em(), ring(), { ...base, baseUrl: 'ftp://jira.example' })).rejects.toThrow('baseUrl: must be an https URL');
    jira.html = true;
    await expect(installJiraSite(em(), ring(), base)).rejects.toThrow(`answered text/html, not JSON: is ${jira.url} a Jira Cloud site?`);
    jira.html = false;
    expect((await w.db.sql.query(`SELECT count(*)::int AS n FROM jira_sites`)).rows[0]!.n).toBe(0);
    expect(await installJiraSite(em(), ring(), { ...base, storyPointsField: jira.storyPointsField })).toEqual({ baseUrl: jira.url, account: 'Bot' });
    const { rows } = await w.db.sql.query(`SELECT api_token FROM jira_sites`);
    expect(rows[0]!.api_token).not.toContain(jira.token);
    expect(ring().decrypt(rows[0]!.api_token)).toBe(jira.token);
  });

  it('a first sync reads every page (a 429 waited out), stores each issue and its transitions as Jira has them, people matched by email', async () => {
    jira.rateLimitOnce = true;
    jira.requests.length = 0;
    const job = await sync('j-1');
    expect(job.failedReason).toBeUndefined();
    expect(job.returnvalue).toEqual({ fetched: 5, written: 5 });
    const searches = jira.requests.filter((r) => r.path === '/rest/api/3/search/jql');
    // The 429, then three pages of two.
    expect(searches.map((r) => [r.status, r.query.get('nextPageToken')])).toEqual([
      [429, null],
      [200, null],
      [200, '2'],
      [200, '4'],
    ]);
    const { rows } = await w.db.sql.query(
      `SELECT issue_key, project_key, issue_type, state, state_reason, story_points::float AS points, developer_id, assignee_ids, started_at, resolved_at
         FROM issues WHERE source = 'jira' ORDER BY issue_key`,
    );
    expect(rows).toEqual([
      {
        issue_key: 'PAY-1',
        project_key: 'PAY',
        issue_type: 'Bug',
        state: 'closed',
        state_reason: 'Done',
        points: 3,
        developer_id: kim,
        assignee_ids: [kim],
        started_at: new Date('2026-08-02T09:00:00Z'),
        resolved_at: new Date('2026-08-03T12:00:00Z'),
      },
      {
        issue_key: 'PAY-2',
        project_key: 'PAY',
        issue_type: 'Story',
        state: 'open',
        state_reason: 'In Progress',
        points: null,
        developer_id: kim,
        assignee_ids: [],
        started_at: new Date('2026-08-02T10:00:00Z'),
        resolved_at: null,
      },
      {
        issue_key: 'PAY-3',
        project_key: 'PAY',
        issue_type: 'Task',
        state: 'closed',
        state_reason: 'Done',
        points: null,
        developer_id: kim,
        assignee_ids: [],
        started_at: new Date('2026-08-04T09:00:00Z'),
        resolved_at: new Date('2026-08-05T09:00:00Z'),
      },
      {
        issue_key: 'PAY-4',
        project_key: 'PAY',
        issue_type: 'Story',
        state: 'open',
        state_reason: 'To Do',
        points: null,
        developer_id: null,
        assignee_ids: [],
        started_at: null,
        resolved_at: null,
      },
      {
        issue_key: 'PAY-5',
        project_key: 'PAY',
        issue_type: 'Incident',
        state: 'open',
        state_reason: 'To Do',
        points: null,
        developer_id: kim,
        assignee_ids: [],
        started_at: null,
        resolved_at: null,
      },
    ]);
    const { rows: moves } = await w.db.sql.query(
      `SELECT t.from_status, t.to_status, t.status_category FROM issue_transitions t JOIN issues i ON i.id = t.issue_id WHERE i.issue_key = 'PAY-1' ORDER BY t.at`,
    );
    expect(moves).toEqual([
      { from_status: 'To Do', to_status: 'In Progress', status_category: 'indeterminate' },
      { from_status: 'In Progress', to_status: 'In Review', status_category: 'indeterminate' },
      { from_status: 'In Review', to_status: 'Done', status_category: 'done' },
    ]);
  });

  it('the next sync asks only for what changed since (one page, nothing written when nothing changed), and the cycle time starts at the first move into progress', async () => {
    jira.requests.length = 0;
    const job = await sync('j-2');
    // The overlap reads the newest again; unchanged, it is not written.
    expect(job.returnvalue).toEqual({ fetched: 1, written: 0 });
    const jql = jira.requests.find((r) => r.path === '/rest/api/3/search/jql')!.query.get('jql');
    // The newest update read (08-06 09:00) minus the 5-minute overlap.
    expect(jql).toBe('updated >= "2026-08-06 08:55" ORDER BY updated ASC');
    const m = await computeMetrics(w.db.sql, ['issues_opened', 'issues_resolved', 'issue_cycle_time', 'bug_share'], {
      organization_id: ORG,
      date_range: { start: '2026-08-01T00:00:00Z', end: '2026-09-01T00:00:00Z' },
    });
    // PAY-1: 08-02 09:00 → 08-03 12:00 (27 h); PAY-3: 08-04 09:00 → 08-05 09:00 (24 h).
    expect([scalar(m.issues_opened), scalar(m.issues_resolved), scalar(m.issue_cycle_time), scalar(m.bug_share)]).toEqual([
      5,
      2,
      percentile([27, 24], 0.5),
      0.2,
    ]);
    expect((new Date('2026-08-03T12:00:00Z').getTime() - new Date('2026-08-02T09:00:00Z').getTime()) / HOUR).toBe(27);
    // Another organization sees none of them.
    const other = await computeMetrics(w.db.sql, ['issues_opened'], {
      organization_id: 'aaaaaaaa-0000-4000-8000-0000000000aa',
      date_range: { start: '2026-08-01T00:00:00Z', end: '2026-09-01T00:00:00Z' },
    });
    expect(scalar(other.issues_opened)).toBe(0);
  });

  it('a revoked token fails the sync with the reason, recorded on the site; nothing is lost', async () => {
    jira.token = 'rotated-token-987654';
    const job = await sync('j-3');
    expect(job.failedReason).toContain('refused the credentials (401)');
    expect(job.failedReason).not.toContain('jira-token-0123456789');
    expect(job.attemptsMade).toBe(1);
    const { rows } = await w.db.sql.query(`SELECT last_error, (SELECT count(*)::int FROM issues WHERE source = 'jira') AS issues FROM jira_sites`);
    expect(rows).toEqual([{ last_error: expect.stringContaining('the API token is wrong or revoked'), issues: 5 }]);
  });

  it('a site that does not answer in time is a transient failure (retried), never a wait for ever', async () => {
    jira.delayMs = 1_000;
    await expect(jiraGet({ baseUrl: jira.url, email: jira.email, token: jira.token, timeoutMs: 100 }, 'rest/api/3/myself')).rejects.toThrow(
      expect.objectContaining({ name: 'TransientError', message: expect.stringContaining('no answer in 100 ms') }),
    );
  });
});
