/** The LLM feature's public module: one structured completion, the daily budget and today's usage. */
export { dailyLlmBudget, type LlmBudget } from './budget.js';
export { usageToday } from './queries.js';
export { LlmBudgetSpent, LlmUnavailable, structuredCompletion } from './structured.js';
