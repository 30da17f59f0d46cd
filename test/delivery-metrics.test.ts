import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBoardServer } from '../src/board/server.js';
import type { StandInDeployment } from '../src/dev/github-fixture-types.js';
import { githubSyncRepo } from '../src/jobs/index.js';
import { createLogger } from '../src/lib/logger.js';
import { computeMetrics } from '../src/metrics/index.js';
import { HOUR, percentile, round, scalar } from './helpers/by-hand.js';
import { doraLevelName, doraLevels, overallDoraLevel } from '../src/metrics/dora.js';
import { runCustomReport } from '../src/reports/index.js';
import { reportEmail } from '../src/reports/email.js';
import { runCliProcess } from './helpers/spawn.js';
import { useGitHubWorld, useTestWorld } from './hooks.js';

/**
 * The four DORA numbers on a real git history with its deployments served by the GitHub stand-in:
 * a success, a failure fixed by the next deployment, a deployment to staging, a bot's commit, a bad
 * change reverted with `git revert`'s own line, a redeploy, and an incident reported through the
 * signed webhook. Every expected value is computed here from git's output (`git rev-list`,
 * `git log`) and the stand-in's statuses, for the organization (one repository), for each team, and
 * never counting another organization's deployments.
 */
const ORG = 'aaaaaaaa-0000-4000-8000-00000000000a';
const OTHER = 'bbbbbbbb-0000-4000-8000-00000000000b';
const REPO = 'acme/shop';
const SECRET = 'incident-secret-0123456789';
const WINDOW = { date_range: { start: '2026-05-01T00:00:00Z', end: '2026-06-01T00:00:00Z' } };
const DAYS = 31;

const ann = { name: 'Ann', email: 'ann@acme.example' };
const bo = { name: 'Bo', email: 'bo@acme.example' };
const bot = { name: 'dependabot[bot]', email: '49699333+dependabot[bot]@users.noreply.github.com' };

