import { PermanentError } from '../../errors/index.js';
import type { Needs } from '../../jobs/helpers.js';
import { appOf, type AppCredentials } from './app.js';
import { anyInstallation, forgetInstallation, storedInstallation, storeInstallation } from '../sql/installations.js';
import { createGitHubClient, GitHubPermanentError, type GitHubClient, type GitHubClientOptions } from './client.js';

/** What a GitHub client is made of: the caller's EntityManager for the ETag cache, the shared Redis budget, the settings, a logger. */
export type GitHubHelpers = Needs<'em' | 'config' | 'redis' | 'log'>;

/**
 * A GitHub client for one job run (or any caller with the helpers above).
 *
 * With a GitHub App configured, requests about a GitHub account (`owner`: a repository's owner, an
 * organization whose teams are read) authenticate as the App's installation on that account, found
 * once through `GET /orgs/{owner}/installation` (or `/users/…`) and kept in github_app_installations;
 * requests about no account in particular use the personal token when there is one, else any
 * installation. An account the App is not installed on uses the personal token, or fails permanently
 * saying so.
 */
export async function githubFor(ctx: GitHubHelpers, owner?: string): Promise<GitHubClient> {
  const c = ctx.config;
  const common: GitHubClientOptions = {
    baseUrl: c.GITHUB_API_URL,
    redis: ctx.redis,
    prefix: c.QUEUE_PREFIX,
    em: ctx.em,
    log: ctx.log,
    maxInlineWaitSeconds: c.GITHUB_MAX_INLINE_WAIT_SECONDS,
    retryBaseMs: c.GITHUB_RETRY_BASE_MS,
    timeoutMs: c.GITHUB_TIMEOUT_MS,
  };
  const app = appOf(c);
  if (!app || (!owner && c.GITHUB_TOKEN)) return createGitHubClient({ ...common, token: c.GITHUB_TOKEN });
  const installationId = owner ? await installationOf(ctx, common, app, owner) : await anyInstallation(ctx.em, app.appId);
  if (installationId !== null) {
    return createGitHubClient({ ...common, app: { ...app, installationId }, onInstallationGone: (id) => forgetInstallation(ctx.em, id) });
  }
  if (c.GITHUB_TOKEN) return createGitHubClient({ ...common, token: c.GITHUB_TOKEN });
  throw new PermanentError(
    owner
      ? `The GitHub App ${app.appId} is not installed on ${owner}: install it on that account, or set GITHUB_TOKEN`
      : `The GitHub App ${app.appId} has no known installation yet: sync a repository of an account it is installed on, or set GITHUB_TOKEN`,
  );
}

/** The App's installation on a GitHub account: stored, else asked of GitHub (with the App's JWT) and stored; null when not installed. */
async function installationOf(ctx: GitHubHelpers, common: GitHubClientOptions, app: AppCredentials, owner: string): Promise<number | null> {
  const stored = await storedInstallation(ctx.em, app.appId, owner);
  if (stored !== null) return stored;
  const asApp = createGitHubClient({ ...common, app });
  for (const route of ['GET /orgs/{owner}/installation', 'GET /users/{owner}/installation'] as const) {
    try {
      const { data } = await asApp.request(route, { owner });
      const id = Number((data as { id: unknown }).id);
      await storeInstallation(ctx.em, app.appId, owner, id);
      ctx.log.info({ owner, installationId: id }, 'GitHub App installation found');
      return id;
    } catch (err) {
      if (!(err instanceof GitHubPermanentError && err.status === 404)) throw err;
    }
  }
  return null;
}

/** The credential git clones and fetches with: the client's installation token, or the personal token. */
export async function gitTokenOf(octokit: GitHubClient): Promise<string | undefined> {
  const auth = (await octokit.auth({ type: 'installation' })) as { token?: string };
  return auth.token;
}
