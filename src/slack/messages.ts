import { dayRange } from '../lib/dates.js';
import { shownChange, toTenth } from '../lib/numbers.js';
import type { KnownBlock } from '@slack/web-api';

/**
 * The Block Kit messages we post, built from plain rows. Every string from users, other
 * applications or a model goes through `esc` (mrkdwn) or a plain_text field; `clip` keeps each part
 * within Slack's limits (header 150, section 3000, message text 40,000 characters, 50 blocks).
 */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

export const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * Text from users, other applications or a model, made inert for Slack's mrkdwn (and for the
 * message's fallback `text`, which Slack parses the same way): `&`, `<` and `>` are escaped as Slack's
 * formatting rules ask, so `<!channel>`, `<!everyone>`, `<@U…>` and `<https://x|disguised links>`
 * arrive as the characters they are.
 */
export function esc(text: string | null | undefined): string {
  return (text ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const kb = (n: number | string | null) => (n === null ? '—' : `${Math.max(1, Math.round(Number(n) / 1024)).toLocaleString('en-US')} KB`);
const utcMinute = (d: string | null) => (d ? new Date(d).toISOString().slice(0, 16).replace('T', ' ') : '—');

export interface ExportReadyRow {
  export_type: string;
  format: string;
  file_size_bytes: string | null;
  expires_at: string | null;
  requested_by: string | null;
  login: string | null;
}

/** An export is ready: sent to its requester alone (a direct message). */
/** An export is ready; with a signed link (PUBLIC_URL and DOWNLOAD_SIGNING_SECRET set), a button to download it. */
export function exportReadyMessage(e: ExportReadyRow, downloadUrl: string | null = null): SlackMessage {
  return {
    text: `Export ready: ${esc(e.export_type)}.${esc(e.format)} (${kb(e.file_size_bytes)})`,
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: clip(`Your export *${esc(e.export_type)}* (${esc(e.format)}, ${kb(e.file_size_bytes)}) is ready.`, 3000) },
      },
      ...(downloadUrl && downloadUrl.length <= 3000
        ? [
            {
              type: 'actions',
              elements: [
                {
                  type: 'button',
                  action_id: 'download_export',
                  text: { type: 'plain_text', text: `Download ${e.format.toUpperCase().slice(0, 20)}` },
                  url: downloadUrl,
                },
              ],
            } as KnownBlock,
          ]
        : []),
      { type: 'context', elements: [{ type: 'mrkdwn', text: clip(`Available until ${utcMinute(e.expires_at)} UTC`, 3000) }] },
    ],
  };
}

