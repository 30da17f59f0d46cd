import { stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBoardServer } from '../src/board/server.js';
import { exportCleanup, retentionPrune } from '../src/jobs/index.js';
import { createLogger } from '../src/lib/logger.js';
import { JOBS } from '../src/workers/handlers.js';
import { deletePrefix } from './helpers/redis.js';
import { startHarness } from './helpers/workers.js';
import { useTestWorld } from './hooks.js';

/**
 * Retention: what grows for ever is pruned by a scheduled job, per kind, in bounded batches, counted
 * in pruned_totals and /metrics. Each row below is placed on one side of its cutoff; the expected
 * survivors are listed by hand.
 */
describe('retention: insight history, Slack logs, the HTTP cache, finished exports and delivery claims are pruned', () => {
  // Batches of 2, one batch per kind and run: bounded work, continued by the next run.
  const w = useTestWorld({ settings: { RETENTION_BATCH_SIZE: '2', RETENTION_MAX_BATCHES: '1', BOARD_AUTH_DISABLED: 'true' }, harness: true });
  let app: FastifyInstance;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    app = await buildBoardServer({ config: w.config, orm: w.db.orm, log: createLogger('silent') });
    const q = (text: string, params: unknown[] = []) => w.db.sql.query(text, params);
    ids.dev = await w.rows.developer({ githubId: 1, login: 'ann' });
    ids.other = await w.rows.developer({ githubId: 2, login: 'bo' });
    const insight = async (name: string, dev: string | undefined, type: string, daysAgo: number) =>
      (ids[name] = await w.rows.insight({ developerId: dev, type, riskScore: 0.5, daysAgo }));
    // ann's burnout history: two past the 180 days, the latest recent. bo's only insight is old, and stays (it is his latest).
    await insight('burnout300', ids.dev, 'burnout_risk', 300);
    await insight('burnout200', ids.dev, 'burnout_risk', 200);
    await insight('burnout10', ids.dev, 'burnout_risk', 10);
    await insight('attrition300', ids.dev, 'attrition_risk', 300);
    await insight('bo400', ids.other, 'burnout_risk', 400);
    // Slack logs: two older than 90 days (one with its idempotency key), one recent.
    ids.integration = (
      await q(`INSERT INTO slack_integrations (organization_id, team_id, bot_token) VALUES (gen_random_uuid(), 'T1', 'x') RETURNING id`)
    ).rows[0].id;
    for (const [name, days] of [
      ['log100', 100],
      ['log95', 95],
      ['log5', 5],
    ] as const) {
      ids[name] = (
        await q(`INSERT INTO slack_notification_logs (integration_id, status, sent_at) VALUES ($1, 'sent', now() - make_interval(days => $2)) RETURNING id`, [
          ids.integration,
          days,
        ])
      ).rows[0].id;
    }
    await q(`INSERT INTO slack_notification_keys (log_id, idempotency_key) VALUES ($1, 'k-old')`, [ids.log100]);
    // The HTTP cache: three entries older than 30 days, one fresh.
    for (const [url, days] of [
      ['/a', 40],
      ['/b', 50],
      ['/c', 60],
      ['/fresh', 1],
    ] as const) {
      await q(`INSERT INTO github_http_cache (token_hash, url, etag, body, fetched_at) VALUES ('h', $1, 'e', '{}', now() - make_interval(days => $2))`, [
        url,
        days,
      ]);
    }
    // Export rows: finished long ago (expired, failed) go; completed, pending and recent ones stay.
    const exp = async (name: string, status: string, daysAgo: number) =>
      (ids[name] = (
        await q(
          `INSERT INTO export_jobs (export_type, format, status, created_at, completed_at) VALUES ('commits', 'csv', $1, now() - make_interval(days => $2), now() - make_interval(days => $2)) RETURNING id`,
          [status, daysAgo],
        )
      ).rows[0].id);
    await exp('expiredOld', 'expired', 40);
    await exp('failedOld', 'failed', 35);
    await exp('completedOld', 'completed', 40);
    await exp('pendingOld', 'pending', 40);
    await exp('expiredNew', 'expired', 3);
    // Delivery claims: a sent slot 500 days old goes; an unsent claim and a recent one stay.
    for (const [slot, status, days] of [
      ['2024-01-01', 'sent', 500],
      ['2024-01-02', 'claimed', 500],
      ['2026-11-01', 'sent', 20],
    ] as const) {
      await q(
        `INSERT INTO report_deliveries (scheduled_report_id, slot, channel, status, claimed_at) VALUES ('00000000-0000-4000-8000-000000000001', $1, 'email', $2, now() - make_interval(days => $3))`,
        [slot, status, days],
      );
    }
  });
  afterAll(async () => {
    await app?.close();
  });

  const count = async (table: string) => (await w.db.sql.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;

  it('prunes each kind past its retention, in bounded batches continued by the next run, and never the current rows', async () => {
    const first = await w.h.settle(await w.h.pool.producer.enqueue(retentionPrune, {}));
    expect(first.failedReason).toBeUndefined();
    // One batch of at most 2 per kind.
    expect(first.returnvalue).toEqual({ insights: 2, slack_notification_logs: 2, github_http_cache: 2, export_jobs: 2, report_deliveries: 1, git_mirrors: 0 });
    const second = await w.h.settle(await w.h.pool.producer.enqueue(retentionPrune, {}, { jobId: `second-${Date.now()}` }));
    expect(second.returnvalue).toEqual({ insights: 0, slack_notification_logs: 0, github_http_cache: 1, export_jobs: 0, report_deliveries: 0, git_mirrors: 0 });

    const insights = (await w.db.sql.query(`SELECT id FROM predictive_insights ORDER BY generated_at`)).rows.map((r) => r.id);
    expect(insights.sort()).toEqual([ids.bo400, ids.attrition300, ids.burnout10].sort());
    expect((await w.db.sql.query(`SELECT id FROM slack_notification_logs`)).rows.map((r) => r.id)).toEqual([ids.log5]);
    expect(await count('slack_notification_keys')).toBe(0); // went with its log
    expect((await w.db.sql.query(`SELECT url FROM github_http_cache`)).rows).toEqual([{ url: '/fresh' }]);
    expect((await w.db.sql.query(`SELECT id FROM export_jobs`)).rows.map((r) => r.id).sort()).toEqual(
      [ids.completedOld, ids.pendingOld, ids.expiredNew].sort(),
    );
    expect((await w.db.sql.query(`SELECT status, slot::date::text AS slot FROM report_deliveries ORDER BY slot`)).rows).toEqual([
      { status: 'claimed', slot: '2024-01-02' },
      { status: 'sent', slot: '2026-11-01' },
    ]);
    // Counted: pruned_totals adds every run up.
    const totals = Object.fromEntries(
      (await w.db.sql.query(`SELECT kind, rows_deleted::int AS n FROM pruned_totals`)).rows.map((r) => [r.kind as string, r.n as number]),
    );
    expect(totals).toEqual({ insights: 2, slack_notification_logs: 2, github_http_cache: 3, export_jobs: 2, report_deliveries: 1, git_mirrors: 0 });
  });

  it('a retention of 0 keeps that kind', async () => {
    await w.db.sql.query(`UPDATE github_http_cache SET fetched_at = now() - interval '400 days'`);
    const keep = { ...w.config, RETENTION_HTTP_CACHE_DAYS: 0, QUEUE_PREFIX: `${w.config.QUEUE_PREFIX}-keep` };
    const other = await startHarness(keep, w.db.orm, JOBS);
    try {
      const done = await other.settle(await other.pool.producer.enqueue(retentionPrune, {}));
      expect(done.returnvalue.github_http_cache).toBe('kept');
      expect(await count('github_http_cache')).toBe(1);
    } finally {
      await other.close();
      await deletePrefix(keep.QUEUE_PREFIX);
    }
  });

  it('files removed by the export cleanup are counted too; /metrics exposes the totals and the day’s LLM usage', async () => {
    const file = join(w.dir, 'commits-old.csv');
    await writeFile(file, 'a,b\n');
    await w.db.sql.query(
      `INSERT INTO export_jobs (export_type, format, status, file_path, completed_at, expires_at) VALUES ('commits', 'csv', 'completed', $1, now() - interval '2 days', now() - interval '1 day')`,
      [file],
    );
    // A report rendered for a scheduled delivery (no export row owns it), older than EXPORT_TTL_HOURS.
    const report = join(w.dir, 'report-6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b-2026-01-01T09-00-00-000Z.pdf');
    await writeFile(report, '%PDF-');
    const old = new Date(Date.now() - (w.config.EXPORT_TTL_HOURS + 1) * 3_600_000);
    await utimes(report, old, old);
    await w.h.settle(await w.h.pool.producer.enqueue(exportCleanup, {}));
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
    await expect(stat(report)).rejects.toThrow(/ENOENT/);
    await w.db.sql.query(
      `INSERT INTO llm_usage (day, requests, prompt_tokens, completion_tokens, refused) VALUES ((now() AT TIME ZONE 'UTC')::date, 7, 1000, 234, 3)`,
    );
    await w.db.sql.query(`INSERT INTO git_fallback_totals (reason, fallbacks, last_at) VALUES ('remote-refused', 4, now()), ('git-missing', 1, now())`);
    const text = (await app.inject({ url: '/metrics' })).body;
    expect(text).toMatch(/^aexy_git_fallbacks_total\{reason="remote-refused"\} 4$/m);
    expect(text).toMatch(/^aexy_git_fallbacks_total\{reason="git-missing"\} 1$/m);
    expect(text).toMatch(/^aexy_pruned_rows_total\{kind="github_http_cache"\} 3$/m);
    expect(text).toMatch(/^aexy_pruned_rows_total\{kind="insights"\} 2$/m);
    expect(text).toMatch(/^aexy_pruned_files_total\{kind="export_files"\} 1$/m);
    expect(text).toMatch(/^aexy_pruned_files_total\{kind="report_files"\} 1$/m);
    expect(text).toMatch(/^aexy_llm_requests_today 7$/m);
    expect(text).toMatch(/^aexy_llm_tokens_today 1234$/m);
    expect(text).toMatch(/^aexy_llm_refused_today 3$/m);
    expect(text).toMatch(/^aexy_llm_daily_requests_limit 2000$/m);
  });
});
