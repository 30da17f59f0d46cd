import type { EntityManager } from '@mikro-orm/postgresql';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AppConfig } from '../config/index.js';
import { gitFallbackTotals } from '../github/sql/index.js';
import { usageToday } from '../llm/index.js';
import { prunedTotals } from '../retention/index.js';
import { withTimeout } from '../lib/timeout.js';

interface Reading {
  llm: { requests: number; tokens: number; refused: number } | null;
  pruned: { kind: string; rows_deleted: string; files_deleted: string }[];
  gitFallbacks: { reason: string; fallbacks: string }[];
}

/**
 * Metrics kept in PostgreSQL, read at scrape time (one read per scrape, bounded, so a slow database
 * cannot hold /metrics): today's LLM usage against the daily budget, and what the retention job has
 * pruned per kind, and how often commits were read from the API because git could not be used, per
 * reason (counters since the database was made). When the database does not answer, these
 * series are left out of that scrape.
 */
export function registerDatabaseMetrics(registry: Registry, config: AppConfig, em: () => EntityManager): void {
  let reading: Promise<Reading | null> | undefined;
  const read = () =>
    (reading ??= withTimeout(
      (async (): Promise<Reading> => {
        const [llm, pruned, gitFallbacks] = [await usageToday(em()), await prunedTotals(em()), await gitFallbackTotals(em())];
        return { llm, pruned, gitFallbacks };
      })(),
      2_000,
    )
      .catch(() => null)
      .finally(() => setImmediate(() => (reading = undefined))));

  const gauge = (name: string, help: string, value: (r: Reading) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const r = await read();
        this.reset();
        if (r) this.set(value(r));
      },
    });
  gauge('aexy_llm_requests_today', 'LLM requests made today (UTC), all workers', (r) => r.llm?.requests ?? 0);
  gauge('aexy_llm_tokens_today', 'LLM tokens (prompt + completion) used today (UTC), all workers', (r) => r.llm?.tokens ?? 0);
  gauge('aexy_llm_refused_today', 'LLM requests the daily budget refused today (UTC): heuristic-v1 answered', (r) => r.llm?.refused ?? 0);
  new Gauge({ name: 'aexy_llm_daily_requests_limit', help: 'LLM_DAILY_REQUESTS', registers: [registry] }).set(config.LLM_DAILY_REQUESTS);
  new Gauge({ name: 'aexy_llm_daily_tokens_limit', help: 'LLM_DAILY_TOKENS', registers: [registry] }).set(config.LLM_DAILY_TOKENS);
  for (const [what, column] of [
    ['rows', 'rows_deleted'],
    ['files', 'files_deleted'],
  ] as const) {
    new Counter({
      name: `aexy_pruned_${what}_total`,
      help: `${what === 'rows' ? 'Rows' : 'Files'} deleted by the retention job, per kind`,
      labelNames: ['kind'],
      registers: [registry],
      async collect() {
        const r = await read();
        this.reset();
        for (const p of r?.pruned ?? []) this.inc({ kind: p.kind }, Number(p[column]));
      },
    });
  }
  new Counter({
    name: 'aexy_git_fallbacks_total',
    help: 'Commit syncs that read the API because git could not be used (GITHUB_COMMITS_FROM=git), per reason',
    labelNames: ['reason'],
    registers: [registry],
    async collect() {
      const r = await read();
      this.reset();
      for (const f of r?.gitFallbacks ?? []) this.inc({ reason: f.reason }, Number(f.fallbacks));
    },
  });
}
