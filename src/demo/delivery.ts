import type { Job } from 'bullmq';
import type { EntityManager } from '@mikro-orm/postgresql';
import { withPgClient } from '../db/sql.js';
import { recordIncident } from '../delivery/index.js';
import type { GitHubStandIn } from '../dev/github-stand-in.js';
import type { StandInDeployment } from '../dev/github-fixture-types.js';
import { githubSyncRepo } from '../jobs/index.js';
import { deploymentSourceOf, recentDeployments } from '../github/sync/index.js';
import { computeMetrics, doraLevelName } from '../metrics/index.js';
import type { Producer } from '../queues/producer.js';
import { DEMO_REPO } from './github-fixture.js';
import { DEMO_ORG_ID } from './seed.js';

const HOUR = 3_600_000;
/** The commits a production deployment went out with (every fourth), the one whose deployment failed, the bad one, and its revert. */
const DEPLOYED_AT = Array.from({ length: 12 }, (_, k) => 4 * k + 3);
const FAILED_AT = 19;
const BAD = 29;
const REVERT = 33;

/**
 * The demo repository's delivery and work, set before the first sync: its deployments (Deployments
 * API, production; one an hour and a half after every fourth commit, one of them failing, fixed by
 * the next; commit 33 reverts commit 29 with git's own line), its pull requests' lifecycles (a
 * commit each, merge commits, a draft made ready, bodies closing or mentioning issues), and its issues.
 */
export function seedDemoDelivery(gh: GitHubStandIn): void {
  const repo = gh.repos.get(DEMO_REPO)!;
  const commits = repo.commits;
  // The pull requests' lifecycles: each one's commit (about a day before it opened), its merge
  // commit (the first commit on the branch after its merge), and the third opened as a draft.
  repo.pulls.forEach((p, n) => {
    const opened = new Date(p.created_at).getTime();
    const before = commits.filter((c) => new Date(c.authorDate).getTime() <= opened - 12 * HOUR).at(-1);
    p.commit_shas = before ? [before.sha] : [];
    if (p.merged_at) {
      p.merge_commit_sha = commits.find((c) => c.authorDate >= p.merged_at!)?.sha ?? null;
      p.merged_by = p.reviews[0]?.user ?? p.user;
    }
    if (n === 2) p.timeline = [{ type: 'ready_for_review', created_at: new Date(opened + HOUR).toISOString(), actor: p.user }];
    // The first three close or mention the demo's GitHub issues; the fourth implements a Jira story.
    if (n < 4) p.body = [`Fixes #${n + 1}`, `Closes #${n + 1}`, `Refs #${n + 2}`, `Implements SHOP-1`][n]!;
  });
  // The demo's issues: two bugs, a feature, a chore, a question; opened over the last ten days.
  const day = 24 * HOUR;
  const now = Date.now();
  const ago = (daysAgo: number) => new Date(now - daysAgo * day).toISOString();
  const people = repo.pulls.map((p) => p.user);
  repo.issues = [
    { n: 1, labels: ['bug'], opened: 10, closed: 8 },
    { n: 2, labels: ['enhancement'], opened: 9, closed: 6 },
    { n: 3, labels: ['bug'], opened: 7, closed: null },
    { n: 4, labels: ['chore'], opened: 5, closed: 4 },
    { n: 5, labels: ['question'], opened: 2, closed: null },
  ].map(({ n, labels, opened, closed }) => ({
    id: 7_100_000 + n,
    number: n,
    title: `Demo issue ${n}`,
    user: people[n % people.length]!,
    assignees: [people[(n + 1) % people.length]!],
    labels,
    state: closed === null ? 'open' : 'closed',
    state_reason: closed === null ? null : 'completed',
    created_at: ago(opened),
    updated_at: ago(closed ?? opened),
    closed_at: closed === null ? null : ago(closed),
    events: closed === null ? [] : [{ type: 'closed', created_at: ago(closed) }],
  }));
  commits[REVERT]!.message = `Revert "${commits[BAD]!.message}"\n\nThis reverts commit ${commits[BAD]!.sha}.`;
  const at = (i: number, hours: number) => new Date(new Date(commits[i]!.authorDate).getTime() + hours * HOUR).toISOString();
  repo.deployments = DEPLOYED_AT.map((i): StandInDeployment => ({
    id: 70_000 + i,
    sha: commits[i]!.sha,
    ref: 'main',
    environment: 'production',
    created_at: at(i, 1),
    statuses: [
      { id: 700_000 + i * 10, state: 'in_progress', created_at: at(i, 1) },
      { id: 700_000 + i * 10 + 1, state: i === FAILED_AT ? 'failure' : 'success', created_at: at(i, 1.5) },
    ],
  }));
}

