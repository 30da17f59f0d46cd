import { createHash } from 'node:crypto';
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { Redis } from 'ioredis';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { PermanentError, RateLimitedError, TransientError } from '../errors/index.js';
import { HttpCache } from './http-cache.js';
import { RateBudget } from './rate-budget.js';

const ThrottledOctokit = Octokit.plugin(retry, throttling);
export type GitHubClient = InstanceType<typeof ThrottledOctokit>;

export interface GitHubClientOptions {
  baseUrl: string;
  token?: string;
  redis: Redis;
  /** Redis key prefix for the shared budget (the queue prefix). */
  prefix: string;
  em: EntityManager;
  log: Logger;
  /** Rate-limit waits up to this long happen in-process; longer ones park the job. */
  maxInlineWaitSeconds?: number;
  /** Base of the 5xx retry backoff (retry n waits n² × base ms). */
  retryBaseMs?: number;
  retries?: number;
  /** How long one HTTP request may take (each retry gets its own); default 30 s. */
  timeoutMs?: number;
}

export function tokenHash(token: string | undefined): string {
  return token ? createHash('sha256').update(token).digest('hex').slice(0, 32) : 'anonymous';
}

/** Immutable resources (a commit by sha) are fetched once, so caching them only costs space. */
function isCacheable(url: string): boolean {
  return !/\/commits\/[0-9a-f]{40}(\?|$)/.test(url);
}

interface OctokitErrorLike {
  status?: number;
  message: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

/**
 * An Octokit for GitHub REST (or Enterprise, or a stand-in: baseUrl) with:
 * - @octokit/plugin-retry: 5xx and network errors retried with quadratic backoff;
 * - @octokit/plugin-throttling: request pacing, short rate-limit waits done in-process;
 * - a shared Redis budget checked before every request;
 * - conditional requests from a PostgreSQL ETag cache (304s are free);
 * - GitHub failures translated into the job error kinds (rate limited / permanent / transient).
 */
export function createGitHubClient(opts: GitHubClientOptions): GitHubClient {
  const maxInline = opts.maxInlineWaitSeconds ?? 5;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const hash = tokenHash(opts.token);
  const budget = new RateBudget(opts.redis, `${opts.prefix}:github:rate:${hash}`);
  const cache = new HttpCache(opts.em, hash);
  const log = opts.log.child({ component: 'github' });

  const octokit = new ThrottledOctokit({
    auth: opts.token,
    baseUrl: opts.baseUrl.replace(/\/$/, ''),
    userAgent: 'aexy-workers',
    // Every HTTP attempt is bounded (fetch would wait on a silent server for minutes); a timed-out
    // attempt is a network error, retried by plugin-retry, then a transient job error.
    request: {
      fetch: (url: string | URL, init: RequestInit = {}) =>
        fetch(url, { ...init, signal: init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs) }),
    },
    // Octokit logs every non-2xx (including our 304 cache hits) as an error; failures that matter
    // are logged by the job runtime with their outcome, so keep Octokit's own lines at debug.
    log: { debug: () => {}, info: () => {}, warn: (m: string) => log.warn(m), error: (m: string) => log.debug(m) },
    retry: {
      retries: opts.retries ?? 3,
      retryAfterBaseValue: opts.retryBaseMs ?? 1000,
      // 409 (empty repository) and 429/403 (rate limits, handled below) are not worth retrying blindly.
      doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451],
    },
    throttle: {
      onRateLimit: (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
        log.warn({ retryAfter, url: options.url, retryCount }, 'primary rate limit hit');
        return retryCount < 1 && retryAfter <= maxInline;
      },
      onSecondaryRateLimit: (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
        log.warn({ retryAfter, url: options.url, retryCount }, 'secondary rate limit hit');
        return retryCount < 1 && retryAfter <= maxInline;
      },
    },
  });

  octokit.hook.wrap('request', async (request, options) => {
    const endpoint = octokit.request.endpoint(options as never) as { method: string; url: string };
    const isGet = endpoint.method === 'GET';
    const cacheable = isGet && isCacheable(endpoint.url);
    const cached = cacheable ? await cache.get(endpoint.url) : null;
    if (cached) options.headers = { ...options.headers, 'if-none-match': cached.etag };

    await budget.assertAvailable();
    try {
      const response = await request(options);
      // Octokit's JSON parser (json-with-bigint, a regex over the whole body on Node 20) overflows
      // its stack on bodies of several MB — a commit with an 8 MB message — and then hands back the
      // text. V8's own parser has no such limit: parse it here, so the page is read, not retried for ever.
      if (typeof response.data === 'string' && /\bjson\b/i.test(String(response.headers['content-type'] ?? ''))) {
        try {
          response.data = JSON.parse(response.data);
        } catch {
          /* not JSON after all: the response schema reports it */
        }
      }
      await budget.record(response.headers as Record<string, unknown>);
      const etag = response.headers.etag;
      if (cacheable && etag && response.status === 200) {
        await cache.put(endpoint.url, { etag, link: response.headers.link ?? null, body: response.data });
      }
      return response;
    } catch (err) {
      const e = err as OctokitErrorLike;
      await budget.record(e.response?.headers as Record<string, unknown> | undefined);
      if (e.status === 304 && cached) {
        return {
          status: 200,
          url: endpoint.url,
          headers: { ...(e.response?.headers ?? {}), link: cached.link ?? undefined, etag: cached.etag },
          data: cached.body,
        } as never;
      }
      throw translateError(e, endpoint.url);
    }
  });

  return octokit;
}

/** A GitHub answer that retrying will not change (404, 409 empty repository, 401, 422 …). */
export class GitHubPermanentError extends PermanentError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** GitHub failure → job error kind. Anything unrecognised stays as is (and is retried by BullMQ). */
export function translateError(e: OctokitErrorLike, url: string): Error {
  const headers = e.response?.headers ?? {};
  const status = e.status;
  if (status === 403 || status === 429) {
    if (/secondary rate/i.test(e.message) || headers['retry-after'] !== undefined) {
      const seconds = Number(headers['retry-after']) || 60;
      return new RateLimitedError(`GitHub secondary rate limit on ${url}; retry after ${seconds}s`, new Date(Date.now() + seconds * 1000));
    }
    if (String(headers['x-ratelimit-remaining']) === '0') {
      const reset = Number(headers['x-ratelimit-reset']) * 1000;
      return new RateLimitedError(`GitHub rate limit exhausted on ${url}`, new Date(Math.max(reset, Date.now()) + 1000));
    }
    return new GitHubPermanentError(`GitHub refused ${url}: ${status} ${e.message}`, status);
  }
  if (status === 401) return new GitHubPermanentError(`GitHub rejected the credentials (401) for ${url}`, status);
  if (status === 404 || status === 410) return new GitHubPermanentError(`GitHub has no ${url} (${status})`, status);
  if (status === 409) return new GitHubPermanentError(`GitHub conflict on ${url}: ${e.message}`, status);
  if (status === 422 || status === 400) return new GitHubPermanentError(`GitHub rejected the request ${url}: ${e.message}`, status);
  if (status !== undefined && status >= 500) return new TransientError(`GitHub ${status} on ${url} after retries: ${e.message}`);
  if (e instanceof Error) return e;
  return new TransientError(e.message);
}
