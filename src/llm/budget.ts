import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '../config/index.js';
import { sql } from '../db/sql.js';

/** How an LLM call draws on the day's budget. */
export interface LlmBudget {
  /** Take one request from today's budget: null when granted, else why not (the caller uses heuristic-v1). */
  reserve(): Promise<string | null>;
  /** Count what a granted request used. */
  record(usage: { prompt_tokens?: number; completion_tokens?: number } | undefined): Promise<void>;
}

const TODAY = `(now() AT TIME ZONE 'UTC')::date`;

/**
 * The daily LLM budget, shared by every worker through one llm_usage row per UTC day:
 * LLM_DAILY_REQUESTS chat completions and LLM_DAILY_TOKENS tokens (prompt + completion, as the
 * server reports them). A request is granted only while both are under their limit, taken atomically
 * (one UPDATE … WHERE requests < limit), so concurrent workers cannot overspend the request count; the
 * tokens can exceed their limit by at most the requests in flight when it is reached (their size is
 * known only afterwards). Refusals are counted too. 0 turns the LLM off.
 */
export function dailyLlmBudget(em: EntityManager, config: AppConfig): LlmBudget {
  return {
    async reserve() {
      await sql(em, `INSERT INTO llm_usage (day) VALUES (${TODAY}) ON CONFLICT (day) DO NOTHING`);
      const granted = await sql(
        em,
        `UPDATE llm_usage SET requests = requests + 1, updated_at = now()
          WHERE day = ${TODAY} AND requests < ? AND prompt_tokens + completion_tokens < ? RETURNING requests`,
        [config.LLM_DAILY_REQUESTS, config.LLM_DAILY_TOKENS],
      );
      if (granted.length) return null;
      const [spent] = await sql<{ requests: number; tokens: string }>(
        em,
        `UPDATE llm_usage SET refused = refused + 1, updated_at = now() WHERE day = ${TODAY} RETURNING requests, prompt_tokens + completion_tokens AS tokens`,
      );
      return `daily LLM budget spent (${spent?.requests ?? 0} of ${config.LLM_DAILY_REQUESTS} requests, ${Number(spent?.tokens ?? 0)} of ${config.LLM_DAILY_TOKENS} tokens today, UTC)`;
    },
    async record(usage) {
      if (!usage) return;
      await sql(
        em,
        `UPDATE llm_usage SET prompt_tokens = prompt_tokens + ?, completion_tokens = completion_tokens + ?, updated_at = now() WHERE day = ${TODAY}`,
        [Math.max(0, Math.round(usage.prompt_tokens ?? 0)), Math.max(0, Math.round(usage.completion_tokens ?? 0))],
      );
    },
  };
}