export function syncFailureDigestMessage(failures: { full_name: string; last_error: string }[]): SlackMessage {
  const text = `GitHub sync: ${failures.length} repositor${failures.length === 1 ? 'y is' : 'ies are'} failing`;
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(text, 150) } },
      ...failures
        .slice(0, 20)
        .map((f): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(`*${esc(f.full_name)}*: ${esc(f.last_error)}`, 3000) } })),
      ...(failures.length > 20 ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${failures.length - 20} more` }] } as KnownBlock] : []),
    ],
  };
}

export interface TeamWeek {
  commits: number | null;
  prsMerged: number | null;
  reviews: number | null;
  cycleHours: number | null;
  firstReviewHours: number | null;
  /** successful production deployments that shipped the team's work */
  deployments: number | null;
  leadTimeHours: number | null;
  /** 0..1 */
  changeFailureRate: number | null;
  restoreHours: number | null;
  /** medians, in hours, of the phases of the pull requests merged in the week */
  phases: Record<(typeof PHASES)[number], number | null>;
  /** the team's issues (opened or assigned): opened, resolved, median cycle hours, bug share and the share of merged PRs linked to one */
  issues: { opened: number | null; resolved: number | null; cycleHours: number | null; bugShare: number | null; linkedShare: number | null };
}

/** The issues line: opened, resolved, their median cycle, the bugs' share, and how many merged PRs were linked to an issue, each against the week before. */
export function issuesLine(w: TeamWeek, before: TeamWeek): string {
  const now = w.issues;
  const was = before.issues;
  if (!now.opened && !now.resolved && !was.opened && !was.resolved && now.linkedShare === null)
    return 'no issues opened or resolved this week or the week before';
  const pct = (x: number | null) => (x === null ? null : x * 100);
  return [
    `${now.opened ?? 0} opened (${changeFrom(now.opened ?? 0, was.opened)})`,
    `${now.resolved ?? 0} resolved (${changeFrom(now.resolved ?? 0, was.resolved)})`,
    `median cycle ${withChange(now.cycleHours, was.cycleHours, ' h')}`,
    `bugs ${withChange(pct(now.bugShare), pct(was.bugShare), ' %')}`,
    `merged PRs linked to an issue ${withChange(pct(now.linkedShare), pct(was.linkedShare), ' %')}`,
  ].join(' · ');
}

/** The phases of the "where work waited" line, in the order work goes through them. */
export const PHASES = ['coding_time', 'pickup_time', 'review_time', 'merge_time', 'deploy_time'] as const;

/** "coding 24 h (+2 h from 22 h) · pickup 2 h (same) · …": the median of each phase of the pull requests merged, against the week before. */
export function waitedLine(w: TeamWeek, before: TeamWeek): string {
  if (PHASES.every((p) => w.phases[p] === null)) return 'no pull request with its lifecycle merged this week';
  return PHASES.map((p) => `${p.replace('_time', '')} ${withChange(w.phases[p], before.phases[p], ' h')}`).join(' · ');
}

/** The delivery line: the team's deployments and the DORA numbers, each against the week before; one sentence when neither week deployed. */
export function deliveryLine(w: TeamWeek, before: TeamWeek): string {
  if (!w.deployments && !before.deployments && w.changeFailureRate === null && before.changeFailureRate === null)
    return 'no production deployments this week or the week before';
  const pct = (x: number | null) => (x === null ? null : x * 100);
  return [
    `${w.deployments ?? 0} ${w.deployments === 1 ? 'deployment' : 'deployments'} (${changeFrom(w.deployments ?? 0, before.deployments)})`,
    `median lead time ${withChange(w.leadTimeHours, before.leadTimeHours, ' h')}`,
    `change failure rate ${withChange(pct(w.changeFailureRate), pct(before.changeFailureRate), ' %')}`,
    `median time to restore ${withChange(w.restoreHours, before.restoreHours, ' h')}`,
  ].join(' · ');
}

/** The week a summary covers: the 7 whole UTC days before `now`'s day, and the 7 before those. */
export function summaryWeeks(now: Date): { week: { start: Date; end: Date }; before: { start: Date; end: Date } } {
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const start = new Date(end.getTime() - 7 * 86_400_000);
  return { week: { start, end }, before: { start: new Date(start.getTime() - 7 * 86_400_000), end: start } };
}

/** A value's change against the week before: "+8 from 34", "−4 h from 22 h", "same", "none the week before". */
export function changeFrom(now: number, before: number | null, unit = ''): string {
  const fmt = (n: number) => `${toTenth(n)}${unit}`;
  if (before === null) return 'none the week before';
  const delta = shownChange(now, before);
  if (delta === 0) return 'same';
  return `${delta > 0 ? '+' : '−'}${fmt(Math.abs(delta))} from ${fmt(before)}`;
}

/** "42 (+8 from 34)", "18 h (−4 h from 22 h)", "7 (same)", "—" when there is no value. */
export function withChange(now: number | null, before: number | null, unit = ''): string {
  return now === null ? '—' : `${toTenth(now)}${unit} (${changeFrom(now, before, unit)})`;
}

/** A team's week: its dates, and each number with its change against the week before. */
export function weeklyTeamSummaryMessage(teamName: string, w: TeamWeek, before: TeamWeek, weeks: ReturnType<typeof summaryWeeks>): SlackMessage {
  const dates = dayRange(weeks.week.start, weeks.week.end);
  const field = (name: string, k: Exclude<keyof TeamWeek, 'phases' | 'issues'>, unit = '') => ({
    type: 'mrkdwn' as const,
    text: `*${name}*\n${withChange(w[k], before[k], unit)}`,
  });
  return {
    text: `${esc(teamName)}, ${dates}: ${[
      [w.commits, before.commits, 'commits'],
      [w.prsMerged, before.prsMerged, 'PRs merged'],
      [w.reviews, before.reviews, 'reviews'],
    ]
      .map(([n, b, what]) => (n === null ? `no ${what}` : `${n} ${what} (${changeFrom(n as number, b as number | null)})`))
      .join(', ')}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(`Weekly summary: ${teamName}`, 150) } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `${dates} (UTC), each number against the week before (${dayRange(weeks.before.start, weeks.before.end)})`,
          },
        ],
      },
      {
        type: 'section',
        fields: [
          field('Commits', 'commits'),
          field('PRs merged', 'prsMerged'),
          field('Reviews', 'reviews'),
          field('Median PR cycle', 'cycleHours', ' h'),
          field('Median time to first review', 'firstReviewHours', ' h'),
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: `*Delivery*\n${deliveryLine(w, before)}` } },
      { type: 'section', text: { type: 'mrkdwn', text: `*Where work waited* (medians of the pull requests merged)\n${waitedLine(w, before)}` } },
      { type: 'section', text: { type: 'mrkdwn', text: `*Issues*\n${issuesLine(w, before)}` } },
    ],
  };
}

export interface InsightAlertRow {
  insight_type: string;
  risk_score: number;
  confidence: number;
  factors: { factor: string; evidence: string }[];
  recommendations: string[];
  developer_id: string | null;
  login: string | null;
  name: string | null;
  team: string | null;
}

