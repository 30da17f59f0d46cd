import { PermanentError, RateLimitedError, TransientError } from '../errors/index.js';

/** Jira Cloud's REST v3, authenticated with an account's email and API token (basic auth). */
export interface JiraSiteAccess {
  baseUrl: string;
  email: string;
  token: string;
  timeoutMs?: number;
}

/**
 * GET a Jira REST path: JSON back, or a named error: 429 parks the job until Retry-After (rate limits
 * delay, never fail); 401/403 is a permanent refusal (a revoked or wrong token: nothing to retry);
 * 5xx and network failures are transient; an answer that is not JSON (an HTML login page: not a Jira
 * Cloud site's API) is permanent. The token never appears in an error.
 */
export async function jiraGet<T>(site: JiraSiteAccess, path: string, query: Record<string, string> = {}): Promise<T> {
  return (await request<T>(site, path, query, false))!;
}

/** As jiraGet, but a 404 (Jira's answer for an issue that was deleted, or that the account may no longer see) is `null`. */
export async function jiraFind<T>(site: JiraSiteAccess, path: string, query: Record<string, string> = {}): Promise<T | null> {
  return request<T>(site, path, query, true);
}

async function request<T>(site: JiraSiteAccess, path: string, query: Record<string, string>, notFoundIsNull: boolean): Promise<T | null> {
  const url = new URL(path, site.baseUrl.endsWith('/') ? site.baseUrl : `${site.baseUrl}/`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const auth = `Basic ${Buffer.from(`${site.email}:${site.token}`).toString('base64')}`;
  const where = `Jira ${url.origin}${url.pathname}`;
  let res: Response;
  try {
    // Aborted at the deadline (the request itself, not only the wait for it).
    res = await fetch(url, { headers: { authorization: auth, accept: 'application/json' }, signal: AbortSignal.timeout(site.timeoutMs ?? 15_000) });
  } catch (err) {
    const reason = (err as Error).name === 'TimeoutError' ? `no answer in ${site.timeoutMs ?? 15_000} ms` : (err as Error).message;
    throw new TransientError(`${where}: ${reason}`);
  }
  if (res.status === 429) {
    const after = Number(res.headers.get('retry-after') ?? '60');
    throw new RateLimitedError(`${where}: rate limited`, new Date(Date.now() + (Number.isFinite(after) ? after : 60) * 1000));
  }
  if (res.status === 401 || res.status === 403)
    throw new PermanentError(`${where} refused the credentials (${res.status}): the API token is wrong or revoked; install the site again (aexy jira install)`);
  if (res.status >= 500) throw new TransientError(`${where} answered ${res.status}`);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new PermanentError(`${where} answered ${res.headers.get('content-type') ?? 'something'}, not JSON: is ${site.baseUrl} a Jira Cloud site?`);
  }
  if (res.status === 404 && notFoundIsNull) return null;
  if (!res.ok) {
    const messages = (body as { errorMessages?: string[] })?.errorMessages?.join('; ') ?? '';
    throw new PermanentError(`${where} answered ${res.status}${messages ? `: ${messages}` : ''}`);
  }
  return body as T;
}