describe('DORA metrics from deployments, git and incidents', () => {
  const w = useGitHubWorld({
    settings: (_gh, repo) => ({
      GITHUB_COMMITS_FROM: 'git',
      GIT_MIRROR_DIR: join(repo.root, 'mirrors'),
      GITHUB_SYNC_INITIAL_DAYS: '0',
      BOARD_AUTH_DISABLED: 'true',
      INCIDENT_WEBHOOK_SECRET: SECRET,
    }),
  });
  let app: FastifyInstance;
  const sha: Record<string, string> = {};
  const deployments: StandInDeployment[] = [];
  const team: Record<string, string> = {};

  /** A deployment created at 10:00 of a May day, each status an hour after the one before. */
  const deploy = (id: number, at: string, environment: string, day: string, states: StandInDeployment['statuses'][number]['state'][]) =>
    deployments.push({
      id,
      sha: at,
      ref: 'main',
      environment,
      created_at: `2026-05-${day}T10:00:00Z`,
      statuses: states.map((state, k) => ({ id: id * 10 + k, state, created_at: `2026-05-${day}T1${k + 1}:00:00Z` })),
    });

  const post = async (body: unknown, signature?: string) => {
    const text = JSON.stringify(body);
    return app.inject({
      method: 'POST',
      url: '/webhooks/incidents',
      headers: { 'content-type': 'application/json', 'x-aexy-signature-256': signature ?? (await sign(SECRET, text)) },
      payload: text,
    });
  };

  beforeAll(async () => {
    // The fixture's teams are smaller than the default group size (3): their numbers are shown here (withholding is policy.test.ts's).
    for (const org of [ORG, OTHER]) await w.rows.insert('organization_policies', { organization_id: org, min_group_size: 1 });
    sha.c1 = w.repo.commit(ann, '2026-05-01T09:00:00Z', 'one');
    w.repo.write('two.txt', '2');
    sha.c2 = w.repo.commit(ann, '2026-05-02T09:00:00Z', 'two');
    w.repo.write('three.txt', '3');
    sha.c3 = w.repo.commit(bo, '2026-05-02T09:30:00Z', 'three');
    w.repo.write('package.json', '{"left-pad": "2"}');
    sha.b1 = w.repo.commit(bot, '2026-05-02T09:45:00Z', 'Bump left-pad');
    w.repo.write('bad.txt', 'bad');
    sha.c4 = w.repo.commit(bo, '2026-05-05T09:00:00Z', 'bad change');
    w.repo.git('rm', '-q', 'bad.txt');
    // git revert's own message.
    sha.c5 = w.repo.commit(ann, '2026-05-07T09:00:00Z', `Revert "bad change"\n\nThis reverts commit ${sha.c4}.`);
    w.repo.push();
    // GitHub links each email to its account.
    const accounts = [
      [ann.email, { id: 701, login: 'ann-gh' }],
      [bo.email, { id: 702, login: 'bo-gh' }],
      [bot.email, { id: 49699333, login: 'dependabot[bot]', type: 'Bot' }],
    ] as const;
    for (const [email, user] of accounts) {
      w.gh.users.set(user.login, user);
      w.gh.emails.set(email, user);
    }

    deploy(1, sha.c1, 'production', '01', ['in_progress', 'success']);
    deploy(2, sha.b1, 'production', '03', ['in_progress', 'failure']);
    deploy(3, sha.b1, 'staging', '03', ['success']);
    deploy(4, sha.b1, 'production', '04', ['success']);
    deploy(5, sha.c4, 'production', '06', ['success']);
    deploy(6, sha.c5, 'production', '08', ['success']);
    deploy(7, sha.c5, 'production', '09', ['success']); // a redeploy
    w.gh.repos.set(REPO, { commits: [], pulls: [], git: w.repo.bare, deployments });
    await w.rows.trackedRepository({ fullName: REPO, organizationId: ORG });
    // A second repository of the organization, with no deployments.
    await w.rows.trackedRepository({ fullName: 'acme/docs', organizationId: ORG });

    const job = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['commits', 'pulls', 'deployments'] }));
    expect(job.failedReason).toBeUndefined();
    await w.h.idle(['github-sync', 'profiles']);
    const authors = await w.db.sql.query<{ sha: string; developer_id: string }>(`SELECT sha, developer_id FROM commits`);
    const devOf = (s: string) => authors.rows.find((r) => r.sha === s)!.developer_id;
    expect(new Set([devOf(sha.c1), devOf(sha.c3), devOf(sha.b1)]).size).toBe(3);
    team.ann = await w.rows.team({ name: 'Storefront', organizationId: ORG, developerIds: [devOf(sha.c1)] });
    team.bo = await w.rows.team({ name: 'Payments', organizationId: ORG, developerIds: [devOf(sha.c3)] });

    // Another organization's repository, deploying and failing in the same month: never counted for ORG.
    await w.rows.trackedRepository({ fullName: 'bcorp/ledger', organizationId: OTHER });
    await w.rows.insert('deployment_settings', { repository_full_name: 'bcorp/ledger', chosen_source: 'deployments-api' });
    for (const [id, failed] of [
      [1, false],
      [2, true],
      [3, false],
    ] as const)
      await w.rows.insert('deployments', {
        repository_full_name: 'bcorp/ledger',
        source: 'deployments-api',
        external_id: id,
        environment: 'production',
        is_production: true,
        sha: 'b'.repeat(40),
        status: failed ? 'failure' : 'success',
        created_at: `2026-05-1${id}T10:00:00Z`,
        succeeded_at: failed ? null : `2026-05-1${id}T11:00:00Z`,
        finished_at: `2026-05-1${id}T11:00:00Z`,
        failed_at: failed ? `2026-05-1${id}T11:00:00Z` : null,
      });

    app = await buildBoardServer({ config: w.config, orm: w.db.orm, log: createLogger('silent') });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('the incident webhook records a signed incident once, refuses a bad signature or body, and names what is wrong', async () => {
    const incident = { id: 'PD-1', repository: 'ACME/shop', title: 'Checkout errors', sha: sha.c3, opened_at: '2026-05-05T00:00:00Z', resolved_at: null };
    expect((await post(incident, `sha256=${'0'.repeat(64)}`)).statusCode).toBe(401);
    const unsigned = await app.inject({ method: 'POST', url: '/webhooks/incidents', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(unsigned.json()).toEqual({ error: 'missing or malformed X-Aexy-Signature-256' });
    const bad = await post({ id: 'PD-1', repository: 'acme', opened_at: 'yesterday', sha: 'xyz' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe(
      'incident: repository: must be owner/name; opened_at: must be an ISO-8601 timestamp with a time zone; sha: must be a 40-hex commit sha',
    );
    const backwards = await post({ ...incident, resolved_at: '2026-05-04T00:00:00Z' });
    expect(backwards.json().error).toBe('incident: resolved_at: must not be before opened_at');
    expect((await post({ ...incident, repository: 'acme/unknown' })).statusCode).toBe(422);
    expect((await w.db.sql.query(`SELECT count(*)::int AS n FROM incidents`)).rows[0]!.n).toBe(0);

    const first = await post(incident);
    expect([first.statusCode, first.json()]).toEqual([201, { repository: REPO, outcome: 'created' }]);
    expect((await post(incident)).json()).toEqual({ repository: REPO, outcome: 'unchanged' });
    // Resolved: the same id again, updated.
    const resolved = await post({ ...incident, resolved_at: '2026-05-05T02:30:00Z' });
    expect([resolved.statusCode, resolved.json().outcome]).toEqual([200, 'updated']);
    expect((await w.db.sql.query(`SELECT external_id, repository_full_name, resolved_at FROM incidents`)).rows).toEqual([
      { external_id: 'PD-1', repository_full_name: REPO, resolved_at: new Date('2026-05-05T02:30:00Z') },
    ]);
  });

  it('every incident is attributed to the deployment git says brought it: the failure, the revert, the reported one', async () => {
    const { rows } = await w.db.sql.query(
      `SELECT i.kind, d.external_id::int AS deployment, i.opened_at, i.resolved_at FROM delivery_incidents i JOIN deployments d ON d.id = i.deployment_id
        WHERE i.repository_full_name = $1 ORDER BY i.opened_at`,
      [REPO],
    );
    expect(rows).toEqual([
      // Deployment 2 failed; deployment 4 was the next success.
      { kind: 'failed-deployment', deployment: 2, opened_at: new Date('2026-05-03T12:00:00Z'), resolved_at: new Date('2026-05-04T11:00:00Z') },
      // The reported incident names c3, which deployment 4 shipped first.
      { kind: 'webhook', deployment: 4, opened_at: new Date('2026-05-05T00:00:00Z'), resolved_at: new Date('2026-05-05T02:30:00Z') },
      // c4 went live with deployment 5; its revert went live with deployment 6.
      { kind: 'revert', deployment: 5, opened_at: new Date('2026-05-06T11:00:00Z'), resolved_at: new Date('2026-05-08T11:00:00Z') },
    ]);
  });

  it('the CLI lists the incidents with their deployments, and records one as the webhook does', async () => {
    const env = { DATABASE_URL: w.db.url, LOG_LEVEL: 'silent' };
    const list = await runCliProcess(['incidents', 'list', '--repository', REPO], env);
    expect(list.code).toBe(0);
    for (const text of ['failed-deployment', 'deployments-api 2', 'revert', 'reverted: bad change', 'webhook', 'Checkout errors', 'deployments-api 4'])
      expect(list.stdout).toContain(text);
    const file = join(w.dir, 'incident.json');
    writeFileSync(file, JSON.stringify({ id: 'PD-1', repository: REPO, title: 'Checkout errors', sha: sha.c3, opened_at: '2026-05-05T00:00:00Z' }));
    const unresolved = await runCliProcess(['incidents', 'record', file], env);
    expect(unresolved.stdout.trim()).toBe(`${REPO}: incident updated`);
    writeFileSync(
      file,
      JSON.stringify({
        id: 'PD-1',
        repository: REPO,
        title: 'Checkout errors',
        sha: sha.c3,
        opened_at: '2026-05-05T00:00:00Z',
        resolved_at: '2026-05-05T02:30:00Z',
      }),
    );
    expect((await runCliProcess(['incidents', 'record', file], env)).stdout.trim()).toBe(`${REPO}: incident updated`);
    writeFileSync(file, JSON.stringify({ id: 'PD-2', repository: 'acme/nowhere', opened_at: '2026-05-05T00:00:00Z' }));
    const refused = await runCliProcess(['incidents', 'record', file], env);
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('incident PD-2: acme/nowhere is not a tracked repository')]);
    expect((await w.db.sql.query(`SELECT count(*)::int AS n FROM incidents`)).rows[0]!.n).toBe(1);
  }, 30_000);

  /**
   * The hand computation: successful production deployments in order (from the stand-in's data),
   * what each shipped by `git rev-list --no-merges <sha> ^<live>`, each commit at its first, the
   * author dates and emails from `git log`.
   */
  function byHand(people: string[] | null) {
    const succeeded = deployments
      .filter((d) => d.environment === 'production' && d.statuses.some((s) => s.state === 'success'))
      .map((d) => ({ id: d.id, sha: d.sha, at: new Date(d.statuses.find((s) => s.state === 'success')!.created_at) }));
    const log = new Map(
      w.repo
        .origin('log', '--format=%H %aI %ae', 'main')
        .trim()
        .split('\n')
        .map((l) => l.split(' '))
        .map(([h, date, email]) => [h!, { at: new Date(date!), email: email! }]),
    );
    const firstShipped = new Map<string, { at: Date; deployment: number }>();
    const shippedBy = new Map<number, string[]>();
    let live: string | null = null;
    for (const d of succeeded) {
      const shipped = w.repo.revList(d.sha, ['--no-merges', ...(live ? [`^${live}`] : [])]);
      shippedBy.set(d.id, shipped);
      for (const s of shipped) if (!firstShipped.has(s)) firstShipped.set(s, { at: d.at, deployment: d.id });
      live = d.sha;
    }
    const mine = (s: string) => people === null || people.includes(log.get(s)!.email);
    // A team's deployments: those that shipped one of its commits, or whose sha is one of its commits.
    const ours = (d: { id: number; sha: string }) => people === null || (shippedBy.get(d.id) ?? []).some(mine) || mine(d.sha);
    const leads = [...firstShipped]
      .filter(([s]) => !log.get(s)!.email.includes('[bot]') && mine(s))
      .map(([s, f]) => (f.at.getTime() - log.get(s)!.at.getTime()) / HOUR);
    const ended = deployments.filter((d) => d.environment === 'production' && d.statuses.some((s) => s.state === 'success' || s.state === 'failure'));
    // Attributed: 2 failed, 5 was reverted, 4 shipped the reported incident's commit.
    const attributed = new Set([2, 5, 4]);
    const restore: Record<number, number> = { 2: 23, 5: 48, 4: 2.5 };
    const mineEnded = ended.filter(ours);
    return {
      deployments: succeeded.filter(ours).length,
      deployment_frequency: round(succeeded.filter(ours).length / DAYS, 4),
      lead_time_for_changes: round(percentile(leads, 0.5), 2),
      lead_time_for_changes_p75: round(percentile(leads, 0.75), 2),
      change_failure_rate: round(mineEnded.filter((d) => attributed.has(d.id)).length / mineEnded.length, 4),
      time_to_restore: round(
        percentile(
          mineEnded.filter((d) => attributed.has(d.id)).map((d) => restore[d.id]!),
          0.5,
        ),
        2,
      ),
    };
  }

  const NAMES = ['deployments', 'deployment_frequency', 'lead_time_for_changes', 'lead_time_for_changes_p75', 'change_failure_rate', 'time_to_restore'];
  const values = async (filters: object) => {
    const m = await computeMetrics(w.db.sql, [...NAMES, 'incidents', 'dora_level'], { ...WINDOW, ...filters });
    return { numbers: Object.fromEntries(NAMES.map((n) => [n, scalar(m[n])])), incidents: scalar(m.incidents), level: m.dora_level };
  };

  it('for the organization (its one repository): each number equals the hand computation', async () => {
    const { numbers, incidents, level } = await values({ organization_id: ORG });
    expect(numbers).toEqual(byHand(null));
    // And by hand, once more, in plain numbers: 5 successes; lead times 3, 26, 26, 49.5, 50 h (the
    // bot's left out); 3 of 6 ended deployments attributed; restored in 23, 2.5 and 48 h.
    expect(numbers).toEqual({
      deployments: 5,
      deployment_frequency: 0.1613,
      lead_time_for_changes: 26,
      lead_time_for_changes_p75: 49.5,
      change_failure_rate: 0.5,
      time_to_restore: 23,
    });
    expect(incidents).toBe(3);
    // Unplanned fixes: deployment 4 ended the failure, 6 shipped the revert; 2 of the 5 successes.
    expect(scalar((await computeMetrics(w.db.sql, ['deployment_rework_rate'], { ...WINDOW, organization_id: ORG })).deployment_rework_rate)).toBe(0.4);
    // High on three, low on the failure rate: low overall.
    expect(level).toEqual({
      kind: 'breakdown',
      unit: 'level (4 elite, 3 high, 2 medium, 1 low)',
      items: [
        { label: 'deployment_frequency', value: 3 },
        { label: 'lead_time_for_changes', value: 3 },
        { label: 'change_failure_rate', value: 1 },
        { label: 'time_to_restore', value: 3 },
        { label: 'overall', value: 1 },
      ],
    });
  });

  it("for each team: the deployments that shipped its people's work, and only their commits' lead times", async () => {
    expect((await values({ organization_id: ORG, team_ids: [team.ann] })).numbers).toEqual(byHand([ann.email]));
    expect((await values({ organization_id: ORG, team_ids: [team.bo] })).numbers).toEqual(byHand([bo.email]));
    expect((await values({ organization_id: ORG, team_ids: [team.bo] })).numbers).toMatchObject({
      deployments: 2,
      change_failure_rate: 1,
      time_to_restore: 25.25,
    });
  });

  it('a report of the organization carries its delivery numbers, and its email the delivery line', async () => {
    const id = await w.rows.customReport({
      name: 'Delivery',
      organization_id: ORG,
      widgets: [
        { type: 'table', metric: 'deployments', config: { group_by: 'team' } },
        { type: 'table', metric: 'change_failure_rate', config: { group_by: 'repository' } },
        { type: 'number', metric: 'deployment_frequency' },
        { type: 'line', metric: 'deployments', config: { group_by: 'week' } },
        { type: 'bar', metric: 'dora_level' },
      ],
      filters: WINDOW,
    });
    const data = JSON.parse(await readFile((await runCustomReport(w.db.orm.em.fork(), id, 'json', w.dir, new Date('2026-06-01T00:00:00Z'))).path, 'utf8'));
    const hand = byHand(null);
    // April, the period before, had nothing.
    expect(data.delivery).toEqual({
      deployments: { value: hand.deployments, previous: 0 },
      lead_time_for_changes: { value: hand.lead_time_for_changes, previous: null },
      change_failure_rate: { value: hand.change_failure_rate, previous: null },
      time_to_restore: { value: hand.time_to_restore, previous: null },
    });
    // Per team: the deployments that shipped each team's work; per repository: each one's failure rate.
    expect(data.widgets[0].items).toEqual([
      { label: 'Storefront', value: byHand([ann.email]).deployments },
      { label: 'Payments', value: byHand([bo.email]).deployments },
    ]);
    expect(data.widgets[1]).toMatchObject({
      labelHeading: 'Repository',
      // acme/docs deployed nothing: it has no failure rate (not a rate of 0).
      items: [{ label: REPO, value: hand.change_failure_rate }],
    });
    expect(data.widgets[2]).toMatchObject({ type: 'number', value: hand.deployment_frequency });
    // The weekly line sums to the month's deployments.
    expect(data.widgets[3].items.reduce((n: number, p: { value: number }) => n + p.value, 0)).toBe(hand.deployments);
    expect(data.widgets[4].items).toContainEqual({ label: 'overall', value: 1 });
    const mail = reportEmail(data, { schedule: 'monthly', slot: new Date('2026-06-01T00:00:00Z'), format: 'pdf' });
    expect(mail.text).toContain(
      'Delivery: 5 deployments (+5 from 0) · median lead time 26 hours (none before) · change failure rate 50% (none before) · median time to restore 23 hours (none before)',
    );
    expect(mail.html).toContain('<b>Delivery</b>: 5 deployments');
  });

  it('for one repository: the repositories filter narrows every number to it; a repository of another organization is refused in a report', async () => {
    expect((await values({ organization_id: ORG, repositories: [REPO] })).numbers).toEqual(byHand(null));
    expect((await values({ organization_id: ORG, repositories: ['acme/docs'] })).numbers).toEqual({
      deployments: 0,
      deployment_frequency: 0,
      lead_time_for_changes: null,
      lead_time_for_changes_p75: null,
      change_failure_rate: null,
      time_to_restore: null,
    });
    const id = await w.rows.customReport({
      name: 'Elsewhere',
      organization_id: ORG,
      widgets: [{ type: 'number', metric: 'deployments' }],
      filters: { ...WINDOW, repositories: ['bcorp/ledger'] },
    });
    await expect(runCustomReport(w.db.orm.em.fork(), id, 'json', w.dir)).rejects.toThrow(
      `has filters outside its organization: repositories: not repositories of organization ${ORG}: bcorp/ledger`,
    );
  });

  it("another organization's deployments and failures are never counted, and it sees only its own", async () => {
    const other = await values({ organization_id: OTHER });
    expect(other.numbers).toMatchObject({ deployments: 2, change_failure_rate: 0.3333, lead_time_for_changes: null, time_to_restore: 24 });
    expect(other.incidents).toBe(1);
    // A team of ORG named by the other organization counts nothing.
    expect((await values({ organization_id: OTHER, team_ids: [team.ann] })).numbers).toMatchObject({ deployments: 0, change_failure_rate: null });
  });
});

describe('DORA levels', () => {
  it('each boundary belongs to one level, the overall level is the lowest measured, and nothing measured has none', () => {
    const at = (
      deployment_frequency: number | null,
      lead_time_for_changes: number | null,
      change_failure_rate: number | null,
      time_to_restore: number | null,
    ) => doraLevels({ deployment_frequency, lead_time_for_changes, change_failure_rate, time_to_restore });
    expect(at(1, 23.99, 0.05, 0.99)).toEqual({ deployment_frequency: 4, lead_time_for_changes: 4, change_failure_rate: 4, time_to_restore: 4 });
    expect(at(1 / 7, 24, 0.1, 1)).toEqual({ deployment_frequency: 3, lead_time_for_changes: 3, change_failure_rate: 3, time_to_restore: 3 });
    expect(at(1 / 30, 169, 0.15, 168)).toEqual({ deployment_frequency: 2, lead_time_for_changes: 2, change_failure_rate: 2, time_to_restore: 2 });
    expect(at(0.03, 721, 0.16, 168.01)).toEqual({ deployment_frequency: 1, lead_time_for_changes: 1, change_failure_rate: 1, time_to_restore: 1 });
    expect(at(2, null, 0, null)).toEqual({ deployment_frequency: 4, change_failure_rate: 4 });
    expect(overallDoraLevel(at(2, 30, 0.2, null))).toBe(1);
    expect(overallDoraLevel({})).toBeNull();
    expect(doraLevelName(4)).toBe('elite');
  });
});

describe('a revert by pull request title (no `This reverts commit` line)', () => {
  const w = useTestWorld();
  const REPO2 = 'acme/cart';

  it('a merged `Revert "X"` is attributed to the deployment that shipped X: a squash merge `X (#n)`, or the merge of pull request #n titled X', async () => {
    await w.rows.insert('deployment_settings', { repository_full_name: REPO2, chosen_source: 'deployments-api' });
    const commit = (sha: string, message: string, at: string) =>
      w.rows.commit({ sha: sha.padEnd(40, '0'), repository_name: 'cart', repository_full_name: REPO2, message, committed_at: at });
    const pull = async (number: number, title: string, mergedAt: string) => {
      await w.rows.pullRequest({ github_id: 9000 + number, number, title, state: 'merged', created_at: mergedAt, merged_at: mergedAt });
      await w.rows.insert('github_pull_repositories', { github_id: 9000 + number, repository_full_name: REPO2 });
    };
    const deployment = async (id: number, sha: string, at: string, shipped: string[]) => {
      const d = await w.rows.insert('deployments', {
        repository_full_name: REPO2,
        source: 'deployments-api',
        external_id: id,
        environment: 'production',
        is_production: true,
        sha: sha.padEnd(40, '0'),
        status: 'success',
        created_at: at,
        succeeded_at: at,
        finished_at: at,
      });
      for (const s of shipped) await w.rows.insert('deployment_commits', { deployment_id: d, sha: s.padEnd(40, '0') });
    };
    // A squash merge of #12, and the merge commit of #20.
    await pull(12, 'Add cache', '2026-06-01T10:00:00Z');
    await commit('a1', 'Add cache (#12)\n\nsquashed', '2026-06-01T10:00:00Z');
    await pull(20, 'Big thing', '2026-06-02T10:00:00Z');
    await commit('a2', 'Merge pull request #20 from acme/big\n\nBig thing', '2026-06-02T10:00:00Z');
    await deployment(1, 'a1', '2026-06-01T12:00:00Z', ['a1']);
    await deployment(2, 'a2', '2026-06-02T12:00:00Z', ['a2']);
    // Both reverted by pull requests titled so, squash-merged without git's line.
    await pull(13, 'Revert "Add cache"', '2026-06-03T10:00:00Z');
    await commit('a3', 'Revert "Add cache" (#13)', '2026-06-03T10:00:00Z');
    await pull(21, 'Revert "Big thing"', '2026-06-03T11:00:00Z');
    await commit('a4', 'Revert "Big thing" (#21)', '2026-06-03T11:00:00Z');
    await deployment(3, 'a4', '2026-06-03T12:00:00Z', ['a3', 'a4']);
    const { rows } = await w.db.sql.query(
      `SELECT i.kind, d.external_id::int AS deployment, i.opened_at, i.resolved_at FROM delivery_incidents i JOIN deployments d ON d.id = i.deployment_id ORDER BY 2`,
    );
    expect(rows).toEqual([
      { kind: 'revert', deployment: 1, opened_at: new Date('2026-06-01T12:00:00Z'), resolved_at: new Date('2026-06-03T12:00:00Z') },
      { kind: 'revert', deployment: 2, opened_at: new Date('2026-06-02T12:00:00Z'), resolved_at: new Date('2026-06-03T12:00:00Z') },
    ]);
  });
});
