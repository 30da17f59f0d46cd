import { randomBytes } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgreement, previewAgreement } from '../src/agreements/index.js';
import { evaluateAgreements } from '../src/agreements/alerts.js';
import { buildBoardServer } from '../src/board/server.js';
import { KeyRing } from '../src/crypto/secrets.js';
import type { StandInPull, StandInUser } from '../src/dev/github-fixture-types.js';
import { SlackStandIn } from '../src/dev/slack-stand-in.js';
import { agreementEvaluate, githubSyncRepo } from '../src/jobs/index.js';
import { createLogger } from '../src/lib/logger.js';
import { readFile } from 'node:fs/promises';
import { runCustomReport } from '../src/reports/run.js';
import { computeMetrics } from '../src/metrics/index.js';
import { installSlackIntegration } from '../src/slack/integrations.js';
import { standInPull } from './helpers/stand-in-pull.js';
import { useGitHubWorld, useStandIn } from './hooks.js';

/**
 * Team working agreements against the GitHub stand-in (pull requests with their reviews and
 * timelines from GraphQL) and the Slack stand-in: a webhook's sync queues the evaluation, whose
 * alerts (heads-up, missed, recovered) each arrive once, by key, whatever is retried; the preview
 * counts exactly what the alerts of a replayed month were; attainment by hand.
 */
const ORG = '7a7a7a7a-0000-4000-8000-000000000001';
const OTHER = '7a7a7a7a-0000-4000-8000-000000000002';
const SECRET = 'whsec-agreements-0123456789';
const HOUR = 3_600_000;
const ann: StandInUser = { id: 1201, login: 'ann' };
const bo: StandInUser = { id: 1202, login: 'bo' };
const cy: StandInUser = { id: 1203, login: 'cy' };
const dee: StandInUser = { id: 1301, login: 'dee' };
const eve: StandInUser = { id: 1302, login: 'eve' };

