import type { Job } from 'bullmq';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createAgreement, listAgreements, previewAgreement } from '../agreements/index.js';
import type { AppConfig } from '../config/index.js';
import { KeyRing } from '../crypto/secrets.js';
import { sql } from '../db/sql.js';
import type { GitHubStandIn } from '../dev/github-stand-in.js';
import type { SlackStandIn } from '../dev/slack-stand-in.js';
import { githubSyncRepo } from '../jobs/index.js';
import type { Producer } from '../queues/producer.js';
import { installSlackIntegration } from '../slack/index.js';
import { DEMO_REPO } from './github-fixture.js';
import { DEMO_ORG_ID } from './seed.js';

const HOUR = 3_600_000;
const RULE = 'pickup_time <= 8h';

/**
 * Team Platform agrees on a first response within 8 hours; two pull requests wait without one (opened
 * 7 and 10 hours ago), the sync brings them, its evaluation posts the agreement's alerts to the
 * organization's Slack (the Slack stand-in): a heads-up for each at 6 hours, a miss for the older at 8.
 */
export async function showAgreements(opts: {
  em: EntityManager;
  producer: Producer;
  finish: (job: Job) => Promise<Record<string, unknown>>;
  drain: () => Promise<void>;
  config: Pick<AppConfig, 'ENCRYPTION_KEYS'>;
  gh: GitHubStandIn;
  slack: SlackStandIn;
  step: number;
}): Promise<void> {
  const { em } = opts;
  await installSlackIntegration(em.fork(), KeyRing.fromConfig(opts.config.ENCRYPTION_KEYS), {
    organizationId: DEMO_ORG_ID,
    teamId: 'T0STANDIN',
    botToken: 'xoxb-standin-token',
    defaultChannelId: 'C0ALERTS',
  });
  const [team] = await sql<{ id: string }>(em.fork(), `SELECT id::text FROM teams WHERE organization_id = ? AND name = 'Platform'`, [DEMO_ORG_ID]);
  const name = 'First response within 8 h';
  const existing = (await listAgreements(em.fork(), DEMO_ORG_ID, team!.id)).find((a) => a.name === name);
  const agreement = existing ?? (await createAgreement(em.fork(), { organizationId: DEMO_ORG_ID, teamId: team!.id, rule: RULE, name }));
  // Agreed on last month: the last day's waits count.
  await sql(em.fork(), `UPDATE working_agreements SET created_at = now() - interval '30 days' WHERE id = ?`, [agreement.id]);

  const repo = opts.gh.repos.get(DEMO_REPO)!;
  const now = Date.now();
  for (const [n, hours, login] of [
    [901, 7, 'ada-l'],
    [902, 10, 'grace-h'],
  ] as const) {
    const opened = new Date(now - hours * HOUR).toISOString();
    repo.pulls = repo.pulls.filter((p) => p.number !== n);
    repo.pulls.push({
      id: 7_700_000 + n,
      number: n,
      title: n === 901 ? 'Retry Slack posts on 5xx' : 'Stream exports in chunks',
      body: null,
      user: opts.gh.users.get(login)!,
      state: 'open',
      created_at: opened,
      updated_at: opened,
      merged_at: null,
      closed_at: null,
      labels: [],
      requested_reviewers: [],
      additions: 40,
      deletions: 4,
      changed_files: 2,
      commits: 1,
      comments: 0,
      review_comments: 0,
      reviews: [],
    });
  }
  // The sync queues the organization's evaluation; the alerts are posted by it.
  await opts.finish(await opts.producer.enqueue(githubSyncRepo, { repository: DEMO_REPO, streams: ['pulls'] }));
  await opts.drain();
  const preview = await previewAgreement(em.fork(), { organizationId: DEMO_ORG_ID, teamId: team!.id, rule: RULE }, { days: 1 });
  const posted = opts.slack.posted.filter((m) => String(m.metadata?.event_payload.idempotency_key ?? '').startsWith(`agreement:${agreement.id}:`));
  console.log(
    `${opts.step}. working agreement "${name}" (team Platform, ${RULE}): the last day has ${preview.counts.heads_up} heads-up and ${preview.counts.missed} missed; ` +
      `posted to Slack by agreement.evaluate after the sync: ${posted.length}${posted.length < preview.events.length ? ' (the rest were posted by an earlier run: each alert goes once)' : ''}`,
  );
  for (const m of posted) console.log(`    ${m.channel}: ${m.text}`);
}
