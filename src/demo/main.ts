/**
 * `npm run demo`: migrate, seed a demo organisation, run every worker once and print what it made.
 * GitHub is a local stand-in (src/dev/github-stand-in.ts) so the demo runs offline; the sync, its
 * ETag cache and rate-limit handling are the real code paths. Safe to re-run: the seed and the sync
 * are idempotent and jobs are deduplicated.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Job } from 'bullmq';
import { JobWatcher } from '../queues/job-watcher.js';
import { loadConfig, type AppConfig } from '../config/index.js';
import { Producer } from '../queues/producer.js';
import { ensureDatabase } from '../db/ensure-database.js';
import { migrate, openOrm } from '../db/orm.js';
import { pgArray, sql } from '../db/sql.js';
import { requestExport } from '../exports/index.js';
import { runCustomReport } from '../reports/index.js';
import { GitHubStandIn } from '../dev/github-stand-in.js';
import { JiraStandIn } from '../dev/jira-stand-in.js';
import { SlackStandIn } from '../dev/slack-stand-in.js';
import { OpenAIStandIn } from '../dev/openai-stand-in.js';
import { createLogger } from '../lib/logger.js';
import { QUEUE_NAMES, type QueueName } from '../queues/names.js';
import { ensureSchedulers } from '../jobs/schedulers.js';
import {
  developerRefreshActivity,
  developerRefreshProfile,
  githubSyncDeveloper,
  githubSyncRepo,
  insightRefresh,
  retentionPrune,
  reportReconcile,
  systemNoop,
} from '../jobs/index.js';
import { trackRepository } from '../github/sync/index.js';
import { JOBS } from '../workers/handlers.js';
import { startWorkerPool } from '../workers/runtime.js';
import { DEMO_REPO, seedDemoGitHub } from './github-fixture.js';
import { showCareer } from './career.js';
import { seedDemoDelivery, showDelivery } from './delivery.js';
import { seedDemoJira, showJira } from './jira.js';
import { showAgreements } from './agreements.js';
import { DEMO_ORG_ID, seedDemoOrg } from './seed.js';
import { localServicesForDevelopment } from '../dev/local-services.js';

/** With only Node.js on the machine: an embedded PostgreSQL and a local redis-server when none answers (src/dev/local-services.ts). */
async function main(): Promise<void> {
  const services = await localServicesForDevelopment();
  for (const note of services?.notes ?? []) console.log(`0. ${note}`);
  try {
    await demo();
  } finally {
    await services?.stop();
  }
}

/** The demo's own encryption key (made on its first run, kept in var/demo-encryption-key, mode 0600, for the runs after it). */
function demoEncryptionKeys(file = 'var/demo-encryption-key'): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const keys = `demo:${randomBytes(32).toString('base64')}`;
  mkdirSync('var', { recursive: true });
  writeFileSync(file, keys, { mode: 0o600 });
  return keys;
}