const label = (factor: string) => {
  const words = factor.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/**
 * An insight alert. About a person, it goes to their leads or a private channel only (see
 * alertInsight), and names them in plain text, never as a mention. Each factor is said in plain
 * language with where it becomes concerning (`explain`, from the signals; a model's own factor
 * keeps its evidence), then the stored recommendations. Everything from a model or a user is escaped.
 */
export function insightAlertMessage(i: InsightAlertRow, explain: Map<string, string>, note: string): SlackMessage {
  const subject = i.developer_id ? (i.name ? `${i.name} (${i.login ?? 'no login'})` : (i.login ?? 'a developer')) : `team ${i.team ?? 'unknown'}`;
  const title = `${label(i.insight_type)}: ${Math.round(i.risk_score * 100)}% for ${subject}`;
  const factors = i.factors.slice(0, 5).map((f) => `• *${esc(label(f.factor))}*: ${esc(explain.get(f.factor) ?? f.evidence)}`);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(title, 150) } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`Risk ${i.risk_score.toFixed(2)} (confidence ${i.confidence.toFixed(2)}) for ${esc(subject)}.`, 3000) },
    },
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*Why*\n${factors.join('\n') || 'No factors'}`, 3000) } },
  ];
  if (i.recommendations.length)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*What can help*\n${i.recommendations.map((r) => `• ${esc(r)}`).join('\n')}`, 3000) },
    });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(esc(note), 3000) }] });
  return { text: esc(title), blocks };
}

/** A rendered report's summary message (its file goes into the message's thread). */
export function reportSummaryMessage(r: {
  reportName: string;
  period: string;
  summary: string[];
  filename: string;
  downloadUrl?: string | null;
}): SlackMessage {
  return {
    // Report names and widget titles are users' text: escaped wherever Slack parses mrkdwn.
    text: clip(`${esc(r.reportName)}: report for ${r.period}`, 4000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(r.reportName, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: clip(`*Period:* ${r.period}\n${r.summary.map((l) => `• ${esc(l)}`).join('\n')}`, 3000) } },
      ...(r.downloadUrl && r.downloadUrl.length <= 3000
        ? [
            {
              type: 'actions',
              elements: [{ type: 'button', action_id: 'download_report', text: { type: 'plain_text', text: 'Download' }, url: r.downloadUrl }],
            } as KnownBlock,
          ]
        : []),
      { type: 'context', elements: [{ type: 'mrkdwn', text: clip(`Full report in the thread: ${esc(r.filename)}`, 3000) }] },
    ],
  };
}

/** A milestone reached or a learning path completed: to the developer alone (a direct message). */
export function careerProgressMessage(p: { role: string; milestone?: string; done: number; total: number }): SlackMessage {
  const text = p.milestone ? `Milestone reached: ${esc(p.milestone)}` : `Learning path completed: ${esc(p.role)}`;
  const detail = p.milestone
    ? `On your path to *${esc(p.role)}*: ${p.done} of ${p.total} milestones reached.`
    : `You reached all ${p.total} milestones of your path to *${esc(p.role)}*.`;
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(p.milestone ? `Milestone reached: ${p.milestone}` : `Path completed: ${p.role}`, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: clip(detail, 3000) } },
    ],
  };
}

/** A working agreement's alert: what it is about (a pull request by repository, number, title and link; or a window), never a person. */
export interface AgreementAlert {
  kind: 'heads_up' | 'missed' | 'recovered';
  agreement: string;
  team: string;
  /** the rule as people read it: `pr_size <= 400 lines` */
  rule: string;
  /** what happened, in plain words: `has waited 6 h for a first response (the agreement: 8 h)` */
  detail: string;
  pull?: { repository: string; number: number; title: string | null; url: string };
}

const AGREEMENT_HEADS = { heads_up: ':hourglass_flowing_sand: Heads-up', missed: ':x: Missed', recovered: ':white_check_mark: Back within target' } as const;

export function agreementAlertMessage(a: AgreementAlert): SlackMessage {
  const about = a.pull
    ? `<${a.pull.url}|${esc(a.pull.repository)}#${a.pull.number}> ${a.pull.title ? `“${esc(a.pull.title)}”` : ''}`.trim()
    : 'The team’s last 7 days';
  const line = `${AGREEMENT_HEADS[a.kind]} — *${esc(a.agreement)}* (team ${esc(a.team)}): ${about} ${esc(a.detail)}`;
  const plain = `${AGREEMENT_HEADS[a.kind].replace(/^:[a-z_]+: /, '')}: ${a.agreement} (team ${a.team}): ${a.pull ? `${a.pull.repository}#${a.pull.number}` : 'the last 7 days'} ${a.detail}`;
  return {
    text: clip(esc(plain), 4000),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: clip(line, 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: clip(`Working agreement: ${esc(a.rule)}`, 3000) }] },
    ],
  };
}
