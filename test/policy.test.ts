import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PDFParse } from 'pdf-parse';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../src/crypto/secrets.js';
import { SlackStandIn } from '../src/dev/slack-stand-in.js';
import { EXPORT_TYPES, PERSON_EXPORT_TYPES } from '../src/exports/definitions.js';
import { requestExport } from '../src/exports/request.js';
import { insightGenerate, reportDeliver, slackInsightAlert, slackNotify } from '../src/jobs/index.js';
import { setOrganizationPolicy } from '../src/organizations/index.js';
import { runCustomReport } from '../src/reports/run.js';
import { installSlackIntegration } from '../src/slack/integrations.js';
import { SmtpStandIn } from './helpers/smtp.js';
import { runCliProcess } from './helpers/spawn.js';
import { useStandIn, useTestWorld } from './hooks.js';

const ORG = 'c0c0c0c0-0000-4000-8000-00000000000c';
const PEOPLE = [
  { login: 'ann-p', name: 'Ann Archer', email: 'ann@policy.example', team: 'Big' },
  { login: 'bo-p', name: 'Bo Baker', email: 'bo@policy.example', team: 'Big' },
  { login: 'cy-p', name: 'Cy Carter', email: 'cy@policy.example', team: 'Big' },
  { login: 'dee-p', name: 'Dee Dalton', email: 'dee@policy.example', team: 'Duo' },
  { login: 'eve-p', name: 'Eve Evans', email: 'eve@policy.example', team: 'Duo' },
];
const ALERTABLE = { confidence: 0.8, factors: [], recommendations: ['Talk.'], data_window_days: 30, generated_by_model: 'stand-in' };

/**
 * An organization's policy for numbers about people: with `off`, nothing it makes (reports in every
 * format, exports of every type, Slack messages) names a person, while team numbers remain; a team
 * of fewer people than the group size has its numbers withheld; with `leads`, numbers per person go
 * to its teams' leads only.
 */
