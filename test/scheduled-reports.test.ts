import { beforeAll, describe, expect, it } from 'vitest';
import { buildBoardServer } from '../src/board/server.js';
import { createLogger } from '../src/lib/logger.js';
import type { ReportData } from '../src/reports/data.js';
import { reportEmail, reportFileName } from '../src/reports/email.js';
import { periodLabel } from '../src/lib/dates.js';
import { reportDeliver, reportReconcile } from '../src/jobs/index.js';
import { useTestWorld, useStandIn } from './hooks.js';
import { METRICS_ORG, seedMetricsFixture } from './helpers/metrics-data.js';
import { SmtpStandIn } from './helpers/smtp.js';
import { SlackStandIn } from '../src/dev/slack-stand-in.js';
import { KeyRing } from '../src/crypto/secrets.js';
import { randomBytes } from 'node:crypto';

describe('scheduled reports: schedulers reconciled from the table, delivery by email', () => {
  let smtp: SmtpStandIn;
  let slack: SlackStandIn;
  const ORG = METRICS_ORG; // the fixture's teams: the reports count them
  let reportId: string;

  useStandIn(async () => (smtp = await new SmtpStandIn().start()));
  useStandIn(async () => (slack = await new SlackStandIn().start()));
  const w = useTestWorld({
    harness: true,
    settings: () => ({
      SMTP_URL: smtp.url,
      SLACK_API_URL: slack.url,
      SLACK_TIMEOUT_MS: '2000',
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      PUBLIC_URL: 'https://aexy.example.com',
      DOWNLOAD_SIGNING_SECRET: randomBytes(32).toString('hex'),
    }),
  });

  beforeAll(async () => {
    await seedMetricsFixture(w.db);
    reportId = await w.rows.customReport({
      name: 'Weekly pulse',
      organization_id: ORG,
      widgets: [
        { type: 'number', metric: 'commits' },
        { type: 'bar', metric: 'language_mix' },
      ],
      filters: { date_range: { days: 3650 } },
    });
  });

  /** Forget that a schedule's slots were sent (what a run that never happened looks like). */
  const unsend = async (id: string, lastSentAt: string | null = null) => {
    await w.db.sql.query(`UPDATE scheduled_reports SET last_sent_at = $1 WHERE id = $2`, [lastSentAt, id]);
    await w.db.sql.query(`DELETE FROM report_deliveries WHERE scheduled_report_id = $1`, [id]);
    await w.db.sql.query(`DELETE FROM slack_notification_keys WHERE idempotency_key LIKE $1`, [`report:${id}:%`]);
    // …and in Slack: a retry would find the slot's message by its key and not post it again.
    for (let i = slack.messages.length - 1; i >= 0; i -= 1) {
      if (String(slack.messages[i]!.metadata?.event_payload.idempotency_key ?? '').startsWith(`report:${id}:`)) slack.messages.splice(i, 1);
    }
  };

  const insertSchedule = async (cols: Record<string, unknown>) =>
    w.rows.insert('scheduled_reports', {
      report_id: reportId,
      time_utc: '09:00',
      recipients: ['lead@example.com'],
      delivery_method: 'email',
      export_format: 'pdf',
      is_active: true,
      ...cols,
    });

  const schedulers = async () =>
    (await w.h.reader('reports').getJobSchedulers(0, -1, true))
      .filter((s) => s.key.startsWith('scheduled-report-'))
      .map((s) => [s.key.replace('scheduled-report-', ''), s.pattern])
      .sort();

  let daily: string;
  let weekly: string;
  let monthly: string;

  it('each active row becomes a job scheduler; changes and deactivations are reconciled', async () => {
    daily = await insertSchedule({ schedule: 'daily', time_utc: '07:30' });
    weekly = await insertSchedule({ schedule: 'weekly', day_of_week: 1 });
    monthly = await insertSchedule({ schedule: 'monthly', day_of_month: 31, time_utc: '06:00' });
    const off = await insertSchedule({ schedule: 'daily', is_active: false });
    const broken = await insertSchedule({ schedule: 'weekly' }); // no day_of_week

    const first = await w.h.settle(await w.h.pool.producer.enqueue(reportReconcile, {}));
    expect(first.returnvalue).toEqual({ active: 3, upserted: 3, removed: 0, invalid: 1 });
    expect(await schedulers()).toEqual(
      [
        [daily, '30 7 * * *'],
        [weekly, '0 9 * * 1'],
        [monthly, '0 6 28-31 * *'],
      ].sort(),
    );
    const { rows } = await w.db.sql.query(`SELECT id, next_run_at FROM scheduled_reports WHERE id = ANY($1::uuid[])`, [[daily, off, broken]]);
    const next = Object.fromEntries(rows.map((r) => [r.id, r.next_run_at]));
    expect(next[daily].toISOString()).toMatch(/T07:30:00\.000Z$/);
    expect(next[daily].getTime()).toBeGreaterThan(Date.now());
    expect(next[off]).toBeNull();

    // Nothing changed: nothing rewritten.
    expect((await w.h.settle(await w.h.pool.producer.enqueue(reportReconcile, {}))).returnvalue).toEqual({ active: 3, upserted: 0, removed: 0, invalid: 1 });

    await w.db.sql.query(`UPDATE scheduled_reports SET time_utc = '08:15' WHERE id = $1`, [daily]);
    await w.db.sql.query(`UPDATE scheduled_reports SET is_active = false WHERE id = $1`, [weekly]);
    await w.db.sql.query(`DELETE FROM scheduled_reports WHERE id = $1`, [monthly]);
    expect((await w.h.settle(await w.h.pool.producer.enqueue(reportReconcile, {}))).returnvalue).toEqual({ active: 1, upserted: 1, removed: 2, invalid: 1 });
    expect(await schedulers()).toEqual([[daily, '15 8 * * *']]);
  });

  it('a due run renders the report and emails it as an attachment; the same slot is never sent twice', async () => {
    await w.db.sql.query(`UPDATE scheduled_reports SET recipients = $1 WHERE id = $2`, [['lead@example.com', 'cto@example.com', 'not an email'], daily]);
    const done = await w.h.settle(await w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: daily }));
    expect(done.failedReason).toBeUndefined();
    expect(done.returnvalue).toMatchObject({ recipients: 2 });
    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!;
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : []).toEqual(['lead@example.com', 'cto@example.com']);
    // The subject names the period the numbers cover (3650 days to today), not the schedule.
    const today = new Date().toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
    expect(mail.subject).toMatch(new RegExp(`^Weekly pulse: \\d{1,2} [A-Z][a-z]{2} \\d{4} – ${today}$`));
    // HTML with the key numbers and their change (the fixture's 6 commits; none in the 3650 days before), and the same as text.
    expect(mail.html).toContain('<h1 style="margin:0 0 4px;font-size:20px;color:#111827">Weekly pulse</h1>');
    expect(mail.html).toMatch(/>Commits<\/td><td[^>]*>6 commits<\/td><td[^>]*>\+6 from 0<\/td>/);
    expect(mail.text).toContain('Commits: 6 commits (+6 from 0)');
    expect(mail.text).toContain(`The full report is attached: weekly-pulse-${done.returnvalue.slot.slice(0, 10)}.pdf. It is sent daily.`);
    // The delivery's steps are in the job's log (Bull Board's Logs tab).
    const { logs } = await w.h.reader('reports').getJobLogs(done.id!);
    expect(logs.map((l) => l.replace(/^\S+ /, '').replace(/ \{.*$/, ''))).toEqual([
      expect.stringMatching(/^rendered the report for the slot of \S+ as pdf \(\d+ bytes\)$/),
      'emailed to 2 recipient(s)',
    ]);
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]!.filename).toBe(`weekly-pulse-${done.returnvalue.slot.slice(0, 10)}.pdf`);
    expect(mail.attachments[0]!.contentType).toBe('application/pdf');
    expect(mail.attachments[0]!.content.subarray(0, 5).toString()).toBe('%PDF-');

    const { rows } = await w.db.sql.query(`SELECT last_sent_at, next_run_at FROM scheduled_reports WHERE id = $1`, [daily]);
    expect(rows[0].last_sent_at).not.toBeNull();
    expect(rows[0].next_run_at.getTime()).toBeGreaterThan(Date.now());

    // The Message-ID is one per schedule and slot, so a resend after a crash (the claim could not be
    // marked sent) is the same message to mail clients.
    expect(mail.messageId).toMatch(new RegExp(`^<report-${daily}-\\d+@aexy-workers>$`));

    // Re-delivery of the same slot (a retried or duplicated job) sends nothing.
    const again = await w.h.settle(await w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: daily }));
    expect(again.returnvalue).toMatchObject({ skipped: expect.stringMatching(/already delivered/) });
    expect(smtp.messages).toHaveLength(1);
  });

  it('a run missed for days while workers were down is delivered once, not once per missed day', async () => {
    // The last delivery was 4 days ago; today's slot was never sent.
    await unsend(daily, new Date(Date.now() - 4 * 86_400_000).toISOString());
    const before = smtp.messages.length;
    // BullMQ fires a job scheduler's overdue run once when workers come back; deliveries of the same slot are no-ops.
    for (let i = 0; i < 3; i++) await w.h.settle(await w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: daily }));
    expect(smtp.messages.length - before).toBe(1);
  });

  it('SMTP refusals: 4xx is retried, 5xx fails at once with the reason', async () => {
    await unsend(daily);
    smtp.rejectNext = 550;
    const done = await w.h.settle(await w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: daily }));
    expect(await done.getState()).toBe('failed');
    expect(done.attemptsMade).toBe(1);
    expect(done.failedReason).toMatch(/^SMTP delivery failed: .*Mailbox unavailable/);
    expect((await w.db.sql.query(`SELECT last_sent_at FROM scheduled_reports WHERE id = $1`, [daily])).rows[0].last_sent_at).toBeNull();

    smtp.rejectNext = 451;
    const before = smtp.messages.length;
    const retried = await w.h.settle(
      await w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: daily }, { attempts: 3, backoff: { type: 'fixed', delay: 20 } }),
    );
    expect(await retried.getState()).toBe('completed');
    expect(retried.attemptsMade).toBe(2);
    expect(smtp.messages.length - before).toBe(1);
  });

  it('Slack delivery: the file is uploaded and a summary posted, logged, with the token encrypted at rest', async () => {
    const ring = new KeyRing(w.config.ENCRYPTION_KEYS!);
    const integration = await w.rows.slackIntegration({
      organization_id: ORG,
      team_id: 'T0STANDIN',
      team_name: 'Stand-in',
      bot_token: ring.encrypt('xoxb-standin-token'),
      default_channel_id: 'C0ALERTS',
    });
    const stored = (await w.db.sql.query(`SELECT bot_token FROM slack_integrations WHERE id = $1`, [integration])).rows[0].bot_token;
    expect(stored).not.toContain('xoxb');
    expect(stored).toMatch(/^v1:k1:/);

    const sched = await insertSchedule({ schedule: 'daily', delivery_method: 'slack', recipients: ['C0REPORTS'] });
    const done = await w.h.settle(await w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: sched }));
    expect(done.failedReason).toBeUndefined();
    expect(done.returnvalue.slack.channel).toBe('C0REPORTS');
    const upload = [...slack.uploads.values()].at(-1)!;
    expect(upload).toMatchObject({ filename: `weekly-pulse-${done.returnvalue.slot.slice(0, 10)}.pdf`, channel: 'C0REPORTS', title: 'Weekly pulse' });
    expect(upload.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    // The summary's Download button is a signed link to the same file, served by the HTTP process.
    const summaryMsg = slack.posted.at(-1)!;
    const button = (summaryMsg.blocks as { type: string; elements?: { url?: string }[] }[]).find((b) => b.type === 'actions')?.elements?.[0];
    expect(button?.url).toMatch(/^https:\/\/aexy\.example\.com\/reports\/files\/report-[\w.-]+\.pdf\?as=weekly-pulse-\d{4}-\d\d-\d\d\.pdf&expires=\d+&sig=/);
    const board = await buildBoardServer({ config: { ...w.config, BOARD_AUTH_DISABLED: true }, orm: w.db.orm, log: createLogger('silent') });
    try {
      const res = await board.inject({ url: button!.url!.replace('https://aexy.example.com', '') });
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload.equals(upload.bytes)).toBe(true);
    } finally {
      await board.close();
    }
    const msg = slack.posted.at(-1)!;
    expect(msg.channel).toBe('C0REPORTS');
    expect(JSON.stringify(msg.blocks)).toContain('Commits: 6 commits (+6 from 0)');
    // The file is shared in the summary's thread; the summary carries the slot's idempotency key.
    expect(slack.messages.at(-1)).toMatchObject({
      channel: 'C0REPORTS',
      thread_ts: msg.ts,
      files: [{ name: `weekly-pulse-${done.returnvalue.slot.slice(0, 10)}.pdf` }],
    });
    expect(msg.metadata).toEqual({
      event_type: 'aexy_notification',
      event_payload: { idempotency_key: expect.stringMatching(new RegExp(`^report:${sched}:\\d+$`)), notification_type: 'scheduled_report' },
    });
    expect(slack.calls.every((c) => c.token === 'xoxb-standin-token' || c.method === 'upload')).toBe(true);
    const { rows: logs } = await w.db.sql.query(
      `SELECT status, channel_id, message_ts, notification_type, error_message FROM slack_notification_logs WHERE integration_id = $1`,
      [integration],
    );
    expect(logs).toEqual([{ status: 'sent', channel_id: 'C0REPORTS', message_ts: msg.ts, notification_type: 'scheduled_report', error_message: null }]);

    // A channel the bot cannot post to: recorded as failed, not retried.
    const lost = await insertSchedule({ schedule: 'daily', delivery_method: 'slack', recipients: ['C0GONE'] });
    const l = await w.h.settle(await w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: lost }));
    expect(l.attemptsMade).toBe(1);
    expect(l.failedReason).toBe('Slack cannot post there (channel_not_found)');

    // Rate limited: parked until Retry-After, then delivered.
    slack.faults.push({ method: 'chat.postMessage', status: 429, retryAfter: 1, times: 1 });
    await unsend(sched);
    const postsBefore = slack.posted.length;
    const rl = await w.h.settle(await w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: sched }));
    expect(await rl.getState()).toBe('completed');
    expect(slack.posted.length - postsBefore).toBe(1);

    // A revoked token deactivates the integration.
    slack.tokens.clear();
    await unsend(sched);
    const revoked = await w.h.settle(await w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: sched }));
    expect(revoked.failedReason).toBe('Slack refused the bot token (invalid_auth); the integration was deactivated');
    expect((await w.db.sql.query(`SELECT is_active FROM slack_integrations WHERE id = $1`, [integration])).rows[0].is_active).toBe(false);
    const { rows: statuses } = await w.db.sql.query(`SELECT status, count(*)::int AS n FROM slack_notification_logs GROUP BY status ORDER BY status`);
    expect(statuses).toEqual([
      { status: 'failed', n: 3 },
      { status: 'sent', n: 2 },
    ]);
  });

  it('delivery_method both: a retry after a failed email does not post to Slack twice', async () => {
    await w.db.sql.query(`UPDATE slack_integrations SET is_active = true`);
    slack.tokens.set('xoxb-standin-token', 'T0STANDIN');
    const both = await insertSchedule({ schedule: 'daily', delivery_method: 'both', recipients: ['C0REPORTS', 'lead@example.com'] });
    const [posts, mails] = [slack.posted.length, smtp.messages.length];
    smtp.rejectNext = 451;
    const done = await w.h.settle(
      await w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: both }, { attempts: 3, backoff: { type: 'fixed', delay: 20 } }),
    );
    expect(await done.getState()).toBe('completed');
    expect(done.attemptsMade).toBe(2);
    expect(slack.posted.length - posts).toBe(1);
    expect(smtp.messages.length - mails).toBe(1);
    expect(done.returnvalue).toMatchObject({ slack: 'already delivered for this slot', recipients: 1 });
    const { rows } = await w.db.sql.query(`SELECT channel, status FROM report_deliveries WHERE scheduled_report_id = $1 ORDER BY channel`, [both]);
    expect(rows).toEqual([
      { channel: 'email', status: 'sent' },
      { channel: 'slack', status: 'sent' },
    ]);
  });

  it("delivery_method both: Slack failing does not keep the email from going; a report without organization_id goes to its creator's organization's Slack", async () => {
    await w.db.sql.query(`UPDATE slack_integrations SET is_active = true`);
    slack.tokens.set('xoxb-standin-token', 'T0STANDIN');
    // The report names no organization: rendering takes its creator's only one, and so does its Slack delivery.
    const creator = (await w.db.sql.query(`SELECT id FROM developers WHERE github_username = 'ann'`)).rows[0].id;
    await w.db.sql.query(`UPDATE custom_reports SET organization_id = NULL, creator_id = $2 WHERE id = $1`, [reportId, creator]);
    try {
      const both = await insertSchedule({ schedule: 'daily', delivery_method: 'both', recipients: ['C0REPORTS', 'lead@example.com'] });
      const [posts, mails] = [slack.posted.length, smtp.messages.length];
      slack.faults.push({ method: 'chat.postMessage', error: 'internal_error', times: 1 });
      const failed = await w.h.settle(await w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: both }, { attempts: 1 }));
      expect(failed.failedReason).toMatch(/internal_error/);
      // The email went all the same; Slack did not.
      expect(smtp.messages.length - mails).toBe(1);
      expect(slack.posted.length - posts).toBe(0);
      // The next run for the slot posts to Slack only (the email's claim is kept).
      const again = await w.h.settle(await w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: both }, { jobId: `again-${both}` }));
      expect(again.failedReason).toBeUndefined();
      expect(again.returnvalue).toMatchObject({ email: 'already delivered for this slot' });
      expect(slack.posted.length - posts).toBe(1);
      expect(slack.posted.at(-1)!.channel).toBe('C0REPORTS');
      expect(smtp.messages.length - mails).toBe(1);
    } finally {
      await w.db.sql.query(`UPDATE custom_reports SET organization_id = $2, creator_id = NULL WHERE id = $1`, [reportId, ORG]);
    }
  });

  it('Slack delivery interrupted after the message was posted: the retry completes it, never posting the message or the file twice', async () => {
    await w.db.sql.query(`UPDATE slack_integrations SET is_active = true`);
    slack.tokens.set('xoxb-standin-token', 'T0STANDIN');
    const inThread = (ts: string) => slack.messages.filter((m) => m.thread_ts === ts && m.files?.length);
    const opts = { attempts: 3, backoff: { type: 'fixed' as const, delay: 20 } };

    // 1. The upload fails after the message was posted: the retry finds the message and uploads the file.
    const a = await insertSchedule({ schedule: 'daily', delivery_method: 'slack', recipients: ['C0REPORTS'] });
    slack.faults.push({ method: 'files.getUploadURLExternal', error: 'internal_error', times: 1 });
    let posts = slack.posted.length;
    const first = await w.h.settle(await w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: a }, opts));
    expect(await first.getState()).toBe('completed');
    expect(first.attemptsMade).toBe(2);
    expect(slack.posted.length - posts).toBe(1);
    let msg = slack.posted.at(-1)!;
    expect(inThread(msg.ts)).toHaveLength(1);

    // 2. The file was shared but the answer was lost: the retry finds both and uploads nothing.
    const b = await insertSchedule({ schedule: 'daily', delivery_method: 'slack', recipients: ['C0REPORTS'] });
    slack.faults.push({ method: 'files.completeUploadExternal', swallow: true, times: 1 });
    posts = slack.posted.length;
    const uploads = slack.uploads.size;
    const second = await w.h.settle(await w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: b }, opts));
    expect(await second.getState()).toBe('completed');
    expect(second.attemptsMade).toBe(2);
    expect(slack.posted.length - posts).toBe(1);
    msg = slack.posted.at(-1)!;
    expect(inThread(msg.ts)).toHaveLength(1);
    expect(slack.uploads.size - uploads).toBe(1);
    expect(second.returnvalue.slack).toEqual({ channel: 'C0REPORTS', ts: msg.ts });
  });

  it('a report name and widget titles from users are inert in the Slack message', async () => {
    await w.db.sql.query(`UPDATE slack_integrations SET is_active = true`);
    slack.tokens.set('xoxb-standin-token', 'T0STANDIN');
    const hostileReport = await w.rows.customReport({
      name: '<!channel> pulse',
      organization_id: ORG,
      widgets: [{ type: 'number', metric: 'commits', config: { title: '<https://evil.example|click me> & co' } }],
      filters: { date_range: { days: 3650 } },
    });
    const id = await w.rows.insert('scheduled_reports', {
      report_id: hostileReport,
      schedule: 'daily',
      time_utc: '09:00',
      recipients: ['C0REPORTS'],
      delivery_method: 'slack',
      export_format: 'pdf',
    });
    const done = await w.h.settle(await w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: id }));
    expect(done.failedReason).toBeUndefined();
    const msg = slack.posted.at(-1)!;
    expect(msg.text).toMatch(/^&lt;!channel&gt; pulse: report for /);
    const blocks = JSON.stringify(msg.blocks);
    expect(blocks).toContain('&lt;https://evil.example|click me&gt; &amp; co: 6 commits');
    // Everything Slack parses as mrkdwn (the fallback text, mrkdwn blocks) is escaped; a plain_text
    // header is shown as typed and never parsed, so it keeps the characters.
    const mrkdwn = JSON.stringify([
      msg.text,
      ...(msg.blocks as { type: string; text?: { type: string; text: string }; elements?: { type: string; text: string }[] }[]).flatMap((b) => [
        ...(b.text?.type === 'mrkdwn' ? [b.text.text] : []),
        ...(b.elements ?? []).filter((e) => e.type === 'mrkdwn').map((e) => e.text),
      ]),
    ]);
    expect(mrkdwn).not.toMatch(/<!channel>|<https:\/\/evil/);
    expect((msg.blocks as { type: string; text: { type: string; text: string } }[])[0]!.text).toEqual({ type: 'plain_text', text: '<!channel> pulse' });
  });

  it('two jobs for one slot at once (a scheduler tick and a manual run): the slot is claimed, sent once', async () => {
    const twice = await insertSchedule({ schedule: 'daily', recipients: ['lead@example.com'] });
    const before = smtp.messages.length;
    // Distinct job ids get past the queue's deduplication, as a manual run next to a tick does.
    const jobs = await Promise.all(
      ['a', 'b'].map((k) => w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: twice }, { jobId: `manual-${twice}-${k}` })),
    );
    const done = await Promise.all(jobs.map((j) => w.h.settle(j)));
    expect(done.map((d) => d.failedReason)).toEqual([undefined, undefined]);
    expect(smtp.messages.length - before).toBe(1);
    const outcomes = done.map((d) => d.returnvalue.email ?? d.returnvalue.skipped ?? 'sent').sort();
    expect(outcomes).toHaveLength(2);
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(1);
  });

  it('monthly on the 31st: a firing for the target day delivers its slot even when it runs days later; other firings skip', async () => {
    const monthly = await insertSchedule({ schedule: 'monthly', day_of_month: 31, time_utc: '09:00' });
    // The job scheduler fires on days 28-31; BullMQ names each job by the time it was due.
    const due = (d: number) => `repeat:scheduled-report-${monthly}:${Date.UTC(2026, 9, d, 9, 0)}`;
    const skipped = await w.h.settle(await w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: monthly }, { jobId: due(28) }));
    expect(skipped.returnvalue).toEqual({ skipped: 'not the target day of 2026-10' });
    const before = smtp.messages.length;
    // Fired for October 31st and run weeks later (workers were down): still October's report.
    const late = await w.h.settle(await w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: monthly }, { jobId: due(31) }));
    expect(late.failedReason).toBeUndefined();
    expect(late.returnvalue).toMatchObject({ slot: '2026-10-31T09:00:00.000Z' });
    expect(smtp.messages.length - before).toBe(1);
  });

  it('rows that cannot be delivered fail with a clear reason', async () => {
    const nobody = await insertSchedule({ schedule: 'daily', recipients: ['nope'] });
    const n = await w.h.settle(await w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: nobody }));
    expect(n.failedReason).toMatch(/has no valid email recipients/);
    expect(n.attemptsMade).toBe(1);
    // NULL entries written by another application: skipped with a warning, the rest delivered.
    const withNull = await insertSchedule({ schedule: 'daily', recipients: [null, 'lead@example.com', null] });
    const before = smtp.messages.length;
    const ok = await w.h.settle(await w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: withNull }));
    expect(ok.failedReason).toBeUndefined();
    expect(ok.returnvalue).toMatchObject({ recipients: 1 });
    expect(smtp.messages.length - before).toBe(1);
    // Only NULLs (or a NULL array): a clear permanent failure, not a TypeError retried.
    for (const recipients of [[null], null]) {
      const id = await insertSchedule({ schedule: 'daily' });
      await w.db.sql.query(`UPDATE scheduled_reports SET recipients = $1 WHERE id = $2`, [recipients, id]);
      const bad = await w.h.settle(await w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: id }));
      expect(bad.failedReason).toMatch(/has no valid email recipients/);
      expect(bad.attemptsMade).toBe(1);
    }
  });
});

