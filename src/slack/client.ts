import { ErrorCode, WebClient, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '../config/index.js';
import { KeyRing } from '../crypto/secrets.js';
import { deactivateIntegration, failStalePending, integrationWithToken, type Integration } from './queries.js';
import { PermanentError, RateLimitedError, TransientError } from '../errors/index.js';

/** Slack answers that mean the token will never work again: the integration is switched off. */
export const REVOKED_ERRORS = new Set(['invalid_auth', 'account_inactive', 'token_revoked', 'token_expired', 'not_authed']);
/** Answers Slack documents as momentary (its side): retried with the job's backoff. */
export const TRANSIENT_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);
/** Answers about the destination: recorded, not retried. */
export const DESTINATION_ERRORS = new Set(['channel_not_found', 'not_in_channel', 'is_archived', 'channel_is_archived', 'restricted_action']);

/**
 * A WebClient for one integration, its bot token decrypted only here and only for this call.
 * Retries are left to BullMQ (rate limits are rejected, not slept on, so the job can be parked): the
 * client itself never retries, because a post whose answer was lost (a timeout, a 5xx after Slack
 * stored the message) must not be sent again blind — the job's next attempt first looks for it in
 * the channel's history (postOnce).
 */
export async function slackFor(em: EntityManager, config: AppConfig, integrationId: string): Promise<{ client: WebClient; integration: Integration }> {
  const row = await integrationWithToken(em, integrationId);
  if (!row) throw new PermanentError(`Slack integration ${integrationId} does not exist`);
  if (row.is_active === false) throw new PermanentError(`Slack integration ${row.team_id} is inactive`);
  const token = KeyRing.fromConfig(config.ENCRYPTION_KEYS).decrypt(row.bot_token);
  const client = new WebClient(token, {
    slackApiUrl: config.SLACK_API_URL,
    // @slack/web-api waits for ever by default; a silent Slack must not hold a job (or shutdown).
    timeout: config.SLACK_TIMEOUT_MS,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, setLevel: () => {}, getLevel: () => 'error' as never, setName: () => {} },
  });
  const { bot_token: _t, ...integration } = row;
  void _t;
  return { client, integration };
}

/** Slack failure → job error kind; deactivates the integration when its token is dead. */
export async function translateSlackError(em: EntityManager, integrationId: string, err: unknown): Promise<Error> {
  const e = err as { code?: string; data?: { error?: string }; retryAfter?: number; message?: string };
  if (e.code === ErrorCode.RateLimitedError) {
    const seconds = (err as WebAPIRateLimitedError).retryAfter || 60;
    return new RateLimitedError(`Slack rate limited; retry after ${seconds}s`, new Date(Date.now() + seconds * 1000));
  }
  if (e.code === ErrorCode.PlatformError) {
    const code = (err as WebAPIPlatformError).data.error;
    if (REVOKED_ERRORS.has(code)) {
      await deactivateIntegration(em, integrationId);
      return new PermanentError(`Slack refused the bot token (${code}); the integration was deactivated`);
    }
    if (DESTINATION_ERRORS.has(code)) return new PermanentError(`Slack cannot post there (${code})`);
    if (TRANSIENT_ERRORS.has(code)) return new TransientError(`Slack error, will retry: ${code}`);
    return new PermanentError(`Slack error: ${code}`);
  }
  return new TransientError(`Slack request failed: ${e.message ?? String(err)}`);
}

/** A `pending` attempt older than this belongs to a worker that died while posting. */
export const STALE_PENDING_MINUTES = 15;

/**
 * Attempts left `pending` by a worker that died between writing the row and recording Slack's
 * answer: their outcome is unknown (Slack may have posted the message), and the row says so instead
 * of staying pending for ever. Run before each new attempt of the integration (or of all, with null)
 * and by the daily fan-out.
 */
export async function resolveStalePending(em: EntityManager, integrationId: string | null): Promise<number> {
  return failStalePending(em, integrationId, STALE_PENDING_MINUTES);
}
