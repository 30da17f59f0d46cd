import type { Job } from 'bullmq';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '../config/index.js';
import { KeyRing } from '../crypto/secrets.js';
import { withPgClient } from '../db/sql.js';
import type { JiraStandIn, JiraStandInUser } from '../dev/jira-stand-in.js';
import { installJiraSite, mapJiraProject } from '../jira/index.js';
import { jiraSync } from '../jobs/index.js';
import { computeMetrics } from '../metrics/index.js';
import type { Producer } from '../queues/producer.js';
import { DEMO_REPO } from './github-fixture.js';
import { DEMO_ORG_ID, DEMO_PEOPLE } from './seed.js';

const HOUR = 3_600_000;
/** Jira's `2026-07-01T09:00:00.000+0000`. */
const jiraTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

/**
 * The demo organization's Jira project SHOP on the Jira stand-in: a story done, a bug in progress, a
 * task to do, and an incident opened yesterday and resolved two hours later, each with its status
 * history; reporters and assignees are the demo people by their email (the one their commits carry).
 */
export function seedDemoJira(jira: JiraStandIn, now = Date.now()): void {
  const person = (i: number): JiraStandInUser => {
    const p = DEMO_PEOPLE[i % DEMO_PEOPLE.length]!;
    return { accountId: `demo-${p.login}`, displayName: p.name, emailAddress: `${p.login}@demo.aexy.dev` };
  };
  const ago = (days: number) => now - days * 24 * HOUR;
  const moves = (...steps: [number, string, string][]) => steps.map(([at, from, to]) => ({ at: jiraTime(at), from, to }));
  jira.issues.push(
    {
      id: '20001',
      key: 'SHOP-1',
      summary: 'Saved carts',
      type: 'Story',
      status: 'Done',
      priority: 'Medium',
      labels: [],
      reporter: person(0),
      assignee: person(1),
      created: jiraTime(ago(8)),
      updated: jiraTime(ago(3)),
      resolutiondate: jiraTime(ago(3)),
      transitions: moves([ago(6), 'To Do', 'In Progress'], [ago(4), 'In Progress', 'In Review'], [ago(3), 'In Review', 'Done']),
    },
    {
      id: '20002',
      key: 'SHOP-2',
      summary: 'Coupon applied twice',
      type: 'Bug',
      status: 'In Progress',
      priority: 'High',
      labels: [],
      reporter: person(2),
      assignee: person(3),
      created: jiraTime(ago(5)),
      updated: jiraTime(ago(2)),
      resolutiondate: null,
      transitions: moves([ago(2), 'To Do', 'In Progress']),
    },
    {
      id: '20003',
      key: 'SHOP-3',
      summary: 'Checkout returns 502',
      type: 'Incident',
      status: 'Done',
      priority: 'Highest',
      labels: [],
      reporter: person(4),
      assignee: person(1),
      created: jiraTime(ago(1)),
      updated: jiraTime(ago(1) + 2 * HOUR),
      resolutiondate: jiraTime(ago(1) + 2 * HOUR),
      transitions: moves([ago(1) + HOUR, 'To Do', 'In Progress'], [ago(1) + 2 * HOUR, 'In Progress', 'Done']),
    },
    {
      id: '20004',
      key: 'SHOP-4',
      summary: 'Upgrade the payment SDK',
      type: 'Task',
      status: 'To Do',
      priority: 'Low',
      labels: ['tech-debt'],
      reporter: person(5),
      assignee: null,
      created: jiraTime(ago(4)),
      updated: jiraTime(ago(4)),
      resolutiondate: null,
      transitions: [],
    },
  );
}

/** Install the demo organization's Jira site (the stand-in), map project SHOP to the demo repository, sync it, and print what it made. */
export async function showJira(opts: {
  em: EntityManager;
  producer: Producer;
  finish: (job: Job) => Promise<Record<string, unknown>>;
  config: Pick<AppConfig, 'ENCRYPTION_KEYS'>;
  jira: JiraStandIn;
  step: number;
}): Promise<void> {
  const { em, jira } = opts;
  const site = await installJiraSite(em.fork(), KeyRing.fromConfig(opts.config.ENCRYPTION_KEYS), {
    organizationId: DEMO_ORG_ID,
    baseUrl: jira.url,
    email: jira.email,
    token: jira.token,
    storyPointsField: jira.storyPointsField,
  });
  await mapJiraProject(em.fork(), DEMO_ORG_ID, 'SHOP', DEMO_REPO);
  const synced = await opts.finish(await opts.producer.enqueue(jiraSync, { organizationId: DEMO_ORG_ID }));
  const m = await withPgClient(em, (c) =>
    computeMetrics(c, ['issues_opened', 'issues_resolved', 'issue_cycle_time', 'incidents', 'change_failure_rate', 'time_to_restore'], {
      organization_id: DEMO_ORG_ID,
      date_range: { days: 30 },
    }),
  );
  const v = (k: string) => (m[k]?.kind === 'scalar' ? m[k].value : null);
  const rate = v('change_failure_rate');
  console.log(
    `${opts.step}. Jira (a stand-in of Jira Cloud's REST API): site installed as ${site.account} (token checked, stored encrypted); ` +
      `jira.sync read ${String(synced.fetched)} issues of SHOP with their status history; SHOP's incidents count against ${DEMO_REPO}'s deployments. ` +
      `The organization's last 30 days, GitHub and Jira together: ${v('issues_opened')} issues opened, ${v('issues_resolved')} resolved, ` +
      `median cycle ${v('issue_cycle_time')} h; ${v('incidents')} incidents, change failure rate ${rate === null ? '—' : `${Math.round(rate * 1000) / 10} %`}, ` +
      `time to restore ${v('time_to_restore')} h median`,
  );
}
