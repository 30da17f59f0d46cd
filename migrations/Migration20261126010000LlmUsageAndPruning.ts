import { Migration } from '@mikro-orm/migrations';

/**
 * - llm_usage: the LLM calls of each UTC day (requests, tokens; calls the daily budget refused), so
 *   every worker draws on one shared budget (LLM_DAILY_REQUESTS, LLM_DAILY_TOKENS).
 * - pruned_totals: what the retention job has deleted, per kind, since the database was made
 *   (monotonic counters /metrics exposes); github_http_cache gets an index on fetched_at, so the
 *   retention job's batches find old entries without scanning the cache.
 */
export class Migration20261126010000LlmUsageAndPruning extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
CREATE TABLE llm_usage (
    day DATE PRIMARY KEY,
    requests INTEGER NOT NULL DEFAULT 0,
    prompt_tokens BIGINT NOT NULL DEFAULT 0,
    completion_tokens BIGINT NOT NULL DEFAULT 0,
    refused INTEGER NOT NULL DEFAULT 0,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
);
CREATE TABLE pruned_totals (
    kind VARCHAR(50) PRIMARY KEY,
    rows_deleted BIGINT NOT NULL DEFAULT 0,
    files_deleted BIGINT NOT NULL DEFAULT 0,
    last_run_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX idx_github_http_cache_fetched_at ON github_http_cache(fetched_at);
`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP INDEX IF EXISTS idx_github_http_cache_fetched_at;');
    this.addSql('DROP TABLE IF EXISTS pruned_totals;');
    this.addSql('DROP TABLE IF EXISTS llm_usage;');
  }
}