describe('working agreements', () => {
  let slack: SlackStandIn;
  useStandIn(async () => (slack = await new SlackStandIn().start()));
  const w = useGitHubWorld({
    settings: () => ({
      GITHUB_PULLS_FROM: 'graphql',
      SLACK_API_URL: slack.url,
      SLACK_TIMEOUT_MS: '1500',
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      GITHUB_WEBHOOK_SECRET: SECRET,
      BOARD_AUTH_DISABLED: 'true',
    }),
  });
  let app: FastifyInstance;
  let team: string;
  let team2: string;
  const now = Date.now();
  const at = (hoursFromNow: number) => new Date(now + hoursFromNow * HOUR).toISOString();
  const em = () => w.db.orm.em.fork();
  const ctx = () => ({ em: em(), config: w.config, log: createLogger('silent') });
  /** The alerts posted for some agreements: `<agreement name> <item> <kind>` from each message's key. */
  const alerts = (ids: Record<string, string>) =>
    slack.posted
      .map((m) => String(m.metadata?.event_payload.idempotency_key ?? ''))
      .flatMap((key) => {
        const [, id, item, kind] = /^agreement:([^:]+):(.+):([a-z_]+)$/.exec(key) ?? [];
        const name = Object.entries(ids).find(([, v]) => v === id)?.[0];
        return name ? [`${name} ${item} ${kind}`] : [];
      })
      .sort();
  async function webhook(event: string, payload: object) {
    const body = JSON.stringify({ ...payload, repository: { id: 1, full_name: 'acme/app', name: 'app' } });
    const res = await app.inject({
      method: 'POST',
      url: '/webhooks/github',
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': crypto.randomUUID(),
        'x-hub-signature-256': await sign(SECRET, body),
      },
      payload: body,
    });
    expect(res.statusCode).toBe(202);
    // The sync the webhook queued, and the evaluation the sync queued.
    await w.h.idle(['github-sync', 'slack']);
  }

  const pull = (id: number, user: StandInUser, fields: Partial<StandInPull>) =>
    standInPull(id, id % 100, user, { state: 'open', created_at: at(-1), updated_at: at(-1), ...fields });

  beforeAll(async () => {
    // The fixture's teams are smaller than the default group size (3): their numbers are shown here (withholding is policy.test.ts's).
    await w.rows.insert('organization_policies', { organization_id: ORG, min_group_size: 1 });
    slack.channels.add('C0ENG');
    for (const u of [ann, bo, cy, dee, eve]) w.gh.users.set(u.login, u);
    w.gh.repos.set('acme/app', {
      commits: [],
      pulls: [
        // Waiting 7 h for a first response: a heads-up an hour ago (at 6 h of 8).
        pull(9001, ann, { created_at: at(-7), updated_at: at(-7) }),
        // 620 lines, answered after 10 h, merged: every one of its alerts.
        pull(9002, ann, {
          created_at: at(-20),
          updated_at: at(-9),
          additions: 600,
          deletions: 20,
          state: 'closed',
          merged_at: at(-9),
          closed_at: at(-9),
          reviews: [{ id: 1, user: bo, state: 'APPROVED', body: '', submitted_at: at(-10) }],
        }),
        // 900 lines, opened 3 h ago: a heads-up on size; its wait has 3 h to go before one.
        pull(9003, bo, { created_at: at(-3), updated_at: at(-3), additions: 900 }),
        // Merged 2 h ago with nobody's review.
        pull(9004, bo, { created_at: at(-5), updated_at: at(-2), additions: 10, state: 'closed', merged_at: at(-2), closed_at: at(-2) }),
        // Cy is in no team: nothing of theirs is the team's.
        pull(9005, cy, { created_at: at(-6), updated_at: at(-6), additions: 1000 }),
      ],
    });
    w.gh.repos.set('acme/mobile', { commits: [], pulls: [] });
    await w.rows.trackedRepository({ fullName: 'acme/app', organizationId: ORG });
    await w.rows.trackedRepository({ fullName: 'acme/mobile', organizationId: ORG });
    await installSlackIntegration(em(), new KeyRing(w.config.ENCRYPTION_KEYS!), {
      organizationId: ORG,
      teamId: 'T0STANDIN',
      botToken: 'xoxb-standin-token',
      defaultChannelId: 'C0ALERTS',
    });
    app = await buildBoardServer({ config: w.config, orm: w.db.orm, log: createLogger('silent') });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('agreements are checked when they are made: each refusal names its reason, nothing is stored', async () => {
    // The team's developers exist once GitHub's are synced; the team is made of them.
    await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: 'acme/app', streams: ['pulls'] }));
    const ids = (await w.db.sql.query(`SELECT id, github_username FROM developers`)).rows;
    const of = (...logins: string[]) => ids.filter((r) => logins.includes(r.github_username)).map((r) => r.id);
    team = await w.rows.team({ name: 'App', organizationId: ORG, developerIds: of('ann', 'bo') });
    const theirs = await w.rows.team({ name: 'Theirs', organizationId: OTHER, developerIds: of('cy') });
    const base = { organizationId: ORG, teamId: team };
    const refused = async (input: Partial<typeof base> & { rule: string; share?: string; channel?: string; name?: string }, reason: string) =>
      expect(createAgreement(em(), { ...base, ...input })).rejects.toThrow(`working agreement: ${reason}`);
    await refused({ rule: 'pr_size >= 400' }, 'pr_size is kept under a limit: write pr_size <= 400');
    await refused({ rule: 'merged_without_review = 1' }, 'merged_without_review is held at none: write merged_without_review = 0');
    await refused({ rule: 'investment_balance <= 10' }, 'investment_balance gives a breakdown');
    await refused({ rule: 'happiness >= 9' }, 'happiness is not a metric of the library');
    await refused({ rule: 'pickup_time <= 8 lines' }, 'pickup_time is measured in hours: 8 lines is not one');
    await refused({ rule: 'pr_size less than 400' }, '"pr_size less than 400" is not a rule');
    await refused({ rule: 'deployment_frequency >= 1', share: '80%' }, 'a share applies to agreements on pull requests');
    await refused({ rule: 'pr_size <= 400', share: '180%' }, 'share: "180%" must be a share of the pull requests');
    await refused({ rule: 'pr_size <= 400', channel: '#eng' }, 'channel: "#eng" must be a Slack channel id');
    await refused({ teamId: theirs, rule: 'pr_size <= 400' }, `team ${theirs} is not a team of organization ${ORG}`);
    expect((await w.db.sql.query(`SELECT count(*)::int AS n FROM working_agreements`)).rows[0].n).toBe(0);
    // A day is 24 hours of the metric's unit.
    const a = await createAgreement(em(), { ...base, rule: 'open_pr_age <= 48h', name: 'Two days' });
    expect([a.metric, a.comparison, a.target]).toEqual(['open_pr_age', '<=', 2]);
    await refused({ rule: 'pr_size <= 300', name: 'Two days' }, 'the team already has an agreement named "Two days"');
    await w.db.sql.query(`DELETE FROM working_agreements`);
  });

  it('a webhook’s sync queues the evaluation; each heads-up and miss arrives once, naming the pull request, never a person', async () => {
    const ids = {
      pickup: (
        await createAgreement(em(), { organizationId: ORG, teamId: team, rule: 'pickup_time <= 8h', channel: 'C0ENG', name: 'First response within 8 h' })
      ).id,
      size: (await createAgreement(em(), { organizationId: ORG, teamId: team, rule: 'pr_size <= 400 lines' })).id,
      reviewed: (await createAgreement(em(), { organizationId: ORG, teamId: team, rule: 'merged_without_review = 0' })).id,
    };
    // Agreed on a month ago: what happened in the last day counts.
    await w.db.sql.query(`UPDATE working_agreements SET created_at = now() - interval '30 days'`);
    await webhook('pull_request', { action: 'opened', number: 3 });
    expect(alerts(ids)).toEqual(
      [
        'pickup pr:9001 heads_up', // ready 7 h ago: 6 h of 8 passed an hour ago
        'pickup pr:9002 heads_up', // ready 20 h ago, answered after 10 h
        'pickup pr:9002 missed',
        'size pr:9002 heads_up', // 620 lines
        'size pr:9002 missed', // merged at 620
        'size pr:9003 heads_up', // 900 lines, open
        'reviewed pr:9004 missed', // merged without a review
      ].sort(),
    );
    const size = slack.posted.find((m) => String(m.metadata?.event_payload.idempotency_key) === `agreement:${ids.size}:pr:9002:missed`)!;
    expect(size.channel).toBe('C0ALERTS');
    expect(JSON.stringify(size.blocks)).toContain('<https://github.com/acme/app/pull/2|acme/app#2> “PR 2” was merged at 620 lines, over the limit of 400.');
    expect(JSON.stringify(size.blocks)).not.toMatch(/\bann\b|\bbo\b/);
    expect(slack.posted.filter((m) => String(m.metadata?.event_payload.idempotency_key).startsWith(`agreement:${ids.pickup}`)).map((m) => m.channel)).toEqual([
      'C0ENG',
      'C0ENG',
      'C0ENG',
    ]);

    // Evaluated again (the schedule, a retry): nothing is posted twice.
    const before = slack.posted.length;
    const again = await w.h.settle(await w.h.pool.producer.enqueue(agreementEvaluate, { organizationId: ORG }, { jobId: 'again' }));
    expect(again.returnvalue).toMatchObject({ agreements: 3, events: 7, posted: 0 });
    expect(slack.posted.length).toBe(before);

    // #1 is answered now: its miss (due in an hour) never comes.
    const waiting = await previewAgreement(em(), { organizationId: ORG, teamId: team, rule: 'pickup_time <= 8h' }, { days: 1, now: new Date(now + 2 * HOUR) });
    expect(waiting.events.map((e) => `${e.item} ${e.kind}`)).toContain('pr:9001 missed');
    const one = w.gh.repos.get('acme/app')!.pulls.find((p) => p.id === 9001)!;
    one.reviews = [{ id: 2, user: bo, state: 'COMMENTED', body: 'looks fine', submitted_at: at(0) }];
    one.updated_at = at(0);
    await webhook('pull_request_review', { action: 'submitted', number: 1 });
    const answered = await previewAgreement(em(), { organizationId: ORG, teamId: team, rule: 'pickup_time <= 8h' }, { days: 1, now: new Date(now + 2 * HOUR) });
    expect(answered.events.map((e) => `${e.item} ${e.kind}`)).not.toContain('pr:9001 missed');
    expect(slack.posted.length).toBe(before);
  }, 60_000);

  it('a worker that dies after Slack took the alert (the answer lost) does not post it twice when the job is retried', async () => {
    const ids = { size: (await w.db.sql.query(`SELECT id FROM working_agreements WHERE metric = 'pr_size'`)).rows[0].id as string };
    // A new pull request over the limit; Slack posts its heads-up but its answer never comes back.
    w.gh.repos.get('acme/app')!.pulls.push(pull(9006, ann, { created_at: at(0), updated_at: at(0), additions: 500 }));
    slack.faults.push({ method: 'chat.postMessage', swallow: true, times: 1 });
    await webhook('pull_request', { action: 'opened', number: 6 });
    expect(alerts(ids).filter((a) => a.includes('9006'))).toEqual(['size pr:9006 heads_up']);
    const attempts = (
      await w.db.sql.query(
        `SELECT l.status FROM slack_notification_keys k JOIN slack_notification_logs l ON l.id = k.log_id WHERE k.idempotency_key = $1 ORDER BY k.started_at`,
        [`agreement:${ids.size}:pr:9006:heads_up`],
      )
    ).rows.map((r) => r.status);
    expect(attempts).toEqual(['failed', 'sent']);
  }, 60_000);

  it('during the organization’s quiet hours an evaluation waits until they end, and posts nothing', async () => {
    const hhmm = (d: Date) => d.toISOString().slice(11, 16);
    const t = new Date();
    await w.db.sql.query(`UPDATE slack_integrations SET notification_settings = $1`, [
      { quiet_hours: { start: hhmm(new Date(t.getTime() - HOUR)), end: hhmm(new Date(t.getTime() + HOUR)), timezone: 'UTC' } },
    ]);
    const before = slack.posted.length;
    try {
      await expect(evaluateAgreements(ctx(), ORG, t)).rejects.toMatchObject({ name: 'DeferredError', message: expect.stringContaining('quiet hours') });
      expect(slack.posted.length).toBe(before);
    } finally {
      await w.db.sql.query(`UPDATE slack_integrations SET notification_settings = '{}'`);
    }
  });

  describe('a month replayed', () => {
    const JUNE = (day: number, hour = 0) => new Date(Date.UTC(2026, 5, day, hour)).toISOString();
    let ids: Record<string, string>;
    beforeAll(async () => {
      const repo = w.gh.repos.get('acme/mobile')!;
      const review = (id: number, user: StandInUser, submitted_at: string) => ({ id, user, state: 'APPROVED' as const, body: '', submitted_at });
      const june = (id: number, user: StandInUser, fields: Partial<StandInPull>) => standInPull(id, id % 100, user, { state: 'closed', ...fields });
      repo.pulls = [
        // Answered in 3 h, 120 lines.
        june(9101, dee, {
          created_at: JUNE(2, 9),
          updated_at: JUNE(2, 13),
          merged_at: JUNE(2, 13),
          closed_at: JUNE(2, 13),
          additions: 120,
          reviews: [review(11, eve, JUNE(2, 12))],
        }),
        // Answered after 24 h, 800 lines.
        june(9102, dee, {
          created_at: JUNE(3, 9),
          updated_at: JUNE(4, 10),
          merged_at: JUNE(4, 10),
          closed_at: JUNE(4, 10),
          additions: 800,
          reviews: [review(12, eve, JUNE(4, 9))],
        }),
        // Answered after 11 h.
        june(9103, eve, {
          created_at: JUNE(10, 9),
          updated_at: JUNE(10, 21),
          merged_at: JUNE(10, 21),
          closed_at: JUNE(10, 21),
          additions: 50,
          reviews: [review(13, dee, JUNE(10, 20))],
        }),
        // Merged after an hour without review.
        june(9104, eve, { created_at: JUNE(20, 9), updated_at: JUNE(20, 10), merged_at: JUNE(20, 10), closed_at: JUNE(20, 10), additions: 30 }),
        // Closed unanswered a day later.
        june(9105, dee, { created_at: JUNE(25, 9), updated_at: JUNE(26, 9), closed_at: JUNE(26, 9), additions: 40 }),
      ];
      await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: 'acme/mobile', streams: ['pulls'] }));
      const people = (await w.db.sql.query(`SELECT id FROM developers WHERE github_username IN ('dee', 'eve')`)).rows.map((r) => r.id);
      team2 = await w.rows.team({ name: 'Mobile', organizationId: ORG, developerIds: people });
      const make = async (rule: string, share?: string) =>
        (await createAgreement(em(), { organizationId: ORG, teamId: team2, rule, share, channel: 'C0ENG' })).id;
      ids = { pickup: await make('pickup_time <= 8h'), size: await make('pr_size <= 400', '80%'), merged: await make('prs_merged >= 1') };
      await w.db.sql.query(`UPDATE working_agreements SET created_at = $1 WHERE team_id = $2`, [JUNE(1), team2]);
    });

    it('the preview counts exactly the alerts of the month replayed evaluation by evaluation, each by hand', async () => {
      const rules = { pickup: ['pickup_time <= 8h'], size: ['pr_size <= 400', '80%'], merged: ['prs_merged >= 1'] } as const;
      const previews = Object.fromEntries(
        await Promise.all(
          Object.entries(rules).map(async ([name, [rule, share]]) => {
            const p = await previewAgreement(em(), { organizationId: ORG, teamId: team2, rule, share }, { days: 30, now: new Date(JUNE(31)) });
            return [name, p.events.map((e) => `${name} ${e.item} ${e.kind}`)] as const;
          }),
        ),
      );
      const expected = {
        // Waits of 24 h (#2) and 11 h (#3) and #5 closed after 24 h unanswered: a heads-up at 6 h and a miss at 8 h each.
        pickup: ['pr:9102 heads_up', 'pr:9102 missed', 'pr:9103 heads_up', 'pr:9103 missed', 'pr:9105 heads_up', 'pr:9105 missed'],
        // The 7 days to each midnight: under 80 % within 400 lines from the window ending June 5 (#1 kept, #2 not) until the one ending June 12 (#3 alone).
        // … and #2, opened at 800 lines, its heads-up.
        size: ['pr:9102 heads_up', 'window:2026-06-04 missed', 'window:2026-06-11 recovered'],
        // At least one merge in the last 7 days: from June 3 (#1), none in those ending June 18 (#3 on the 10th was the last) until June 21 (#4), none again from June 28.
        merged: ['window:2026-06-02 recovered', 'window:2026-06-17 missed', 'window:2026-06-20 recovered', 'window:2026-06-27 missed'],
      };
      for (const [name, events] of Object.entries(expected)) expect(previews[name]).toEqual(events.map((e) => `${name} ${e}`));

      // The month again, one evaluation every 12 hours, each seeing the last 24: every alert once.
      for (let t = Date.parse(JUNE(1, 12)); t <= Date.parse(JUNE(31)); t += 12 * HOUR) await evaluateAgreements(ctx(), ORG, new Date(t));
      expect(alerts(ids)).toEqual(Object.values(previews).flat().sort());
      const window = slack.posted.find((m) => m.metadata?.event_payload.idempotency_key === `agreement:${ids.merged}:window:2026-06-17:missed`)!;
      expect(window.text).toBe('Missed: prs_merged &gt;= 1 pull requests (team Mobile): the last 7 days missed it: prs_merged was 0 pull requests.');
    }, 120_000);

    it('a report shows each agreement’s attainment per week, side by side, in JSON and PDF', async () => {
      const id = await w.rows.customReport({
        organization_id: ORG,
        name: 'Agreements',
        widgets: [{ type: 'stacked', metric: 'agreement_attainment', config: { group_by: 'week' } }],
        filters: { team_ids: [team2], date_range: { start: JUNE(1), end: JUNE(15) } },
      });
      const json = JSON.parse(await readFile((await runCustomReport(em(), id, 'json', w.dir, new Date(JUNE(15)))).path, 'utf8'));
      const r4 = (n: number) => Math.round(n * 10_000) / 10_000;
      // Week of June 1: pickup #1 kept, #2 missed; size windows ending June 2-8 kept on the 3rd and 4th (2 of 6; none on the 2nd); merges on 6 of 7 days.
      // Week of June 8: pickup #3 missed; size kept June 12-15 (4 of 7); a merge in every window.
      expect(json.widgets[0]).toMatchObject({
        type: 'stacked',
        unit: 'ratio',
        items: [
          { label: '2026-06-01', series: 'Mobile: pickup_time <= 8 hours', value: 0.5 },
          { label: '2026-06-01', series: 'Mobile: pr_size <= 400 lines for 80 % of pull requests', value: r4(2 / 6) },
          { label: '2026-06-01', series: 'Mobile: prs_merged >= 1 pull requests', value: r4(6 / 7) },
          { label: '2026-06-08', series: 'Mobile: pickup_time <= 8 hours', value: 0 },
          { label: '2026-06-08', series: 'Mobile: pr_size <= 400 lines for 80 % of pull requests', value: r4(4 / 7) },
          { label: '2026-06-08', series: 'Mobile: prs_merged >= 1 pull requests', value: 1 },
        ],
      });
      expect((await runCustomReport(em(), id, 'pdf', w.dir, new Date(JUNE(15)))).bytes).toBeGreaterThan(1000);
    });

    it('agreement_attainment is each agreement’s share kept, by hand', async () => {
      const m = await computeMetrics(w.db.sql, ['agreement_attainment'], {
        organization_id: ORG,
        team_ids: [team2],
        date_range: { start: JUNE(1), end: JUNE(15) },
      });
      expect(m.agreement_attainment).toEqual({
        kind: 'breakdown',
        unit: 'ratio',
        items: [
          // Pull requests settled June 1-15: #1 (answered in 3 h), #2 and #3 (missed at 8 h): 1 of 3.
          { label: 'Mobile: pickup_time <= 8 hours', value: Math.round((1 / 3) * 10_000) / 10_000 },
          // Its windows ending at the midnights June 2-15: nothing merged in the one ending June 2; kept June 3-4 and 12-15 (6), missed 5-11 (7).
          { label: 'Mobile: pr_size <= 400 lines for 80 % of pull requests', value: Math.round((6 / 13) * 10_000) / 10_000 },
          // prs_merged >= 1 at the midnights June 2-15: kept from June 3 to 15 (13 of 14).
          { label: 'Mobile: prs_merged >= 1 pull requests', value: Math.round((13 / 14) * 10_000) / 10_000 },
        ],
      });
    });
  });
});
