import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Job } from 'bullmq';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildBoardServer } from '../src/board/server.js';
import { KeyRing } from '../src/crypto/secrets.js';
import { createLogger } from '../src/lib/logger.js';
import { SlackStandIn } from '../src/dev/slack-stand-in.js';
import { requestExport } from '../src/exports/request.js';
import { installSlackIntegration } from '../src/slack/integrations.js';
import { dayRange } from '../src/lib/dates.js';
import { deliveryLine, issuesLine, summaryWeeks, waitedLine, withChange } from '../src/slack/messages.js';
import { slackFanOut, slackInsightAlert, slackNotify } from '../src/jobs/index.js';
import { attachRepository } from './helpers/repositories.js';
import { DAY } from './helpers/rows.js';
import { useTestWorld, useStandIn } from './hooks.js';
import { ago, MINUTE } from './helpers/rows.js';

const ORG = '1a2b3c4d-0000-4000-8000-000000000001';
const OTHER_ORG = '1a2b3c4d-0000-4000-8000-000000000002';

describe('Slack notifications: export ready, sync failure digest, weekly team summary', () => {
  let slack: SlackStandIn;
  let dev: string;
  let teamId: string;

  useStandIn(async () => (slack = await new SlackStandIn().start()));
  const w = useTestWorld({
    harness: true,
    settings: () => ({
      SLACK_API_URL: slack.url,
      SLACK_TIMEOUT_MS: '2000',
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      PUBLIC_URL: 'https://aexy.example.com/',
      DOWNLOAD_SIGNING_SECRET: randomBytes(32).toString('hex'),
    }),
  });

  beforeAll(async () => {
    // The fixture's teams are smaller than the default group size (3): their numbers are shown here (withholding is policy.test.ts's).
    for (const org of [ORG]) await w.rows.insert('organization_policies', { organization_id: org, min_group_size: 1 });
    dev = await w.rows.developer({ githubId: 1, login: 'ana' });
    teamId = await w.rows.team({ name: 'Core', organizationId: ORG, developerIds: [dev] });
    await w.rows.team({ name: 'Elsewhere', organizationId: OTHER_ORG, developerIds: [] });
    await installSlackIntegration(w.db.orm.em.fork(), new KeyRing(w.config.ENCRYPTION_KEYS!), {
      organizationId: ORG,
      teamId: 'T0STANDIN',
      botToken: 'xoxb-standin-token',
      defaultChannelId: 'C0ALERTS',
      userMappings: { U0ANA: dev },
    });
    slack.users.push(
      { id: 'U0ANA', team: 'T0STANDIN', email: 'ana@acme.example', name: 'ana' },
      { id: 'U0LEAD', team: 'T0STANDIN', email: 'lead@acme.example', name: 'lead' },
    );
    // Ana's team lead hears about her (a person's alert goes to the lead, privately).
    await w.db.sql.query(`UPDATE slack_integrations SET notification_settings = $1`, [{ team_leads: { [teamId]: ['U0LEAD'] } }]);
    await w.db.sql.query(
      `INSERT INTO commits (sha, developer_id, repository_name, committed_at) SELECT md5(g::text) || '00000000', $1, 'r', now() - g * interval '1 day' FROM generate_series(1, 10) g`,
      [dev],
    );
    // The organization's repository: its work is what the organization's messages count.
    await attachRepository(w.db, 'acme/r', ORG);
    // Its deployments: this week one success shipping the commit of 3 days ago (a day later) and one
    // failure of the newest commit; the week before, one success shipping the commit of 10 days ago.
    await w.rows.insert('deployment_settings', { repository_full_name: 'acme/r', chosen_source: 'deployments-api' });
    const deployed = async (id: number, commitDaysAgo: number, daysAgo: number, failed = false) => {
      const at = new Date(Date.now() - daysAgo * DAY);
      const shaOf = (await w.db.sql.query<{ sha: string }>(`SELECT md5($1::text) || '00000000' AS sha`, [commitDaysAgo])).rows[0]!.sha;
      const d = await w.rows.insert('deployments', {
        repository_full_name: 'acme/r',
        source: 'deployments-api',
        external_id: id,
        environment: 'production',
        is_production: true,
        sha: shaOf,
        status: failed ? 'failure' : 'success',
        created_at: at,
        succeeded_at: failed ? null : at,
        finished_at: at,
        failed_at: failed ? at : null,
      });
      if (!failed) await w.rows.insert('deployment_commits', { deployment_id: d, sha: shaOf });
    };
    await deployed(1, 10, 9);
    await deployed(2, 3, 2);
    await deployed(3, 1, 1, true);
  });

  const followUps = async (since: number, name = 'slack.notify'): Promise<Job[]> =>
    Promise.all(
      (await w.h.reader('slack').getJobs(['waiting', 'active', 'completed', 'failed']))
        .filter((j) => j.name === name && j.timestamp >= since)
        .map((j) => w.h.settle(j)),
    );

  it('an export with a requester is announced to them alone, by direct message, when ready', async () => {
    const t0 = Date.now();
    const id = await requestExport(w.db.orm.em.fork(), w.h.pool.producer, { exportType: 'commits', format: 'csv', requestedBy: dev });
    const [exp] = (await w.h.reader('exports').getJobs(['waiting', 'active', 'completed'])).filter((j) => j.data.exportJobId === id);
    await w.h.settle(exp!);
    // The export's steps are in its job's log.
    const { logs } = await w.h.reader('exports').getJobLogs(exp!.id!);
    expect(logs.map((l) => l.replace(/^\S+ /, ''))).toEqual([
      `export ${id}: commits as csv`,
      expect.stringMatching(/^wrote \d+ rows \(\d+ bytes\) to \S+\.csv$/),
    ]);
    const [notify] = await followUps(t0);
    expect(notify!.data).toEqual({ kind: 'export_ready', exportJobId: id });
    expect(notify!.failedReason).toBeUndefined();
    const msg = slack.messages.at(-1)!;
    expect(msg.channel).toBe('D0ANA');
    expect(slack.ims.get(msg.channel)).toBe('U0ANA');
    expect(msg.text).toMatch(/^Export ready: commits\.csv \(\d+ KB\)$/);
    expect(JSON.stringify(msg.blocks)).toContain('Your export *commits* (csv');
    // A button to download the file: a signed link to the HTTP process, which serves the very file.
    const button = (msg.blocks as { type: string; elements?: { type: string; url?: string }[] }[]).find((b) => b.type === 'actions')?.elements?.[0];
    expect(button?.url).toMatch(new RegExp(`^https://aexy\\.example\\.com/exports/${id}\\?expires=\\d+&sig=[\\w-]{43}$`));
    const board = await buildBoardServer({ config: { ...w.config, BOARD_AUTH_DISABLED: true }, orm: w.db.orm, log: createLogger('silent') });
    try {
      const res = await board.inject({ url: button!.url!.replace('https://aexy.example.com', '') });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="commits-\d{4}-\d\d-\d\d\.csv"$/);
      const { rows: file } = await w.db.sql.query(`SELECT file_path FROM export_jobs WHERE id = $1`, [id]);
      expect(res.rawPayload.equals(await readFile(file[0].file_path))).toBe(true);
    } finally {
      await board.close();
    }
    const { rows } = await w.db.sql.query(`SELECT status, notification_type, message_ts FROM slack_notification_logs ORDER BY sent_at DESC LIMIT 1`);
    expect(rows[0]).toEqual({ status: 'sent', notification_type: 'export_ready', message_ts: msg.ts });
  });

  it('the daily digest lists failing repositories per organization, clipped to Slack limits', async () => {
    for (const [org, fullName, lastError] of [
      [ORG, 'acme/api', 'GitHub has no /repos/acme/api/commits (404)'],
      [ORG, 'acme/web', 'x'.repeat(5000)],
      [ORG, 'acme/ok', null],
      [OTHER_ORG, 'other/repo', 'boom'],
    ] as const) {
      await w.rows.trackedRepository({ fullName, organizationId: org, last_error: lastError });
    }
    const t0 = Date.now();
    const fan = await w.h.settle(await w.h.pool.producer.enqueue(slackFanOut, { kind: 'sync_failure_digest' }));
    expect(fan.returnvalue).toEqual({ queued: 1 }); // only ORG has an integration
    await followUps(t0);
    const msg = slack.messages.at(-1)!;
    expect(msg.text).toBe('GitHub sync: 2 repositories are failing');
    const blocks = msg.blocks as { type: string; text?: { text: string } }[];
    expect(blocks.map((b) => b.text?.text ?? '')).toEqual(expect.arrayContaining(['*acme/api*: GitHub has no /repos/acme/api/commits (404)']));
    expect(Math.max(...blocks.map((b) => b.text?.text.length ?? 0))).toBeLessThanOrEqual(3000);
  });

  it('the weekly team summary: the 7 whole days before today with their dates, each number against the week before', async () => {
    const t0 = Date.now();
    await w.h.settle(await w.h.pool.producer.enqueue(slackFanOut, { kind: 'weekly_team_summary' }));
    const [job] = await followUps(t0);
    expect(job!.data).toEqual({ kind: 'weekly_team_summary', teamId });
    const msg = slack.messages.at(-1)!;
    // The seeded commits are 1 to 10 days old: days 1-7 fall in the week, 8-10 in the week before.
    const { week, before } = summaryWeeks(new Date());
    const dates = dayRange(week.start, week.end);
    expect(msg.text).toBe(`Core, ${dates}: 7 commits (+4 from 3), 0 PRs merged (same), 0 reviews (same)`);
    const blocks = JSON.stringify(msg.blocks);
    expect(blocks).toContain('*Commits*\\n7 (+4 from 3)');
    expect(blocks).toContain(`${dates} (UTC), each number against the week before (${dayRange(before.start, before.end)})`);
    expect(blocks).toContain('*Median PR cycle*\\n—');
    // Delivery: one success each week, each a day after its commit; this week's failure is still open.
    expect(blocks).toContain(
      '*Delivery*\\n1 deployment (same) · median lead time 24 h (same) · change failure rate 50 % (+50 % from 0 %) · median time to restore —',
    );
  });

  it('dates and changes read as people write them', () => {
    expect(dayRange(new Date('2026-11-16T00:00:00Z'), new Date('2026-11-23T00:00:00Z'))).toBe('16 – 22 Nov 2026');
    expect(dayRange(new Date('2026-11-27T00:00:00Z'), new Date('2026-12-04T00:00:00Z'))).toBe('27 Nov – 3 Dec 2026');
    expect(dayRange(new Date('2026-12-28T00:00:00Z'), new Date('2027-01-04T00:00:00Z'))).toBe('28 Dec 2026 – 3 Jan 2027');
    expect(summaryWeeks(new Date('2026-11-23T09:00:00Z')).week).toEqual({ start: new Date('2026-11-16T00:00:00Z'), end: new Date('2026-11-23T00:00:00Z') });
    expect(withChange(18.25, 22, ' h')).toBe('18.3 h (−3.7 h from 22 h)');
    expect(withChange(0.15, 0.04)).toBe('0.2 (+0.2 from 0)');
    expect(withChange(5, null)).toBe('5 (none the week before)');
    expect(withChange(null, 3)).toBe('—');
    const none = { coding_time: null, pickup_time: null, review_time: null, merge_time: null, deploy_time: null };
    const quiet = {
      commits: 1,
      prsMerged: 0,
      reviews: 0,
      cycleHours: null,
      firstReviewHours: null,
      deployments: 0,
      leadTimeHours: null,
      changeFailureRate: null,
      restoreHours: null,
      phases: none,
      issues: { opened: 0, resolved: 0, cycleHours: null, bugShare: null, linkedShare: null },
    };
    expect(deliveryLine(quiet, quiet)).toBe('no production deployments this week or the week before');
    expect(waitedLine(quiet, quiet)).toBe('no pull request with its lifecycle merged this week');
    expect(issuesLine(quiet, quiet)).toBe('no issues opened or resolved this week or the week before');
    const busy = { ...quiet, issues: { opened: 3, resolved: 2, cycleHours: 72, bugShare: 0.5, linkedShare: 0.75 } };
    expect(issuesLine(busy, { ...quiet, issues: { opened: 2, resolved: 2, cycleHours: 80, bugShare: 0.5, linkedShare: null } })).toBe(
      '3 opened (+1 from 2) · 2 resolved (same) · median cycle 72 h (−8 h from 80 h) · bugs 50 % (same) · merged PRs linked to an issue 75 % (none the week before)',
    );
    const waited = { ...quiet, phases: { coding_time: 24, pickup_time: 2.5, review_time: 4, merge_time: 0, deploy_time: null } };
    expect(waitedLine(waited, { ...quiet, phases: { ...none, coding_time: 20, pickup_time: 2.5 } })).toBe(
      'coding 24 h (+4 h from 20 h) · pickup 2.5 h (same) · review 4 h (none the week before) · merge 0 h (none the week before) · deploy —',
    );
  });

  it('Slack trouble on its side (internal_error, an HTML 502) is retried; every attempt is logged', async () => {
    const logs = async () =>
      (
        await w.db.sql.query(
          `SELECT status, error_message FROM slack_notification_logs WHERE notification_type = 'weekly_team_summary' ORDER BY sent_at, status`,
        )
      ).rows;
    const before = (await logs()).length;
    const posts = slack.messages.length;
    slack.faults.push({ method: 'chat.postMessage', error: 'internal_error', times: 1 });
    const a = await w.h.settle(
      await w.h.pool.producer.enqueue(slackNotify, { kind: 'weekly_team_summary', teamId }, { attempts: 3, backoff: { type: 'fixed', delay: 20 } }),
    );
    expect(await a.getState()).toBe('completed');
    expect(a.attemptsMade).toBe(2);
    // The client never retries by itself (a lost answer must not be posted again blind): the 502
    // fails the attempt, and the job's retry looks for the message before posting it.
    slack.faults.push({ method: 'chat.postMessage', status: 502, times: 1 });
    const b = await w.h.settle(
      await w.h.pool.producer.enqueue(slackNotify, { kind: 'weekly_team_summary', teamId }, { attempts: 3, backoff: { type: 'fixed', delay: 20 } }),
    );
    expect(await b.getState()).toBe('completed');
    expect(b.attemptsMade).toBe(2);
    expect(slack.messages.length - posts).toBe(2);
    const attempts = (await logs()).slice(before);
    expect(attempts.map((l) => l.status).sort()).toEqual(['failed', 'failed', 'sent', 'sent']);
    expect(
      attempts
        .filter((l) => l.status === 'failed')
        .map((l) => l.error_message)
        .sort(),
    ).toEqual(['Slack error, will retry: internal_error', 'Slack request failed: An HTTP protocol error occurred: statusCode = 502']);
  });

  it('an organization without an integration is skipped, not failed', async () => {
    await w.rows.exportJob({ status: 'completed', file_path: '/tmp/x', file_size_bytes: 10 });
    const team = (await w.db.sql.query(`SELECT id FROM teams WHERE name = 'Elsewhere'`)).rows[0].id;
    const done = await w.h.settle(await w.h.pool.producer.enqueue(slackNotify, { kind: 'weekly_team_summary', teamId: team }));
    expect(done.returnvalue).toEqual({ skipped: 'no Slack integration' });
  });

  it('text from users, other applications and the model is inert in Slack mrkdwn', async () => {
    const hostile = '<!channel> & <https://evil.example|your password expired> <@U0BOSS>';
    const inert = '&lt;!channel&gt; &amp; &lt;https://evil.example|your password expired&gt; &lt;@U0BOSS&gt;';
    // A repository row written by another application, its error text from an upstream server.
    await w.db.sql.query(`UPDATE tracked_repositories SET last_error = $1 WHERE full_name = 'acme/api'`, [hostile]);
    await w.h.settle(await w.h.pool.producer.enqueue(slackNotify, { kind: 'sync_failure_digest', organizationId: ORG }, { jobId: `digest-${Date.now()}` }));
    let msg = slack.messages.at(-1)!;
    expect(JSON.stringify(msg.blocks)).toContain(JSON.stringify(`*acme/api*: ${inert}`).slice(1, -1));
    expect(JSON.stringify(msg)).not.toContain('<!channel>');

    // A team name in the fallback text, which Slack parses like mrkdwn.
    await w.db.sql.query(`UPDATE teams SET name = $1 WHERE id = $2`, ['<!everyone> Core', teamId]);
    await w.h.settle(await w.h.pool.producer.enqueue(slackNotify, { kind: 'weekly_team_summary', teamId }, { jobId: `summary-${Date.now()}` }));
    msg = slack.messages.at(-1)!;
    expect(msg.text).toMatch(/^&lt;!everyone&gt; Core, /);
    await w.db.sql.query(`UPDATE teams SET name = 'Core' WHERE id = $1`, [teamId]);

    // The model's factors and recommendations.
    const insightId = await w.rows.insight({
      developerId: dev,
      type: 'burnout_risk',
      riskScore: 0.9,
      confidence: 0.8,
      factors: [{ factor: 'after_hours<!here>', evidence: hostile }],
      recommendations: [`Talk to them ${hostile}`],
      generated_by_model: 'stand-in',
    });
    await w.h.settle(await w.h.pool.producer.enqueue(slackInsightAlert, { insightId }));
    msg = slack.messages.at(-1)!;
    expect(slack.ims.get(msg.channel)).toBe('U0LEAD');
    const text = JSON.stringify(msg);
    expect(text).toContain('After hours&lt;!here&gt;');
    expect(text).toContain(JSON.stringify(inert).slice(1, -1));
    expect(text).not.toMatch(/<!(channel|here|everyone)>|<https:\/\/evil/);
    // The subject is named, never mentioned: no live mention at all.
    expect(text).not.toContain('<@');
  });

  it('an attempt left pending by a worker that died while posting is resolved as "outcome unknown", not pending for ever', async () => {
    const { rows: integ } = await w.db.sql.query(`SELECT id FROM slack_integrations WHERE team_id = 'T0STANDIN'`);
    const attempts = [
      await w.rows.slackAttempt({
        integration_id: integ[0].id,
        notification_type: 'export_ready',
        content_summary: 'crashed mid-post',
        sent_at: ago(20 * MINUTE),
      }),
      await w.rows.slackAttempt({ integration_id: integ[0].id, notification_type: 'export_ready', content_summary: 'still posting', sent_at: new Date() }),
    ];
    await w.h.settle(await w.h.pool.producer.enqueue(slackFanOut, { kind: 'weekly_team_summary' }, { jobId: `fan-${Date.now()}` }));
    const { rows: after } = await w.db.sql.query(
      `SELECT id, status, error_message FROM slack_notification_logs WHERE id = ANY($1::uuid[]) ORDER BY content_summary`,
      [attempts],
    );
    expect(after.map((r) => [r.status, r.error_message])).toEqual([
      ['failed', 'outcome unknown: the worker stopped while posting (Slack may have received the message)'],
      ['pending', null],
    ]);
  });

  describe("at most once: every attempt carries the notification's key, and a retry looks for it first", () => {
    // Follow-ups of earlier tests (the fan-out's summaries) must not take the faults set up here.
    beforeEach(() => w.h.idle(['slack']));
    const integrationId = async () => (await w.db.sql.query(`SELECT id FROM slack_integrations WHERE team_id = 'T0STANDIN'`)).rows[0].id as string;
    const attemptsOf = async (key: string) =>
      (
        await w.db.sql.query(
          `SELECT l.status, l.message_ts, l.error_message FROM slack_notification_keys k JOIN slack_notification_logs l ON l.id = k.log_id WHERE k.idempotency_key = $1 ORDER BY k.started_at`,
          [key],
        )
      ).rows;
    const withKey = (key: string) => slack.posted.filter((m) => m.metadata?.event_payload.idempotency_key === key);
    const insight = async () =>
      w.rows.insight({ teamId, type: 'delivery_risk', riskScore: 0.8, confidence: 0.7, factors: [], recommendations: [], generated_by_model: 'heuristic-v1' });

    it('an answer lost after Slack posted (a timeout): the retry finds the message in the history and does not post it again', async () => {
      const id = await insight();
      slack.faults.push({ method: 'chat.postMessage', swallow: true, times: 1 });
      const job = await w.h.settle(
        await w.h.pool.producer.enqueue(slackInsightAlert, { insightId: id }, { attempts: 3, backoff: { type: 'fixed', delay: 20 } }),
      );
      expect(await job.getState()).toBe('completed');
      expect(job.attemptsMade).toBe(2);
      const key = `insight_alert:${id}`;
      const posted = withKey(key);
      expect(posted).toHaveLength(1); // Slack holds it once
      const attempts = await attemptsOf(key);
      expect(attempts.map((a) => a.status)).toEqual(['failed', 'sent']);
      expect(attempts[0].error_message).toMatch(/^Slack request failed: .*(timeout|timed out|aborted)/i);
      expect(attempts[1]).toMatchObject({ message_ts: posted[0]!.ts, error_message: null });
      // The retry read the history with metadata, and posted nothing.
      const history = slack.calls.filter((c) => c.method === 'conversations.history').at(-1)!;
      expect(history.args).toMatchObject({ channel: 'C0ALERTS', include_all_metadata: 'true' });

      // Enqueued again later (a board retry, a second trigger): already sent, nothing posted, nothing logged.
      const again = await w.h.settle(await w.h.pool.producer.enqueue(slackInsightAlert, { insightId: id }, { jobId: `again-${id}` }));
      expect(again.returnvalue).toMatchObject({ ts: posted[0]!.ts, alreadySent: true });
      expect(withKey(key)).toHaveLength(1);
      expect(await attemptsOf(key)).toHaveLength(2);
    });

    it('a worker killed after Slack accepted the message: its pending row is resolved from the history, nothing is posted twice', async () => {
      const id = await insight();
      const key = `insight_alert:${id}`;
      // What a worker killed between Slack's answer and its UPDATE leaves: a pending row with the
      // key, and the message in the channel with the key in its metadata.
      const deadAttempt = await w.rows.slackAttempt({ integration_id: await integrationId(), key });
      const ts = `${Math.floor(Date.now() / 1000)}.999001`;
      slack.messages.push({
        channel: 'C0ALERTS',
        ts,
        text: 'posted by the dead worker',
        metadata: { event_type: 'aexy_notification', event_payload: { idempotency_key: key } },
      });
      const before = slack.posted.length;
      const job = await w.h.settle(await w.h.pool.producer.enqueue(slackInsightAlert, { insightId: id }));
      expect(job.returnvalue).toMatchObject({ channel: 'C0ALERTS', ts });
      expect(slack.posted.length).toBe(before);
      const attempts = await attemptsOf(key);
      expect(attempts).toEqual([
        {
          status: 'failed',
          message_ts: null,
          error_message: `interrupted after Slack received the message (ts ${ts}, found in the channel's history by a retry, which did not post it again)`,
        },
        { status: 'sent', message_ts: ts, error_message: null },
      ]);
      expect((await w.db.sql.query(`SELECT status FROM slack_notification_logs WHERE id = $1`, [deadAttempt])).rows[0].status).toBe('failed');
    });

    it('a worker killed before Slack received the message: the retry checks, closes the row as not posted, and posts', async () => {
      const id = await insight();
      const key = `insight_alert:${id}`;
      await w.rows.slackAttempt({ integration_id: await integrationId(), key });
      await w.h.settle(await w.h.pool.producer.enqueue(slackInsightAlert, { insightId: id }));
      expect(withKey(key)).toHaveLength(1);
      expect((await attemptsOf(key)).map((a) => [a.status, a.error_message])).toEqual([
        ['failed', "not posted: the attempt stopped before Slack received the message (checked in the channel's history by a retry)"],
        ['sent', null],
      ]);
    });

    it('without access to the history (missing_scope) the retry posts, and its row says it may be a repeat', async () => {
      const id = await insight();
      const key = `insight_alert:${id}`;
      slack.faults.push({ method: 'chat.postMessage', swallow: true, times: 1 }, { method: 'conversations.history', error: 'missing_scope', times: 1 });
      const job = await w.h.settle(
        await w.h.pool.producer.enqueue(slackInsightAlert, { insightId: id }, { attempts: 3, backoff: { type: 'fixed', delay: 20 } }),
      );
      expect(await job.getState()).toBe('completed');
      expect(withKey(key)).toHaveLength(2); // the documented case where a message appears twice
      const attempts = await attemptsOf(key);
      expect(attempts.map((a) => a.status)).toEqual(['failed', 'sent']);
      expect(attempts[1].error_message).toBe(
        'posted without knowing whether an earlier attempt had posted it (channel history unreadable: missing_scope); it may appear twice',
      );
    });

    it('export_ready is posted once per export, however often it is enqueued', async () => {
      const exportJobId = await w.rows.exportJob({
        requested_by: dev,
        export_type: 'prs',
        format: 'json',
        status: 'completed',
        file_path: '/tmp/y',
        file_size_bytes: 2048,
        config: { organization_id: ORG },
      });
      const before = slack.posted.length;
      await w.h.settle(await w.h.pool.producer.enqueue(slackNotify, { kind: 'export_ready', exportJobId }, { jobId: `first-${exportJobId}` }));
      const second = await w.h.settle(await w.h.pool.producer.enqueue(slackNotify, { kind: 'export_ready', exportJobId }, { jobId: `second-${exportJobId}` }));
      expect(second.returnvalue).toMatchObject({ alreadySent: true });
      expect(slack.posted.length - before).toBe(1);
    });
  });
});
