import { Migration } from '@mikro-orm/migrations';

/**
 * github_http_cache.body: JSONB → TEXT (the JSON as GitHub sent it). JSONB cannot hold the
 * escape \u0000, so one commit message with a NUL byte made the whole page uncacheable and
 * failed the sync; the cache only ever stores and returns the document, it never queries into it.
 */
export class Migration20261125020000HttpCacheText extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE github_http_cache ALTER COLUMN body TYPE TEXT USING body::text;');
  }

  override async down(): Promise<void> {
    // Entries JSONB cannot take are just dropped: it is a cache, the next sync refetches them.
    this.addSql(`DELETE FROM github_http_cache WHERE body LIKE '%\\\\u0000%';`);
    this.addSql('ALTER TABLE github_http_cache ALTER COLUMN body TYPE JSONB USING body::jsonb;');
  }
}