async function demo(): Promise<void> {
  const env = loadConfig();
  const gh = await new GitHubStandIn().start();
  seedDemoGitHub(gh);
  seedDemoDelivery(gh);
  const jira = await new JiraStandIn().start();
  seedDemoJira(jira);
  const slack = await new SlackStandIn().start();
  // An OpenAI-compatible stand-in plays the LLM unless a real one is configured.
  const llm = env.OPENAI_MODEL ? null : await new OpenAIStandIn().start();
  const config: AppConfig = {
    ...env,
    GITHUB_API_URL: gh.url,
    GITHUB_TOKEN: gh.token,
    // The demo's GitHub history lives in memory, not in a git repository: commits come from the API.
    GITHUB_COMMITS_FROM: 'api',
    GITHUB_SYNC_INITIAL_DAYS: 0,
    // The Jira site's and Slack's tokens are stored encrypted: with the configured keys, else the demo's own.
    ENCRYPTION_KEYS: env.ENCRYPTION_KEYS ?? demoEncryptionKeys(),
    SLACK_API_URL: slack.url,
    ...(llm ? { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'sk-demo', OPENAI_MODEL: 'demo-standin-model' } : {}),
  };
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn', { role: 'demo' });

  // BullMQ would wait for ever on a Redis that is not there: check it before anything else, with a deadline.
  const probe = Producer.fromConfig(config, { readyTimeoutMs: 10_000 });
  try {
    await probe.ready().catch((err: Error) => {
      throw new Error(`${err.message}: start Redis, or point REDIS_URL at a server that is up`);
    });
  } finally {
    await probe.close();
  }
  const created = await ensureDatabase(config.DATABASE_URL);
  const orm = await openOrm(config.DATABASE_URL);
  const applied = await migrate(orm);
  console.log(`1. ${created ? 'created the database; ' : ''}migrations: ${applied.length ? `applied ${applied.join(', ')}` : 'database already up to date'}`);

  const seeded = await seedDemoOrg(orm.em.fork());
  console.log(
    `2. seeded demo org: ${seeded.developers} developers, ${seeded.teams} teams, ${seeded.commits} commits, ` +
      `${seeded.pullRequests} pull requests, ${seeded.reviews} reviews (90 days of history)`,
  );

  const started = new Date();
  const pool = await startWorkerPool({ config, orm, log, jobs: JOBS });
  const watcher = new JobWatcher({ url: config.REDIS_URL, prefix: config.QUEUE_PREFIX });
  await watcher.listen(QUEUE_NAMES);
  const finish = (job: Job) => watcher.finish(job, 180_000);
  try {
    const em = orm.em.fork();
    await trackRepository(em, DEMO_REPO, DEMO_ORG_ID);
    const schedulers = await ensureSchedulers(pool.producer, config);

    const noop = await finish(await pool.producer.enqueue(systemNoop, { note: 'demo' }));
    const synced = await finish(await pool.producer.enqueue(githubSyncRepo, { repository: DEMO_REPO }));
    const dev = await finish(await pool.producer.enqueue(githubSyncDeveloper, { login: 'ada-l' }));
    console.log(`3. workers ran: system.noop → ${JSON.stringify(noop)}`);
    console.log(`   github.sync-repo ${DEMO_REPO} → ${JSON.stringify(synced)} (${gh.counted().length} GitHub requests)`);
    console.log(`   github.sync-developer ada-l → profile of ${dev.login}`);

    // Recompute every profile (the sync queued the ones it touched; this covers the seeded history too).
    const developers = await sql<{ id: string }>(em, `SELECT id FROM developers ORDER BY github_username`);
    await Promise.all(developers.map(async (d) => finish(await pool.producer.enqueue(developerRefreshProfile, { developerId: d.id }))));
    await finish(await pool.producer.enqueue(developerRefreshActivity, { developerId: developers[0]!.id }));
    // Let the follow-ups the sync queued finish too (not the scheduler's delayed next run).
    const waiting = await Promise.all(
      ['profiles', 'github-sync'].map((q) => pool.producer.queue(q as QueueName).getJobs(['waiting', 'prioritized', 'active'])),
    );
    await Promise.all(waiting.flat().map((j) => finish(j).catch(() => undefined)));
    console.log(`   developer.refresh-profile × ${developers.length}, developer.refresh-activity × 1`);

    gh.reset();
    const again = await finish(await pool.producer.enqueue(githubSyncRepo, { repository: DEMO_REPO }));
    const again2 = await finish(await pool.producer.enqueue(githubSyncRepo, { repository: DEMO_REPO }));
    const rest = gh.requests.filter((r) => r.path !== '/graphql');
    console.log(
      `4. incremental re-sync: ${JSON.stringify(again.commits)} then ${JSON.stringify(again2.commits)}; ` +
        `${rest.length} REST requests, ${rest.filter((r) => r.status !== 304).length} counted against the rate limit (the rest were 304s); ` +
        `pull requests ${JSON.stringify(again.pulls)} then ${JSON.stringify(again2.pulls)} in ${gh.requests.length - rest.length} GraphQL queries`,
    );

    const rows = await sql(
      em,
      `SELECT d.github_username AS developer, t.name AS team,
              (SELECT count(*) FROM counted_commits c WHERE c.developer_id = d.id)::int AS commits,
              (SELECT count(*) FROM counted_pull_requests p WHERE p.developer_id = d.id)::int AS prs,
              (SELECT count(*) FROM counted_code_reviews r WHERE r.reviewer_id = d.id)::int AS reviews,
              (SELECT string_agg(key, ', ' ORDER BY (value->>'lines')::int DESC) FROM (SELECT * FROM jsonb_each(d.languages) LIMIT 3) l) AS top_languages,
              d.seniority_level || ' (' || d.seniority_score || ')' AS seniority,
              to_char(d.last_activity_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS last_activity_utc
         FROM developers d LEFT JOIN teams t ON d.id = ANY(t.developer_ids)
        ORDER BY t.name, d.github_username`,
    );
    console.log('5. developer profiles written by the workers:');
    console.table(rows);
    const exportIds = [
      await requestExport(em, pool.producer, { exportType: 'commits', format: 'csv', config: { date_range: { days: 30 }, organization_id: DEMO_ORG_ID } }),
      await requestExport(em, pool.producer, { exportType: 'team_metrics', format: 'json', config: { organization_id: DEMO_ORG_ID } }),
    ];
    const exportJobs = (await pool.producer.queue('exports').getJobs(['waiting', 'active', 'completed'])).filter((j) => exportIds.includes(j.data.exportJobId));
    await Promise.all(exportJobs.map((j) => finish(j)));
    const files = await sql<{ export_type: string; format: string; status: string; file_path: string; file_size_bytes: string }>(
      em,
      `SELECT export_type, format, status, file_path, file_size_bytes FROM export_jobs WHERE id = ANY(?::uuid[]) ORDER BY export_type`,
      [pgArray(exportIds)],
    );
    console.log(`6. exports: ${files.map((f) => `${f.export_type}.${f.format} ${f.status} → ${f.file_path} (${f.file_size_bytes} bytes)`).join('; ')}`);
    // A custom report with a weekly schedule: rendered now, and its scheduler reconciled from the table.
    await sql(em, `DELETE FROM scheduled_reports WHERE report_id IN (SELECT id FROM custom_reports WHERE name = 'Engineering weekly')`);
    await sql(em, `DELETE FROM custom_reports WHERE name = 'Engineering weekly'`);
    const [report] = await sql<{ id: string }>(
      em,
      `INSERT INTO custom_reports (organization_id, name, description, widgets, filters) VALUES (?, 'Engineering weekly', 'The demo org at a glance', ?::jsonb, ?::jsonb) RETURNING id`,
      [
        DEMO_ORG_ID,
        JSON.stringify([
          { type: 'number', metric: 'commits' },
          { type: 'number', metric: 'pr_cycle_time' },
          { type: 'line', metric: 'commits', config: { group_by: 'week' } },
          { type: 'bar', metric: 'language_mix' },
          { type: 'pie', metric: 'pr_size_distribution' },
          { type: 'table', metric: 'reviews_given', config: { title: 'Reviews given by developer' } },
        ]),
        JSON.stringify({ date_range: { days: 90 } }),
      ],
    );
    await sql(
      em,
      `INSERT INTO scheduled_reports (report_id, schedule, day_of_week, time_utc, recipients, delivery_method, export_format) VALUES (?, 'weekly', 1, '09:00', '{lead@demo.aexy.dev}', 'email', 'pdf')`,
      [report!.id],
    );
    const pdf = await runCustomReport(em, report!.id, 'pdf', config.EXPORT_DIR);
    const reconciled = await finish(await pool.producer.enqueue(reportReconcile, {}));
    const [sched] = await sql<{ next_run_at: string }>(em, `SELECT next_run_at FROM scheduled_reports WHERE report_id = ?`, [report!.id]);
    console.log(
      `7. report "Engineering weekly" (6 widgets) → ${pdf.path} (${pdf.bytes} bytes); weekly delivery scheduled, next run ${new Date(sched!.next_run_at).toISOString()} (${JSON.stringify(reconciled)})`,
    );
    /** Wait until the queues have nothing left to run (not the schedulers' next runs, `repeat:…`). */
    const drain = async (names: QueueName[]) => {
      for (;;) {
        const pending = [];
        for (const name of names) {
          const q = pool.producer.queue(name);
          pending.push(
            ...(await q.getJobs(['waiting', 'active', 'prioritized'])),
            ...(await q.getJobs(['delayed'])).filter((j) => !j.id?.startsWith('repeat:')),
          );
        }
        if (pending.length === 0) return;
        // Ten at a time: each wait listens on its queue, and a Queue warns past ten listeners.
        await Promise.all(pending.slice(0, 10).map((j) => finish(j)));
      }
    };
    // Predictive insights for everyone: insight.refresh (hourly, and once as the workers start) queues
    // the first insights of every active developer and team, and renewals; wait for all of them.
    await finish(await pool.producer.enqueue(insightRefresh, {}));
    await drain(['insights']);
    const [created] = await sql<{ n: number }>(em, `SELECT count(*)::int AS n FROM predictive_insights WHERE generated_at >= ?`, [started.toISOString()]);
    const insights = await sql<{ subject: string; insight_type: string; risk_score: number; model: string; top_factor: string }>(
      em,
      `SELECT DISTINCT ON (pi.insight_type, coalesce(d.github_username, t.name)) coalesce(d.github_username, 'team ' || t.name) AS subject, pi.insight_type,
              round(pi.risk_score::numeric, 2)::float AS risk_score, pi.generated_by_model AS model, pi.factors->0->>'evidence' AS top_factor
         FROM predictive_insights pi LEFT JOIN developers d ON d.id = pi.developer_id LEFT JOIN teams t ON t.id = pi.team_id
        ORDER BY pi.insight_type, coalesce(d.github_username, t.name), pi.generated_at DESC`,
    );
    const top = insights
      .filter((i) => i.insight_type === 'burnout_risk')
      .sort((a, b) => b.risk_score - a.risk_score)
      .slice(0, 3);
    console.log(
      `8. predictive insights: ${created!.n} made in this run by insight.refresh for the active developers and teams (nobody asked for them); ` +
        `${insights.length} current (${[...new Set(insights.map((i) => i.model))].join(', ')}); highest burnout risk:`,
    );
    console.table([...top, ...insights.filter((i) => i.subject.startsWith('team '))]);
    await showCareer({ em, producer: pool.producer, gh, drain, finish });
    const pruned = await finish(await pool.producer.enqueue(retentionPrune, {}));
    console.log(`10. retention.prune: ${JSON.stringify(pruned)}`);
    console.log(
      `11. job schedulers: ${schedulers.map((s) => (s.every ? `${s.id} every ${Math.round(s.every / 60_000)} min` : `${s.id} at "${s.pattern}"`)).join(', ')}`,
    );
    await showDelivery({ em, producer: pool.producer, finish, step: 12 });
    await showJira({ em, producer: pool.producer, finish, config, jira, step: 15 });
    await showAgreements({ em, producer: pool.producer, finish, drain: () => drain(['slack']), config, gh, slack, step: 16 });
  } finally {
    await pool.close();
    await watcher.close();
    await orm.close();
    await gh.stop();
    await jira.stop();
    await slack.stop();
    await llm?.stop();
  }
}

main()
  // Exit explicitly: Octokit's throttling (Bottleneck) keeps idle timers for a couple of minutes.
  .then(() => process.exit(process.exitCode ?? 0))
  .catch((err) => {
    // One clear line (the service, its URL without password, what to do), not a raw error object.
    console.error(err instanceof Error ? `error: ${err.message}` : err);
    process.exit(1);
  });
