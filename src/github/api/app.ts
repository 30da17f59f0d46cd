/**
 * GitHub App authentication (@octokit/auth-app): the App signs a JWT with its private key, trades it
 * for an installation access token of the GitHub account a request is about, and that token (an
 * hour long) authenticates the requests — each installation with a rate budget of its own (GitHub
 * gives an installation 5,000 to 15,000 requests an hour), instead of one personal token's 5,000
 * for every organization.
 */
export interface AppCredentials {
  appId: string;
  privateKey: string;
}

/** The App of the configuration, when one is set (config validation requires both or neither). */
export function appOf(config: { GITHUB_APP_ID?: string; GITHUB_APP_PRIVATE_KEY?: string }): AppCredentials | null {
  return config.GITHUB_APP_ID && config.GITHUB_APP_PRIVATE_KEY ? { appId: config.GITHUB_APP_ID, privateKey: config.GITHUB_APP_PRIVATE_KEY } : null;
}

/** A token is renewed this long before it expires, so no request goes out with one about to lapse (GitHub's last an hour). */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Installation tokens, kept in this process per App (auth-app's cache interface; its value is
 * "token|createdAt|expiresAt|…"). A job gets a new client, not a new token: the token is reused
 * until 5 minutes before its expiry, then a new one is created. They are not shared through Redis:
 * a token is a credential, and creating one costs one request.
 */
const caches = new Map<string, Map<string, string>>();
export function installationTokenCache(appId: string) {
  let tokens = caches.get(appId);
  if (!tokens) caches.set(appId, (tokens = new Map()));
  const store = tokens;
  return {
    get(key: string): string | undefined {
      const value = store.get(key);
      const [, createdAt, expiresAt] = (value ?? '').split('|').map((t) => Date.parse(t));
      // Renewed 5 minutes before expiry (a quarter of the lifetime for a token issued for less than 20).
      const margin = Math.min(REFRESH_MARGIN_MS, (expiresAt! - createdAt!) / 4);
      if (value && expiresAt! - Date.now() > margin) return value;
      store.delete(key);
      return undefined;
    },
    set(key: string, value: string): void {
      store.set(key, value);
    },
  };
}

/** Drop the cached tokens of an installation (GitHub refused one: revoked, or the App was uninstalled). */
export function forgetInstallationTokens(appId: string, installationId: number): void {
  const tokens = caches.get(appId);
  for (const key of tokens?.keys() ?? []) if (key.split('|')[0] === String(installationId)) tokens!.delete(key);
}
