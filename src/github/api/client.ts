import { createHash } from 'node:crypto';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import Bottleneck from 'bottleneck';
import { throttling } from '@octokit/plugin-throttling';
import type { Redis } from 'ioredis';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { PermanentError, RateLimitedError, TransientError } from '../../errors/index.js';
import { forgetInstallationTokens, installationTokenCache, type AppCredentials } from './app.js';
import { HttpCache } from './http-cache.js';
import { RateBudget } from './rate-budget.js';

const ThrottledOctokit = Octokit.plugin(retry, throttling);
export type GitHubClient = InstanceType<typeof ThrottledOctokit>;

export interface GitHubClientOptions {
  baseUrl: string;
  token?: string;
  /**
   * Authenticate as a GitHub App instead of with `token`: as its installation `installationId`
   * (installation tokens, created and renewed as needed), or as the App itself (its JWT: to find
   * installations) when none is given.
   */
  app?: AppCredentials & { installationId?: number };
  /** Called when GitHub no longer has the App's installation (its token request answered 404). */
  onInstallationGone?: (installationId: number) => Promise<void>;
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
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

/**
 * GraphQL queries are paced per process. plugin-throttling paces every POST (GraphQL included) one
 * second apart, GitHub's advice for requests that create content; ours are reads, costing a few
 * points each, and GitHub's secondary limit for GraphQL is 2,000 points a minute: 4 a second at
 * most keeps a sync far below it (≤ 240 queries, ≤ 1,000 points a minute).
 */
const GRAPHQL_PACING = new Bottleneck.Group({ id: 'aexy-graphql', maxConcurrent: 1, minTime: 250, timeout: 120_000 });

/**
 * An Octokit for GitHub REST (or Enterprise, or a stand-in: baseUrl) with:
 * - @octokit/plugin-retry: 5xx and network errors retried with quadratic backoff;
 * - @octokit/plugin-throttling: request pacing, short rate-limit waits done in-process;
 * - a shared Redis budget checked before every request;
 * - conditional requests from a PostgreSQL ETag cache (304s are free);
 * - GitHub failures translated into the job error kinds (rate limited / permanent / transient).
 */
export function createGitHubClient(opts: GitHubClientOptions): GitHubClient {
  // The budget and the ETag cache belong to the credential: a personal token, or one installation.
  const app = opts.app;
  const hash = tokenHash(app ? `app:${app.appId}:installation:${app.installationId ?? 'none'}` : opts.token);
  const log = opts.log.child({ component: 'github' });
  const octokit = new ThrottledOctokit(octokitOptions(opts, log));
  const state: RequestState = {
    opts,
    // GitHub keeps two budgets per token: REST requests ("core") and GraphQL points ("graphql").
    budgets: {
      core: new RateBudget(opts.redis, `${opts.prefix}:github:rate:${hash}`),
      graphql: new RateBudget(opts.redis, `${opts.prefix}:github:rate:${hash}:graphql`),
    },
    cache: new HttpCache(opts.em, hash),
  };
  octokit.hook.wrap('request', async (request, options) => {
    const endpoint = octokit.request.endpoint(options as never) as { method: string; url: string };
    // The App's own requests (an installation token, an account's installation) are not spent from
    // an installation's budget, and never cached.
    if (/\/app\/installations\/\d+\/access_tokens$|\/(orgs|users)\/[^/]+\/installation$/.test(endpoint.url)) {
      return appRequest(async () => request(options), endpoint.url, opts);
    }
    // What the request answered (or its cached twin), as Octokit typed it.
    return budgetedRequest(state, request as RequestFn, options as RequestOptions, endpoint) as ReturnType<typeof request>;
  });
  return octokit;
}

/** Authentication, timeouts, logging, retries and throttling of the Octokit. */
function octokitOptions(opts: GitHubClientOptions, log: Logger) {
  const maxInline = opts.maxInlineWaitSeconds ?? 5;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const app = opts.app;
  const onLimit = (what: string) => (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
    log.warn({ retryAfter, url: options.url, retryCount }, what);
    return retryCount < 1 && retryAfter <= maxInline;
  };
  return {
    ...(app
      ? {
          authStrategy: createAppAuth,
          auth: {
            appId: Number(app.appId),
            privateKey: app.privateKey,
            cache: installationTokenCache(app.appId),
            ...(app.installationId !== undefined ? { installationId: app.installationId } : {}),
          },
        }
      : { auth: opts.token }),
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
    throttle: { write: GRAPHQL_PACING, onRateLimit: onLimit('primary rate limit hit'), onSecondaryRateLimit: onLimit('secondary rate limit hit') },
  };
}

interface RequestOptions {
  headers?: Record<string, string | number | undefined>;
}
interface OctokitResponseLike {
  status: number;
  url: string;
  headers: Record<string, string | number | undefined> & { etag?: string; link?: string };
  data: unknown;
}
type RequestFn = (options: RequestOptions) => Promise<OctokitResponseLike>;

interface RequestState {
  opts: GitHubClientOptions;
  budgets: Record<'core' | 'graphql', RateBudget>;
  cache: HttpCache;
}

/** A request of the App itself: an installation GitHub no longer has is forgotten, to be looked up again. */
async function appRequest<R>(request: () => Promise<R>, url: string, opts: GitHubClientOptions): Promise<R> {
  try {
    return await request();
  } catch (err) {
    const e = err as OctokitErrorLike;
    const tokenRequest = /\/app\/installations\/(\d+)\/access_tokens$/.exec(url);
    if (tokenRequest && e.status === 404 && opts.onInstallationGone) {
      await opts.onInstallationGone(Number(tokenRequest[1]));
      throw new TransientError(`GitHub App installation ${tokenRequest[1]} no longer exists; it is looked up again on the next attempt`);
    }
    throw translateError(e, url);
  }
}

/** A request spent from the credential's budget, answered from the ETag cache when GitHub says 304. */
async function budgetedRequest(state: RequestState, request: RequestFn, options: RequestOptions, endpoint: { method: string; url: string }) {
  const { budgets, cache, opts } = state;
  const resource = /\/graphql$/.test(new URL(endpoint.url).pathname) ? 'graphql' : 'core';
  // The budget a response reports on (its x-ratelimit-resource), else the one the URL spends.
  const budgetOf = (headers: Record<string, unknown> | undefined) => budgets[headers?.['x-ratelimit-resource'] === 'graphql' ? 'graphql' : resource];
  const cacheable = endpoint.method === 'GET' && isCacheable(endpoint.url);
  const cached = cacheable ? await cache.get(endpoint.url) : null;
  if (cached) options.headers = { ...options.headers, 'if-none-match': cached.etag };

  await budgets[resource].assertAvailable();
  try {
    const response = await request(options);
    parseJsonText(response);
    await budgetOf(response.headers).record(response.headers as Record<string, unknown>);
    const etag = response.headers.etag;
    if (cacheable && etag && response.status === 200) {
      await cache.put(endpoint.url, { etag, link: response.headers.link ?? null, body: response.data });
    }
    return response;
  } catch (err) {
    const e = err as OctokitErrorLike;
    await budgetOf(e.response?.headers).record(e.response?.headers as Record<string, unknown> | undefined);
    const app = opts.app;
    if (e.status === 401 && app?.installationId !== undefined) {
      // An installation token GitHub refuses was revoked (the App uninstalled, or reinstalled under
      // a new id): drop it and the stored installation, so the retry finds the installation again.
      forgetInstallationTokens(app.appId, app.installationId);
      await opts.onInstallationGone?.(app.installationId);
      throw new TransientError(
        `GitHub refused the installation token of installation ${app.installationId} (401) on ${endpoint.url}; it is looked up again on the next attempt`,
      );
    }
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
}

/**
 * Octokit's JSON parser (json-with-bigint, a regex over the whole body on Node 20) overflows its
 * stack on bodies of several MB — a commit with an 8 MB message — and then hands back the text.
 * V8's own parser has no such limit: parse it here, so the page is read, not retried for ever.
 */
function parseJsonText(response: OctokitResponseLike): void {
  if (typeof response.data === 'string' && /\bjson\b/i.test(String(response.headers['content-type'] ?? ''))) {
    try {
      response.data = JSON.parse(response.data);
    } catch {
      /* not JSON after all: the response schema reports it */
    }
  }
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
  // GraphQL's primary limit arrives as a 200 with a RATE_LIMITED error (plugin-throttling raises it).
  const gqlErrors = (e.response?.data as { errors?: { type?: string }[] } | undefined)?.errors;
  if (gqlErrors?.some((g) => g.type === 'RATE_LIMITED')) {
    const reset = Number(headers['x-ratelimit-reset']) * 1000;
    return new RateLimitedError(`GitHub GraphQL rate limit exhausted on ${url}`, new Date((reset > Date.now() ? reset : Date.now() + 60_000) + 1000));
  }
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
  const network = networkProblem(e);
  if (network) return new TransientError(`Could not reach GitHub at ${new URL(url).host}: ${network}`);
  if (status !== undefined && status >= 500) return new TransientError(`GitHub ${status} on ${url} after retries: ${e.message}`);
  if (e instanceof Error) return e;
  return new TransientError(e.message);
}

/**
 * What went wrong on the network when a request got no HTTP answer at all (Octokit reports that as a
 * 500 without a response, which read as "GitHub 500"), or null when GitHub did answer.
 */
export function networkProblem(e: OctokitErrorLike & { cause?: unknown; name?: string }): string | null {
  if (e.response || (e.status !== undefined && e.status !== 500)) return null;
  const cause = e.cause as { code?: string; name?: string; cause?: { code?: string } } | undefined;
  const code = cause?.cause?.code ?? cause?.code ?? /\b(E[A-Z]{4,}|UND_ERR_[A-Z_]+)\b/.exec(e.message)?.[1];
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `its name does not resolve (DNS lookup failed: ${code})`;
  if (code === 'ECONNREFUSED') return 'the connection was refused (ECONNREFUSED)';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return `the connection was cut (${code})`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `no route to it (${code})`;
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || cause?.name === 'TimeoutError' || /due to timeout/i.test(e.message)) {
    return 'no answer before the timeout (GITHUB_TIMEOUT_MS)';
  }
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return `its TLS certificate was refused (${code})`;
  return e.status === 500 && !e.response && cause ? `a network error (${e.message})` : null;
}
