import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../db/sql.js';

/** github_http_cache: GitHub's answers by (hash of the token, URL), with their ETag (src/github/api/http-cache.ts). */

export async function cachedResponse(em: EntityManager, tokenHash: string, url: string): Promise<{ etag: string; link: string | null; body: string } | null> {
  const [row] = await sql<{ etag: string; link: string | null; body: string }>(
    em,
    `SELECT etag, link, body FROM github_http_cache WHERE token_hash = ? AND url = ?`,
    [tokenHash, url],
  );
  return row ?? null;
}

export async function storeResponse(
  em: EntityManager,
  tokenHash: string,
  url: string,
  entry: { etag: string; link: string | null; body: string },
): Promise<void> {
  await sql(
    em,
    `INSERT INTO github_http_cache (token_hash, url, etag, link, body, fetched_at) VALUES (?, ?, ?, ?, ?, now())
     ON CONFLICT (token_hash, url) DO UPDATE SET etag = EXCLUDED.etag, link = EXCLUDED.link, body = EXCLUDED.body, fetched_at = now()`,
    [tokenHash, url, entry.etag, entry.link, entry.body],
  );
}
