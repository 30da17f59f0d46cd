import { stat, utimes, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
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
import { ago, DAY } from './helpers/rows.js';

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
    ids.integration = await w.rows.slackIntegration({ organization_id: randomUUID(), team_id: 'T1' });
    for (const [name, days] of [
      ['log100', 100],
      ['log95', 95],
      ['log5', 5],
    ] as const) {
      ids[name] = await w.rows.insert('slack_notification_logs', { integration_id: ids.integration, status: 'sent', sent_at: ago(days * DAY) });
    }
    await w.rows.insert('slack_notification_keys', { log_id: ids.log100, idempotency_key: 'k-old' });
    // The HTTP cache: three entries older than 30 days, one fresh.
    for (const [url, days] of [
      ['/a', 40],
      ['/b', 50],
      ['/c', 60],
      ['/fresh', 1],
    ] as const) {
      await w.rows.insert('github_http_cache', { token_hash: 'h', url, etag: 'e', body: '{}', fetched_at: ago(days * DAY) });
    }
    // Export rows: finished long ago (expired, failed) go; completed, pending and recent ones stay.
    const exp = async (name: string, status: string, daysAgo: number) =>
      (ids[name] = await w.rows.exportJob({ status, created_at: ago(daysAgo * DAY), completed_at: ago(daysAgo * DAY) }));
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
      await w.rows.insert('report_deliveries', {
        scheduled_report_id: '00000000-0000-4000-8000-000000000001',
        slot,
        channel: 'email',
        status,
        claimed_at: ago(days * DAY),
      });
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
    await w.rows.exportJob({ status: 'completed', file_path: file, completed_at: ago(2 * DAY), expires_at: ago(DAY) });
    // A report rendered for a scheduled delivery (no export row owns it), older than EXPORT_TTL_HOURS.
    const report = join(w.dir, 'report-6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b-2026-01-01T09-00-00-000Z.pdf');
    await writeFile(report, '%PDF-');
    const old = new Date(Date.now() - (w.config.EXPORT_TTL_HOURS + 1) * 3_600_000);
    await utimes(report, old, old);
    await w.h.settle(await w.h.pool.producer.enqueue(exportCleanup, {}));
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
    await expect(stat(report)).rejects.toThrow(/ENOENT/);
    await w.rows.insert('llm_usage', { day: new Date().toISOString().slice(0, 10), requests: 7, prompt_tokens: 1000, completion_tokens: 234, refused: 3 });
    await w.rows.insert('git_fallback_totals', { reason: 'remote-refused', fallbacks: 4, last_at: new Date() });
    await w.rows.insert('git_fallback_totals', { reason: 'git-missing', fallbacks: 1, last_at: new Date() });
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