describe('the report email: subject, names and numbers as people read them', () => {
  const data = (name: string, title: string): ReportData => ({
    report: { id: 'r', name, description: null, organizationId: 'o' },
    layout: { columns: 2, rows: 2 },
    generatedAt: '2026-11-23T09:00:00.000Z',
    window: { start: '2026-08-25T09:00:00.000Z', end: '2026-11-23T09:00:00.000Z' },
    previousWindow: { start: '2026-05-27T09:00:00.000Z', end: '2026-08-25T09:00:00.000Z' },
    filters: {},
    widgets: [
      { index: 0, title, type: 'number', metric: 'commits', unit: 'commits', value: 120, previous: 108 },
      { index: 1, title: 'Cycle time', type: 'number', metric: 'pr_cycle_time', unit: 'hours', value: 18.25, previous: 22 },
      { index: 2, title: 'Reviews', type: 'number', metric: 'reviews_given', unit: 'reviews', value: null, previous: 4 },
    ],
  });

  it('names the period the numbers cover, and the file after the report and the day', () => {
    const mail = reportEmail(data('Engineering weekly', 'Commits'), { schedule: 'weekly', slot: new Date('2026-11-23T09:00:00Z'), format: 'pdf' });
    expect(mail.subject).toBe('Engineering weekly: 25 Aug – 23 Nov 2026');
    expect(mail.filename).toBe('engineering-weekly-2026-11-23.pdf');
    expect(mail.text).toContain('Commits: 120 commits (+12 (+11%) from 108)');
    expect(mail.text).toContain('Cycle time: 18.3 hours (−3.7 (−17%) from 22)');
    expect(mail.text).toContain('Reviews: —');
    // The period before ends where this one starts, at 09:00 on 25 Aug: both include part of that day.
    expect(mail.text).toContain('Changes are against 27 May – 25 Aug 2026.');
    expect(periodLabel('2026-11-16T00:00:00Z', '2026-11-23T00:00:00Z')).toBe('16 – 22 Nov 2026');
    expect(reportFileName('Équipe « Core » / Q4', new Date('2026-11-23T00:00:00Z'), 'csv')).toBe('equipe-core-q4-2026-11-23.csv');
    expect(reportFileName('!!!', new Date('2026-11-23T00:00:00Z'), 'json')).toBe('report-2026-11-23.json');
  });

  it('escapes what users wrote in the HTML, and keeps the subject on one line', () => {
    const mail = reportEmail(data('<img src=x onerror=alert(1)> & "Q4"\r\nBcc: x@evil.example', '<b>Commits</b>'), {
      schedule: 'weekly',
      slot: new Date('2026-11-23T09:00:00Z'),
      format: 'pdf',
    });
    expect(mail.html).not.toMatch(/<img|<b>Commits/);
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Q4&quot;');
    expect(mail.html).toContain('&lt;b&gt;Commits&lt;/b&gt;');
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });
});