describe('the policy for numbers about people', () => {
  let slack: SlackStandIn;
  let smtp: SmtpStandIn;
  const dev: Record<string, string> = {};
  const team: Record<string, string> = {};
  const now = new Date('2026-03-31T00:00:00Z');
  useStandIn(async () => (slack = await new SlackStandIn().start()));
  useStandIn(async () => (smtp = await new SmtpStandIn().start()));
  const w = useTestWorld({
    harness: true,
    settings: () => ({ SMTP_URL: smtp.url, SLACK_API_URL: slack.url, SLACK_TIMEOUT_MS: '2000', ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}` }),
  });
  const em = () => w.db.orm.em.fork();
  /** Everything that names a person of the organization: none may appear where the policy is off. */
  const marks = () => PEOPLE.flatMap((p) => [p.login, p.name, p.email, dev[p.login]!]);
  const nobody = (text: string, what: string) => {
    for (const m of marks()) expect(text, `${what} names ${m}`).not.toContain(m);
  };

  beforeAll(async () => {
    for (const [i, p] of PEOPLE.entries()) dev[p.login] = await w.rows.developer({ githubId: 500 + i, login: p.login, name: p.name, email: p.email });
    for (const name of ['Big', 'Duo'])
      team[name] = await w.rows.team({ name, organizationId: ORG, developerIds: PEOPLE.filter((p) => p.team === name).map((p) => dev[p.login]!) });
    await w.rows.trackedRepository({ fullName: 'pol/app', organizationId: ORG });
    // March: Big 3 + 2 + 1 commits, Duo 4 + 1.
    let n = 0;
    for (const [login, count] of [
      ['ann-p', 3],
      ['bo-p', 2],
      ['cy-p', 1],
      ['dee-p', 4],
      ['eve-p', 1],
    ] as const)
      for (let k = 0; k < count; k++)
        await w.rows.commit({
          sha: `${(n += 1)}`.padStart(40, 'c'),
          developer_id: dev[login],
          repository_name: 'app',
          repository_full_name: 'pol/app',
          message: 'work',
          additions: 10,
          deletions: 1,
          committed_at: `2026-03-1${k}T10:00:00Z`,
        });
    slack.users.push({ id: 'U0ANN', team: 'T0STANDIN', email: 'ann@policy.example', name: 'ann' });
    await installSlackIntegration(em(), new KeyRing(w.config.ENCRYPTION_KEYS!), {
      organizationId: ORG,
      teamId: 'T0STANDIN',
      botToken: 'xoxb-standin-token',
      defaultChannelId: 'C0ALERTS',
      userMappings: { U0ANN: dev['ann-p']! },
    });
    // Ann leads Big; Duo has no lead; a private channel exists for alerts about people.
    slack.privateChannels.add('G0PEOPLE');
    slack.channels.add('G0PEOPLE');
    await w.db.sql.query(`UPDATE slack_integrations SET notification_settings = $1`, [
      { team_leads: { [team.Big!]: ['U0ANN'] }, private_alert_channel: 'G0PEOPLE' },
    ]);
  });

  const report = (filters: object = {}) =>
    w.rows.customReport({
      organization_id: ORG,
      name: 'Monthly',
      widgets: [
        { type: 'number', metric: 'commits' },
        { type: 'table', metric: 'commits', config: { title: 'Commits by developer' } },
        { type: 'bar', metric: 'commits', config: { group_by: 'team', title: 'Commits by team' } },
        { type: 'table', metric: 'career_readiness' },
        { type: 'line', metric: 'commits', config: { group_by: 'week' } },
      ],
      filters: { date_range: { start: '2026-03-01', end: '2026-03-31' }, ...filters },
    });
  const rendered = async (id: string, format: 'json' | 'csv' | 'pdf') => {
    const r = await runCustomReport(em(), id, format, w.dir, now);
    if (format !== 'pdf') return readFile(r.path, 'utf8');
    return (await new PDFParse({ data: await readFile(r.path) }).getText()).text;
  };

  it('with individual metrics off, a report in JSON, CSV and PDF names no one; team numbers remain; a team of two is withheld', async () => {
    await setOrganizationPolicy(em(), ORG, { individualMetrics: 'off' });
    const id = await report();
    const json = JSON.parse(await rendered(id, 'json'));
    // 11 commits in March by the organization's five people.
    expect(json.widgets[0]).toMatchObject({ type: 'number', value: 11 });
    expect(json.widgets[1]).toMatchObject({ type: 'error', error: expect.stringContaining('shows a number per person, and individual metrics are off') });
    // Big (3 people): 6 commits; Duo (2) withheld.
    expect(json.widgets[2].items).toEqual([{ label: 'Big', value: 6 }]);
    expect(json.widgets[3]).toMatchObject({ type: 'error', error: expect.stringContaining('career_readiness is a number per person') });
    for (const format of ['json', 'csv', 'pdf'] as const) nobody(await rendered(id, format), `the ${format} report`);
    // A report about Duo alone: every number withheld.
    const duo = JSON.parse(await rendered(await report({ team_ids: [team.Duo] }), 'json'));
    expect(duo.widgets.map((x: { type: string; error?: string }) => [x.type, x.error?.replace(/^widget \d+: /, '')])).toEqual(
      Array(5).fill(['error', 'withheld: fewer than 3 people (2) (aexy org policy)']),
    );
    expect(duo.delivery).toBeUndefined();
    // Emailed on its schedule: the message and its PDF name no one either.
    const scheduled = await w.rows.insert('scheduled_reports', {
      report_id: id,
      schedule: 'daily',
      time_utc: '09:00',
      recipients: ['team@policy.example'],
      delivery_method: 'email',
      export_format: 'pdf',
      is_active: true,
    });
    const sent = await w.h.settle(await w.h.pool.producer.enqueue(reportDeliver, { scheduledReportId: scheduled }));
    expect(sent.failedReason).toBeUndefined();
    const mail = smtp.messages.at(-1)!;
    const attachment = (await new PDFParse({ data: mail.attachments[0]!.content }).getText()).text;
    for (const [what, text] of [
      ['the email', `${mail.subject} ${mail.html} ${mail.text}`],
      ['its PDF', attachment],
    ] as const)
      nobody(text, what);
    // A report filtered by developer is a view per person: refused.
    await expect(runCustomReport(em(), await report({ developer_ids: [dev['ann-p']] }), 'json', w.dir, now)).rejects.toThrow(
      'Report "Monthly" filters by developer, and individual metrics are off',
    );
  });

  it('with individual metrics off, exports that name people are refused with the reason; the others name no one', async () => {
    for (const type of PERSON_EXPORT_TYPES)
      await expect(
        requestExport(em(), w.h.pool.producer, {
          exportType: type,
          format: 'csv',
          config: { organization_id: ORG, date_range: { start: '2026-03-01', end: '2026-03-31' } },
        }),
      ).rejects.toThrow(`export_type: ${type} exports name people, and individual metrics are off for organization ${ORG}`);
    const others = EXPORT_TYPES.filter((t) => !(PERSON_EXPORT_TYPES as readonly string[]).includes(t));
    expect(others).toEqual(['team_metrics', 'deployments', 'incidents']);
    for (const type of others) {
      const id = await requestExport(em(), w.h.pool.producer, {
        exportType: type,
        format: 'json',
        config: { organization_id: ORG, date_range: { start: '2026-03-01', end: '2026-03-31' } },
      });
      await w.h.idle(['exports']);
      const { rows } = await w.db.sql.query(`SELECT status, file_path FROM export_jobs WHERE id = $1`, [id]);
      expect(rows[0].status).toBe('completed');
      const text = await readFile(rows[0].file_path, 'utf8');
      nobody(text, `the ${type} export`);
      if (type === 'team_metrics')
        // Big's numbers; Duo's (two people) withheld.
        expect(JSON.parse(text).map((r: { team: string; members: number; commits: number | null }) => [r.team, r.members, r.commits])).toEqual([
          ['Big', 3, 6],
          ['Duo', 2, null],
        ]);
    }
  });

  it('with individual metrics off, no insight about a person is made or alerted; a team of two gets none; Slack messages name no one', async () => {
    const before = slack.posted.length;
    const gen = await w.h.settle(
      await w.h.pool.producer.enqueue(insightGenerate, { insightType: 'burnout_risk', developerId: dev['bo-p']!, organizationId: ORG }),
    );
    expect(gen.returnvalue).toEqual({ skipped: 'individual metrics are off' });
    // One made before the policy changed is not alerted either.
    const old = await w.rows.insight({ developerId: dev['bo-p'], type: 'burnout_risk', riskScore: 0.9, organizationId: ORG, ...ALERTABLE });
    const alert = await w.h.settle(await w.h.pool.producer.enqueue(slackInsightAlert, { insightId: old }));
    expect(alert.returnvalue).toEqual({ skipped: `individual metrics are off for organization ${ORG}` });
    const duo = await w.h.settle(await w.h.pool.producer.enqueue(insightGenerate, { insightType: 'team_health', teamId: team.Duo!, force: true }));
    expect(duo.returnvalue).toEqual({ skipped: 'withheld: fewer than 3 people (2) (aexy org policy)' });
    // The weekly summaries: Big's is posted, Duo's withheld.
    for (const t of ['Big', 'Duo']) await w.h.settle(await w.h.pool.producer.enqueue(slackNotify, { kind: 'weekly_team_summary', teamId: team[t]! }));
    const posted = slack.posted.slice(before);
    expect(posted.map((m) => m.text)).toEqual([expect.stringContaining('Big')]);
    for (const m of posted) nobody(`${m.text} ${JSON.stringify(m.blocks)}`, 'a Slack message');
    // A career path stays its person's own: Ann hears of hers, by direct message, whatever the policy.
    const role = await w.rows.insert('career_roles', { name: 'Senior', level: 3, required_skills: { testing: 50 } });
    const path = await w.rows.insert('learning_paths', {
      developer_id: dev['ann-p'],
      target_role_id: role,
      started_at: '2026-03-10T00:00:00Z',
      status: 'completed',
    });
    const career = await w.h.settle(await w.h.pool.producer.enqueue(slackNotify, { kind: 'career_path', learningPathId: path }));
    expect(career.returnvalue).toMatchObject({ user: 'U0ANN', channel: 'D0ANN' });
  });

  it('with leads, numbers per person go to the teams’ leads only: their exports, their direct messages, never a channel', async () => {
    await setOrganizationPolicy(em(), ORG, { individualMetrics: 'leads' });
    const commits = (requestedBy: string) =>
      requestExport(em(), w.h.pool.producer, { exportType: 'commits', format: 'csv', requestedBy, config: { organization_id: ORG } });
    await expect(commits(dev['bo-p']!)).rejects.toThrow(
      `commits exports name people, and individual metrics of organization ${ORG} are for its team leads only`,
    );
    expect(await commits(dev['ann-p']!)).toMatch(/^[0-9a-f-]{36}$/);
    // A report per developer: withheld for anyone but a lead who asked for it.
    const id = await report();
    expect(JSON.parse(await rendered(id, 'json')).widgets[1]).toMatchObject({ type: 'error', error: expect.stringContaining('are for its team leads only') });
    // Bo's alert reaches Ann (Big's lead) by direct message; Dee's (Duo has no lead) goes nowhere, not to the private channel.
    const before = slack.posted.length;
    const bo = await w.rows.insight({ developerId: dev['bo-p'], type: 'burnout_risk', riskScore: 0.9, organizationId: ORG, ...ALERTABLE });
    await w.h.settle(await w.h.pool.producer.enqueue(slackInsightAlert, { insightId: bo }));
    const dee = await w.rows.insight({ developerId: dev['dee-p'], type: 'burnout_risk', riskScore: 0.9, organizationId: ORG, ...ALERTABLE });
    const deeAlert = await w.h.settle(await w.h.pool.producer.enqueue(slackInsightAlert, { insightId: dee }));
    expect(deeAlert.returnvalue).toEqual({ [ORG]: { skipped: expect.stringContaining('shows numbers per person to team leads only') } });
    const posted = slack.posted.slice(before).filter((m) => String(m.metadata?.event_payload.idempotency_key).startsWith('insight_alert:'));
    expect(posted.map((m) => m.channel)).toEqual(['D0ANN']);
    expect(posted.some((m) => m.channel === 'G0PEOPLE')).toBe(false);
  });

  it('aexy org policy shows and sets the policy; what does not fit is refused with the reason', async () => {
    const env = { DATABASE_URL: w.db.url, REDIS_URL: w.config.REDIS_URL, QUEUE_PREFIX: w.config.QUEUE_PREFIX, LOG_LEVEL: 'silent' };
    const set = await runCliProcess(['org', 'policy', '--organization', ORG, '--individual-metrics', 'off', '--min-group-size', '4'], env);
    expect([set.code, set.stdout.trim()]).toEqual([0, `organization ${ORG}: individual_metrics off, min_group_size 4`]);
    const bad = await runCliProcess(['org', 'policy', '--organization', ORG, '--individual-metrics', 'nobody'], env);
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining('individual_metrics "nobody" must be one of all, leads, off')]);
    await setOrganizationPolicy(em(), ORG, { individualMetrics: 'leads', minGroupSize: 3 });
    await expect(setOrganizationPolicy(em(), ORG, { individualMetrics: 'some' })).rejects.toThrow('individual_metrics "some" must be one of all, leads, off');
    await expect(setOrganizationPolicy(em(), ORG, { minGroupSize: '0' })).rejects.toThrow('min_group_size "0" must be a whole number from 1 to 50');
    await expect(setOrganizationPolicy(em(), 'acme', {})).rejects.toThrow('organization "acme" must be an organization UUID');
    expect(await setOrganizationPolicy(em(), ORG, { minGroupSize: 2 })).toEqual({ individual_metrics: 'leads', min_group_size: 2 });
  });
});
