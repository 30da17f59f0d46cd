import { ErrorCode, type WebClient } from '@slack/web-api';
import type { EntityManager } from '@mikro-orm/postgresql';
import { attemptFailed, attemptsOf, attemptSent, closePendingAttempts, startAttempt } from './queries.js';
import { resolveStalePending, translateSlackError } from './client.js';

/** The metadata event type our messages carry; its payload holds the notification's idempotency key. */
export const METADATA_EVENT = 'aexy_notification';

export interface SlackMessageMetadata {
  event_type: typeof METADATA_EVENT;
  event_payload: { idempotency_key: string; notification_type: string };
}

export interface Posted {
  channel: string;
  ts?: string;
}

export interface NotificationEntry {
  integrationId: string;
  /** slack_notification_logs.notification_type */
  type: string;
  summary: string;
  channel: string;
  /**
   * The same for every attempt of one notification (a retry, a stalled copy, a second run of the
   * same report slot) and different for different notifications: a semantic key where there is one
   * (`insight_alert:<insight id>`), else the job's (see `jobKey`).
   */
  key: string;
}

/**
 * What `send` is told: the metadata to attach to the message it posts, and, when an interrupted
 * earlier attempt had already posted it, that message's ts — then the message must not be posted
 * again (a report still uploads its file into the message's thread if the file is missing).
 */
export interface SendContext {
  metadata: SlackMessageMetadata;
  existingTs?: string;
}

/** A job's own idempotency key: its id with its creation time (ids restart when Redis is emptied). */
export function jobKey(job: { name: string; id?: string; timestamp: number }): string {
  return `${job.name}:${job.id ?? 'none'}:${job.timestamp}`;
}

/**
 * Post one notification at most once, as far as Slack's API allows, logging every attempt in
 * slack_notification_logs (with its key in slack_notification_keys). An explicit state machine,
 * run by every attempt:
 *
 *   sent?      An earlier attempt with this key was recorded `sent`: nothing to do, return it.
 *   unsure?    Earlier attempts exist but none was recorded sent. Any of them may have reached Slack
 *              (the worker died after Slack accepted the message, or the answer was lost to a
 *              timeout or a 5xx — Slack documents that internal_error can follow a partial success).
 *              So the channel's history since the first of them is read, metadata included, for a
 *              message carrying this key:
 *                found      → `send` completes it without posting again;
 *                not found  → attempts still `pending` are closed as "not posted"; post;
 *                unreadable → (no channels:history / groups:history scope, not in the channel…)
 *                             post; this is the one case where a message can appear twice.
 *   attempt    Record a `pending` row with the key, call `send`, record `sent` with channel and ts, or
 *              `failed` with the error (translated to a job error kind and rethrown).
 */
export async function postOnce<T extends Posted>(
  em: EntityManager,
  client: WebClient,
  entry: NotificationEntry,
  send: (ctx: SendContext) => Promise<T>,
): Promise<T | (Posted & { alreadySent: true })> {
  await resolveStalePending(em, entry.integrationId);
  const earlier = await attemptsOf(em, entry.key);
  const sent = earlier.find((r) => r.status === 'sent');
  if (sent) return { channel: sent.channel_id ?? entry.channel, ts: sent.message_ts ?? undefined, alreadySent: true };

  const metadata: SlackMessageMetadata = { event_type: METADATA_EVENT, event_payload: { idempotency_key: entry.key, notification_type: entry.type } };
  let existingTs: string | undefined;
  let note: string | null = null;
  if (earlier.length > 0) {
    const found = await findPosted(em, client, entry, new Date(earlier[0]!.started_at));
    const pending = earlier.filter((r) => r.status === 'pending').map((r) => r.id);
    if (found.state === 'found') {
      existingTs = found.ts;
      await closeAttempts(
        em,
        pending,
        `interrupted after Slack received the message (ts ${found.ts}, found in the channel's history by a retry, which did not post it again)`,
      );
    } else if (found.state === 'absent') {
      await closeAttempts(em, pending, `not posted: the attempt stopped before Slack received the message (checked in the channel's history by a retry)`);
    }
    // Unreadable: the earlier rows keep what they say (resolveStalePending closes them as "outcome
    // unknown"), and this attempt's row says that it may be a repeat.
    else note = `posted without knowing whether an earlier attempt had posted it (channel history unreadable: ${found.reason}); it may appear twice`;
  }

  const logId = await startAttempt(em, {
    integrationId: entry.integrationId,
    channel: entry.channel,
    type: entry.type,
    summary: entry.summary.slice(0, 2000),
    key: entry.key,
  });
  try {
    const result = await send({ metadata, existingTs });
    await attemptSent(em, logId, { channel: result.channel, ts: result.ts ?? null, note });
    return result;
  } catch (err) {
    const translated = await translateSlackError(em, entry.integrationId, err);
    await attemptFailed(em, logId, translated.message);
    throw translated;
  }
}

async function closeAttempts(em: EntityManager, ids: string[], message: string): Promise<void> {
  if (ids.length === 0) return;
  await closePendingAttempts(em, ids, message);
}

/** Pages of history read at most (200 messages each) before the search gives up as unreadable. */
export const HISTORY_PAGES = 10;
/** Read history from this long before the first attempt: Slack's clock and ours may differ. */
const CLOCK_SLACK_MS = 5 * 60_000;

type Found = { state: 'found'; ts: string } | { state: 'absent' } | { state: 'unreadable'; reason: string };

/**
 * Look in the channel's history since `since` for a top-level message whose metadata carries the
 * entry's key (`include_all_metadata`, or Slack leaves the payload out). A rate limit is rethrown
 * (the job is delayed, never run blind); any other refusal means the history cannot be read.
 */
async function findPosted(em: EntityManager, client: WebClient, entry: NotificationEntry, since: Date): Promise<Found> {
  let cursor: string | undefined;
  try {
    for (let page = 0; page < HISTORY_PAGES; page += 1) {
      const res = await client.conversations.history({
        channel: entry.channel,
        oldest: ((since.getTime() - CLOCK_SLACK_MS) / 1000).toFixed(6),
        include_all_metadata: true,
        limit: 200,
        cursor,
      });
      for (const m of res.messages ?? []) {
        const meta = (m as { metadata?: { event_type?: string; event_payload?: { idempotency_key?: string } } }).metadata;
        if (meta?.event_type === METADATA_EVENT && meta.event_payload?.idempotency_key === entry.key && m.ts) return { state: 'found', ts: m.ts };
      }
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!res.has_more || !cursor) return { state: 'absent' };
    }
    return { state: 'unreadable', reason: `more than ${HISTORY_PAGES * 200} messages since the first attempt` };
  } catch (err) {
    if ((err as { code?: string }).code === ErrorCode.RateLimitedError) throw await translateSlackError(em, entry.integrationId, err);
    return { state: 'unreadable', reason: (err as { data?: { error?: string } }).data?.error ?? (err as Error).message };
  }
}
