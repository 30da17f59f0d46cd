import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '../config/index.js';
import { addTokens, recordRefusal, takeRequest } from './queries.js';

/** How an LLM call draws on the day's budget. */
export interface LlmBudget {
  /** Take one request from today's budget: null when granted, else why not (the caller uses heuristic-v1). */
  reserve(): Promise<string | null>;
  /** Count what a granted request used. */
  record(usage: { prompt_tokens?: number; completion_tokens?: number } | undefined): Promise<void>;
}

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
      if (await takeRequest(em, { requests: config.LLM_DAILY_REQUESTS, tokens: config.LLM_DAILY_TOKENS })) return null;
      const spent = await recordRefusal(em);
      return `daily LLM budget spent (${spent.requests} of ${config.LLM_DAILY_REQUESTS} requests, ${spent.tokens} of ${config.LLM_DAILY_TOKENS} tokens today, UTC)`;
    },
    async record(usage) {
      if (!usage) return;
      await addTokens(em, Math.max(0, Math.round(usage.prompt_tokens ?? 0)), Math.max(0, Math.round(usage.completion_tokens ?? 0)));
    },
  };
}
