import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../db/sql.js';

export interface CachedResponse {
  etag: string;
  link: string | null;
  body: unknown;
}

/**
 * ETag cache in PostgreSQL, keyed by (hash of the token, full URL): GitHub answers a conditional
 * GET whose ETag still matches with 304 Not Modified, which does not count against the rate limit.
 * Keyed by token because responses (private repos, rate limits) differ per credential.
 */
export class HttpCache {
  constructor(
    private readonly em: EntityManager,
    private readonly tokenHash: string,
  ) {}

  async get(url: string): Promise<CachedResponse | null> {
    const [row] = await sql<{ etag: string; link: string | null; body: string }>(
      this.em,
      `SELECT etag, link, body FROM github_http_cache WHERE token_hash = ? AND url = ?`,
      [this.tokenHash, url],
    );
    return row ? { etag: row.etag, link: row.link, body: JSON.parse(row.body) } : null;
  }

  async put(url: string, entry: CachedResponse): Promise<void> {
    await sql(
      this.em,
      `INSERT INTO github_http_cache (token_hash, url, etag, link, body, fetched_at) VALUES (?, ?, ?, ?, ?, now())
       ON CONFLICT (token_hash, url) DO UPDATE SET etag = EXCLUDED.etag, link = EXCLUDED.link, body = EXCLUDED.body, fetched_at = now()`,
      [this.tokenHash, url, entry.etag, entry.link, JSON.stringify(entry.body)],
    );
  }
}
