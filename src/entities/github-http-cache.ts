import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A cached GitHub GET response, keyed by a hash of the token (never the token) and the URL. */
export const GithubHttpCache = defineEntity({
  name: 'GithubHttpCache',
  tableName: 'github_http_cache',
  indexes: [{ name: 'idx_github_http_cache_fetched_at', properties: ['fetchedAt'] }],
  properties: {
    tokenHash: p.string().length(64).primary(),
    url: p.text().primary(),
    etag: p.text(),
    link: p.text().nullable(),
    /** The JSON text as received (TEXT, not JSONB: JSONB rejects \u0000, which commit messages can hold). */
    body: p.text(),
    fetchedAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
});
export type IGithubHttpCache = InferEntity<typeof GithubHttpCache>;
