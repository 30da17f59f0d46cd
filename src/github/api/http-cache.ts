import type { EntityManager } from '@mikro-orm/postgresql';
import { cachedResponse, storeResponse } from '../sql/http-cache.js';

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
    const row = await cachedResponse(this.em, this.tokenHash, url);
    return row ? { etag: row.etag, link: row.link, body: JSON.parse(row.body) } : null;
  }

  async put(url: string, entry: CachedResponse): Promise<void> {
    await storeResponse(this.em, this.tokenHash, url, { etag: entry.etag, link: entry.link, body: JSON.stringify(entry.body) });
  }
}
