import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../src/crypto/secrets.js';
import { JiraStandIn, type JiraStandInIssue } from '../src/dev/jira-stand-in.js';
import { setIncidentMatches } from '../src/issues/index.js';
import { installJiraSite, mapJiraProject } from '../src/jira/index.js';
import { jiraGet } from '../src/jira/client.js';
import { jiraSync } from '../src/jobs/index.js';
import { computeMetrics } from '../src/metrics/index.js';
import { HOUR, percentile, scalar } from './helpers/by-hand.js';
import { runCliProcess } from './helpers/spawn.js';
import { useStandIn, useTestWorld } from './hooks.js';

/**
 * Jira Cloud issues through the Jira stand-in (REST v3 as Atlassian documents it): installing a site
 * checks its token, story points field and JQL; a sync reads every page of the JQL search with the
 * changelog, matches people by email, stores each issue and its transitions as the stand-in has them,
 * waits out a 429, and reads only what changed the next time; a revoked token or a site that answers
 * HTML fails with the reason.
 */
const ORG = 'ffffffff-0000-4000-8000-00000000000f';
const OTHER = 'aaaaaaaa-0000-4000-8000-0000000000aa';
const jiraTime = (iso: string) => iso.replace('Z', '.000+0000');
const AUGUST = { start: '2026-08-01T00:00:00Z', end: '2026-09-01T00:00:00Z' };

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
  const sync = async (id: string, organizationId = ORG) => w.h.settle(await w.h.pool.producer.enqueue(jiraSync, { organizationId }, { jobId: id }));
  const storedKeys = async (org = ORG) =>
    (await w.db.sql.query(`SELECT issue_key FROM issues WHERE source = 'jira' AND organization_id = $1 ORDER BY issue_key`, [org])).rows.map(
      (r) => r.issue_key,
    );

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
    const other = await computeMetrics(w.db.sql, ['issues_opened'], { organization_id: OTHER, date_range: AUGUST });
    expect(scalar(other.issues_opened)).toBe(0);
  });

  it('a changelog longer than a search embeds is read whole, page by page, from the issue’s own changelog', async () => {
    // 130 status changes a minute apart: the search embeds the 40 newest; the first move into progress is among the others.
    const at = (k: number) => new Date(Date.parse('2026-08-07T00:00:00Z') + k * 60_000).toISOString().replace('.000Z', '.000+0000');
    const moves = Array.from({ length: 130 }, (_, k) => ({
      at: at(k),
      from: k === 0 ? 'To Do' : k % 2 ? 'In Progress' : 'In Review',
      to: k % 2 ? 'In Review' : 'In Progress',
    }));
    jira.issues.push(issue(6, { status: 'In Review', created: jiraTime('2026-08-06T23:00:00Z'), updated: at(129), transitions: moves }));
    jira.requests.length = 0;
    const job = await sync('j-long');
    // PAY-5 again (the overlap, unchanged) and PAY-6.
    expect(job.returnvalue).toEqual({ fetched: 2, written: 1 });
    expect(jira.requests.filter((r) => r.path.endsWith('/changelog')).map((r) => [r.path, r.query.get('startAt')])).toEqual([
      ['/rest/api/3/issue/10006/changelog', '0'],
      ['/rest/api/3/issue/10006/changelog', '100'],
    ]);
    const { rows } = await w.db.sql.query(
      `SELECT t.at, t.from_status, t.to_status FROM issue_transitions t JOIN issues i ON i.id = t.issue_id WHERE i.issue_key = 'PAY-6' ORDER BY t.at`,
    );
    expect(rows).toEqual(moves.map((m) => ({ at: new Date(m.at.replace('.000+0000', 'Z')), from_status: m.from, to_status: m.to })));
    const { rows: six } = await w.db.sql.query(`SELECT started_at FROM issues WHERE issue_key = 'PAY-6'`);
    expect(six).toEqual([{ started_at: new Date('2026-08-07T00:00:00Z') }]);
  });

  it('an issue deleted in Jira is removed by the daily check against the site; one the search does not list yet but Jira has stays', async () => {
    jira.issues.splice(
      jira.issues.findIndex((i) => i.key === 'PAY-4'),
      1,
    );
    // Jira's search index lags behind: PAY-3 is not listed, yet GET /issue/10003 has it.
    jira.unlisted.add('10003');
    jira.requests.length = 0;
    // Less than JIRA_RECONCILE_HOURS since the first sync read everything: no check.
    expect((await sync('j-del-0')).returnvalue).toEqual({ fetched: 1, written: 0 });
    expect(jira.requests.map((r) => r.path)).toEqual(['/rest/api/3/status', '/rest/api/3/search/jql']);
    expect(await storedKeys()).toContain('PAY-4');

    await w.db.sql.query(`UPDATE jira_sites SET reconciled_at = now() - interval '25 hours'`);
    jira.requests.length = 0;
    const job = await sync('j-del-1');
    expect(job.returnvalue).toEqual({ fetched: 1, written: 0, deleted: 1 });
    expect(jira.requests.slice(2).map((r) => [r.path, r.query.get('jql'), r.query.get('fields'), r.status])).toEqual([
      ['/rest/api/3/search/jql', 'project in ("PAY")', 'id', 200],
      ['/rest/api/3/issue/10003', null, 'updated', 200],
      ['/rest/api/3/issue/10004', null, 'updated', 404],
    ]);
    expect(await storedKeys()).toEqual(jira.issues.map((i) => i.key).sort());
    const { rows } = await w.db.sql.query(
      `SELECT (SELECT count(*)::int FROM issue_transitions t WHERE NOT EXISTS (SELECT 1 FROM issues i WHERE i.id = t.issue_id)) AS orphans,
              (SELECT reconciled_at > now() - interval '1 minute' FROM jira_sites) AS checked`,
    );
    expect(rows).toEqual([{ orphans: 0, checked: true }]);
    jira.unlisted.clear();
  });

  it('a Jira incident is one of the repository its project is mapped to, attributed to the deployment live when it opened; the organization says what an incident is', async () => {
    const REPO = 'acme/payments';
    await w.rows.trackedRepository({ fullName: REPO, organizationId: ORG });
    await w.rows.trackedRepository({ fullName: 'bcorp/ledger', organizationId: OTHER });
    await w.rows.insert('deployment_settings', { repository_full_name: REPO, chosen_source: 'deployments-api' });
    for (const [id, day] of [
      [1, '07-31'],
      [2, '08-02'],
    ] as const)
      await w.rows.insert('deployments', {
        repository_full_name: REPO,
        source: 'deployments-api',
        external_id: id,
        environment: 'production',
        is_production: true,
        sha: String(id).repeat(40),
        status: 'success',
        created_at: `2026-${day}T10:00:00Z`,
        succeeded_at: `2026-${day}T10:00:00Z`,
        finished_at: `2026-${day}T10:00:00Z`,
      });
    const incidents = async () =>
      (
        await w.db.sql.query(
          `SELECT i.repository_full_name, i.title, d.external_id::int AS deployment, i.opened_at, i.resolved_at
             FROM delivery_incidents i LEFT JOIN deployments d ON d.id = i.deployment_id WHERE i.kind = 'issue'`,
        )
      ).rows;
    const counted = async (org: string) => scalar((await computeMetrics(w.db.sql, ['incidents'], { organization_id: org, date_range: AUGUST })).incidents);
    // A project without a repository: no deployment to attribute to, no incident.
    expect(await incidents()).toEqual([]);
    const em = () => w.db.orm.em.fork();
    await expect(mapJiraProject(em(), ORG, 'PAY', 'bcorp/ledger')).rejects.toThrow(`bcorp/ledger is not a repository of organization ${ORG}`);
    await expect(mapJiraProject(em(), ORG, 'pay', REPO)).rejects.toThrow('"pay" is no Jira project key');
    await mapJiraProject(em(), ORG, 'PAY', 'ACME/Payments');
    // PAY-5 (type Incident) opened 08-01 09:00: deployment 1 (07-31) was live, deployment 2 came after.
    const pay5 = { repository_full_name: REPO, title: 'Issue 5', deployment: 1, opened_at: new Date('2026-08-01T09:00:00Z'), resolved_at: null };
    expect(await incidents()).toEqual([pay5]);
    expect([await counted(ORG), await counted(OTHER)]).toEqual([1, 0]);

    // The organization's own terms replace the default: PAY-1 (a Bug) is one, PAY-5 no longer.
    await setIncidentMatches(em(), ORG, ['Bug']);
    expect((await incidents()).map((r) => r.title)).toEqual(['Issue 1']);
    await expect(setIncidentMatches(em(), ORG, ['x'.repeat(101)])).rejects.toThrow('must be an issue type or label of 1 to 100 characters');
    expect((await incidents()).map((r) => r.title)).toEqual(['Issue 1']);
    await setIncidentMatches(em(), ORG, null);
    expect(await incidents()).toEqual([pay5]);

    // A mapping to another organization's repository written behind the service's back reaches nothing.
    await w.db.sql.query(`UPDATE jira_project_repositories SET repository_full_name = 'bcorp/ledger'`);
    expect(await incidents()).toEqual([]);
    expect([await counted(ORG), await counted(OTHER)]).toEqual([0, 0]);
    await mapJiraProject(em(), ORG, 'PAY', REPO);
  });

  it('aexy jira projects and aexy issues categories|incidents show and set the settings; what is not a key, a category or a term is refused, nothing changed', async () => {
    const env = { DATABASE_URL: w.db.url, REDIS_URL: w.config.REDIS_URL, QUEUE_PREFIX: w.config.QUEUE_PREFIX, LOG_LEVEL: 'silent' };
    const projects = await runCliProcess(['jira', 'projects', '--organization', ORG], env);
    expect([projects.code, projects.stdout]).toEqual([0, expect.stringMatching(/'PAY'.*│ 5 .*'acme\/payments'/)]);
    const set = await runCliProcess(['issues', 'categories', '--organization', ORG, '--set', 'Customer Request=feature', '--set', 'bug=other'], env);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/'customer request'.*'feature'.*'organization'/);
    expect(set.stdout).toMatch(/'bug'.*'other'.*'organization'/);
    expect(set.stdout).toMatch(/'defect'.*'bug'.*'default'/);
    const refused = await runCliProcess(['issues', 'categories', '--organization', ORG, '--set', 'chore=later'], env);
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('"later" is no category (bug, feature, tech debt, operations, other)')]);
    const unset = await runCliProcess(['issues', 'categories', '--organization', ORG, '--unset', 'bug', '--unset', 'customer request'], env);
    expect(unset.stdout).toMatch(/'bug'.*'bug'.*'default'/);
    expect((await w.db.sql.query(`SELECT count(*)::int AS n FROM issue_category_mappings`)).rows[0]!.n).toBe(0);
    const incidents = await runCliProcess(['issues', 'incidents', '--organization', ORG, '--match', 'Sev1', '--match', 'type: incident'], env);
    expect(incidents.stdout).toContain(`issues of organization ${ORG} whose type or a label is incident, sev1 are incidents`);
    const empty = await runCliProcess(['issues', 'incidents', '--organization', ORG, '--match', ' '], env);
    expect([empty.code, empty.stderr]).toEqual([1, expect.stringContaining('incident match: " " must be an issue type or label of 1 to 100 characters')]);
    const notOrg = await runCliProcess(['issues', 'incidents', '--organization', 'acme'], env);
    expect([notOrg.code, notOrg.stderr]).toEqual([1, expect.stringContaining('organization: "acme" must be an organization UUID')]);
    const reset = await runCliProcess(['issues', 'incidents', '--organization', ORG, '--default'], env);
    expect(reset.stdout).toContain('whose type or a label is incident (the default) are incidents');
    expect((await w.db.sql.query(`SELECT count(*)::int AS n FROM issue_incident_matches`)).rows[0]!.n).toBe(0);
  }, 60_000);

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

  it('two organizations whose sites have the same issue ids and keys each keep their own issues', async () => {
    const theirs = await new JiraStandIn().start();
    try {
      theirs.issues.push(issue(1, { summary: 'Their first issue', reporter: null }));
      await installJiraSite(w.db.orm.em.fork(), ring(), { organizationId: OTHER, baseUrl: theirs.url, email: theirs.email, token: theirs.token });
      expect((await sync('j-other', OTHER)).returnvalue).toEqual({ fetched: 1, written: 1 });
      const { rows } = await w.db.sql.query(`SELECT organization_id, title FROM issues WHERE issue_key = 'PAY-1' ORDER BY title`);
      expect(rows).toEqual([
        { organization_id: ORG, title: 'Issue 1' },
        { organization_id: OTHER, title: 'Their first issue' },
      ]);
      const opened = async (org: string) =>
        scalar((await computeMetrics(w.db.sql, ['issues_opened'], { organization_id: org, date_range: AUGUST })).issues_opened);
      expect([await opened(ORG), await opened(OTHER)]).toEqual([(await storedKeys()).length, 1]);
    } finally {
      await theirs.stop();
    }
  });
});