/** Sync the deployments, report an incident as a pager's adapter would, and print the organization's four DORA numbers. */
export async function showDelivery(opts: {
  em: EntityManager;
  producer: Producer;
  finish: (job: Job) => Promise<Record<string, unknown>>;
  step: number;
}): Promise<void> {
  const { em } = opts;
  await opts.finish(await opts.producer.enqueue(githubSyncRepo, { repository: DEMO_REPO, streams: ['deployments'] }));
  const source = await deploymentSourceOf(em.fork(), DEMO_REPO);
  const stored = await recentDeployments(em.fork(), DEMO_REPO, 1000);
  const opened = new Date(Date.now() - 2 * 24 * HOUR);
  await recordIncident(em.fork(), {
    id: 'DEMO-INC-1',
    repository: DEMO_REPO,
    title: 'Checkout latency',
    opened_at: opened.toISOString(),
    resolved_at: new Date(opened.getTime() + 3 * HOUR).toISOString(),
  });
  const m = await withPgClient(em, (c) =>
    computeMetrics(
      c,
      [
        'deployments',
        'deployment_frequency',
        'lead_time_for_changes',
        'lead_time_for_changes_p75',
        'change_failure_rate',
        'time_to_restore',
        'incidents',
        'dora_level',
      ],
      {
        organization_id: DEMO_ORG_ID,
        date_range: { days: 30 },
      },
    ),
  );
  const v = (k: string) => (m[k]?.kind === 'scalar' ? m[k].value : null);
  const level = m.dora_level?.kind === 'breakdown' ? m.dora_level.items.find((i) => i.label === 'overall')?.value : undefined;
  const rate = v('change_failure_rate');
  const lifecycle = await withPgClient(em, (c) =>
    computeMetrics(c, ['coding_time', 'pickup_time', 'review_time', 'merge_time', 'deploy_time', 'cycle_time', 'merged_without_review'], {
      organization_id: DEMO_ORG_ID,
      date_range: { days: 30 },
    }),
  );
  const h = (k: string) => (lifecycle[k]?.kind === 'scalar' && lifecycle[k].value !== null ? `${lifecycle[k].value} h` : '—');
  const unreviewed = lifecycle.merged_without_review?.kind === 'scalar' ? lifecycle.merged_without_review.value : null;
  console.log(
    `${opts.step}. delivery: ${stored.length} deployments of ${DEMO_REPO} from ${source.used} (${source.set === 'auto' ? 'chosen by the sync' : 'set'}), ` +
      `an incident reported through the producer API; the organization's last 30 days: ` +
      `deployment frequency ${v('deployment_frequency')} a day (${v('deployments')} deployments), ` +
      `lead time for changes ${v('lead_time_for_changes')} h median (p75 ${v('lead_time_for_changes_p75')} h), ` +
      `change failure rate ${rate === null ? '—' : `${Math.round(rate * 1000) / 10} %`} (${v('incidents')} incidents), ` +
      `time to restore ${v('time_to_restore')} h median; DORA level ${level ? doraLevelName(level) : 'none'}`,
  );
  console.log(
    `${opts.step + 1}. where work waited (pull requests merged in the last 30 days, medians): coding ${h('coding_time')} · pickup ${h('pickup_time')} · ` +
      `review ${h('review_time')} · merge ${h('merge_time')} · deploy ${h('deploy_time')}; cycle ${h('cycle_time')}; ` +
      `merged without review ${unreviewed === null ? '—' : `${Math.round(unreviewed * 1000) / 10} %`}`,
  );
  await opts.finish(await opts.producer.enqueue(githubSyncRepo, { repository: DEMO_REPO, streams: ['issues'] }));
  const work = await withPgClient(em, (c) =>
    computeMetrics(c, ['issues_opened', 'issues_resolved', 'issue_cycle_time', 'bug_share', 'linked_pr_share', 'investment_balance_count'], {
      organization_id: DEMO_ORG_ID,
      date_range: { days: 30 },
    }),
  );
  const w = (k: string) => (work[k]?.kind === 'scalar' ? work[k].value : null);
  const share = (x: number | null) => (x === null ? '—' : `${Math.round(x * 1000) / 10} %`);
  const balance =
    work.investment_balance_count?.kind === 'breakdown' ? work.investment_balance_count.items.map((i) => `${i.label} ${i.value} %`).join(' · ') : '—';
  console.log(
    `${opts.step + 2}. issues of ${DEMO_REPO} (last 30 days): ${w('issues_opened')} opened, ${w('issues_resolved')} resolved, median cycle ${w('issue_cycle_time')} h, ` +
      `bugs ${share(w('bug_share'))}; merged pull requests linked to an issue ${share(w('linked_pr_share'))}; investment balance by pull requests: ${balance}`,
  );
}
