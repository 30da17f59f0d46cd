import { createHash } from 'node:crypto';
import { verify } from '@octokit/webhooks-methods';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { withTimeout } from '../../lib/timeout.js';
import type { Producer } from '../../queues/producer.js';
import { githubSyncRepo } from '../jobs/github-sync-repo.contract.js';
import type { SyncStream } from '../../entities/github-sync-cursor.js';
import { trackedName } from '../sync/tracked.js';
import { applyTracking, trackingChange, TRACKING_EVENTS, type TrackingChange } from './tracking.js';

export const WEBHOOK_PATH = '/webhooks/github';

/** Which sync stream each event invalidates. */
const STREAMS_FOR_EVENT: Record<string, SyncStream[]> = {
  push: ['commits'],
  pull_request: ['pulls'],
  pull_request_review: ['pulls'],
  pull_request_review_comment: ['pulls'],
  deployment: ['deployments'],
  deployment_status: ['deployments'],
  workflow_run: ['deployments'],
  issues: ['issues'],
  issue_comment: ['issues'],
};

const repositoryPayload = z.looseObject({ repository: z.looseObject({ full_name: z.string() }) });

export interface WebhookOptions {
  secret: string | undefined;
  producer: Producer;
  /** For the replay guard (delivery ids seen): a connection that fails fast when Redis is away. */
  redis: Redis;
  prefix: string;
  em: () => EntityManager;
  log: Logger;
  /** Deliveries processed at once; more are answered 503 before their body is read. */
  maxConcurrent?: number;
  /** How long a delivery id is remembered, to ignore GitHub's (and anyone's) replays of it. */
  replayWindowSeconds?: number;
  /** The configured GitHub App (GITHUB_APP_ID): installation events of any other App are ignored. */
  appId?: string;
}

const SIGNATURE = /^sha256=[0-9a-f]{64}$/;
/** GitHub caps a delivery's payload at 25 MB. */
const BODY_LIMIT = 25 * 1024 * 1024;

/**
 * GitHub webhook receiver: verifies X-Hub-Signature-256 (HMAC-SHA256 of the raw body) before reading
 * anything, then turns push / pull_request / pull_request_review events on tracked repositories into
 * incremental syncs. Bursts collapse: sync jobs are deduplicated per repository and stream.
 *
 * Cheap refusals come first, before a byte of the body is buffered or hashed: no secret configured,
 * a missing or malformed signature, event or delivery header, too many deliveries in flight. Both
 * content types GitHub offers are accepted (`application/json`, and `application/x-www-form-urlencoded`
 * with the JSON in `payload=`); a delivery id seen in the last 24 h is a replay and is ignored.
 */
/**
 * A push / pull_request / review / deployment / workflow run on a tracked repository: queue its incremental sync of what changed. Bounded: a
 * PostgreSQL that hangs (rather than refuses) would otherwise hold the delivery past GitHub's 10 s
 * until the pool's acquire timeout. Names are matched as GitHub does, whatever their case; the sync
 * runs under the tracked name.
 */
async function queueSync(opts: WebhookOptions, event: string, delivery: string, fullName: string, streams: SyncStream[]) {
  const repository = await withTimeout(trackedName(opts.em(), fullName), 5_000, () => new Error('PostgreSQL did not answer within 5 s'));
  if (!repository) return { code: 202, body: { ignored: `repository ${fullName} is not tracked` } };
  const job = await opts.producer.enqueue(githubSyncRepo, { repository, streams });
  opts.log.info({ event, delivery, repository, jobId: job.id }, 'webhook queued a sync');
  return { code: 202, body: { queued: job.id, repository, streams } };
}

/** An installation or repository event of a linked GitHub account: track (and sync) or stop tracking its repositories. */
async function changeTracking(opts: WebhookOptions, event: string, delivery: string, change: TrackingChange) {
  // Another App's installation is not ours to record, nor are its repositories ours to track.
  if (opts.appId && change.app !== undefined && String(change.app) !== opts.appId) {
    opts.log.info({ event, delivery, account: change.account, app: change.app }, 'installation event of another GitHub App ignored');
    return { code: 202, body: { ignored: `an installation of another GitHub App (app_id ${change.app ?? 'not given'})` } };
  }
  const result = await withTimeout(applyTracking(opts.em(), opts.producer, change), 10_000, () => new Error('tracking did not finish within 10 s'));
  if (!result.organizationId) {
    return {
      code: 202,
      body: { ignored: `GitHub account ${change.account} is linked to no organization (aexy github link ${change.account} --organization <uuid>)` },
    };
  }
  opts.log.info(
    { event, delivery, account: change.account, tracked: result.tracked.length, untracked: result.untracked.length, refused: result.refused.length },
    'webhook changed tracking',
  );
  return { code: 202, body: result };
}

export async function registerGitHubWebhooks(app: FastifyInstance, opts: WebhookOptions): Promise<void> {
  await app.register(async (scope) => {
    // The signature covers the exact bytes GitHub sent, so keep the body raw.
    const raw = (_req: unknown, body: Buffer, done: (err: Error | null, body?: Buffer) => void) => done(null, body);
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, raw);
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, raw);
    scope.addHook('onRequest', refusalsBeforeTheBody(opts));

    scope.post(WEBHOOK_PATH, async (req, reply) => {
      const signature = req.headers['x-hub-signature-256'] as string;
      const body = req.body;
      if (!Buffer.isBuffer(body) || !(await verify(opts.secret!, body.toString('utf8'), signature).catch(() => false))) {
        return reply.code(401).send({ error: 'invalid signature' });
      }
      const event = String(req.headers['x-github-event']);
      const delivery = String(req.headers['x-github-delivery']);
      if (event === 'ping') return reply.code(200).send({ ok: true });
      const request = deliveryRequest(opts, event, delivery, body, req.headers['content-type']);
      if ('ignored' in request) return reply.code(202).send(request);
      if ('error' in request) return reply.code(400).send(request);
      const answer = await actOnce(opts, event, delivery, body, request);
      if (answer.retryAfter) reply.header('retry-after', answer.retryAfter);
      return reply.code(answer.code).send(answer.body);
    });
  });
}

/** Before the body is read: every refusal that needs no body, and at most `maxConcurrent` deliveries at once. */
function refusalsBeforeTheBody(opts: WebhookOptions) {
  const maxConcurrent = opts.maxConcurrent ?? 4;
  let inFlight = 0;
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.routeOptions.url !== WEBHOOK_PATH) return;
    if (!opts.secret) return reply.code(503).send({ error: 'GITHUB_WEBHOOK_SECRET is not configured' });
    const signature = req.headers['x-hub-signature-256'];
    if (typeof signature !== 'string' || !SIGNATURE.test(signature)) return reply.code(401).send({ error: 'missing or malformed X-Hub-Signature-256' });
    if (typeof req.headers['x-github-event'] !== 'string' || !req.headers['x-github-event']) return reply.code(400).send({ error: 'missing X-GitHub-Event' });
    if (typeof req.headers['x-github-delivery'] !== 'string' || !req.headers['x-github-delivery'])
      return reply.code(400).send({ error: 'missing X-GitHub-Delivery' });
    if (inFlight >= maxConcurrent) return reply.code(503).header('retry-after', '5').send({ error: 'too many deliveries at once; redeliver later' });
    inFlight += 1;
    // 'close' comes once the response is done and also when the client goes away mid-upload (no
    // response at all), so an aborted delivery cannot hold its place for ever.
    reply.raw.once('close', () => {
      inFlight -= 1;
    });
  };
}

/** What a delivery asks for (a sync, or a change of tracking), parsed before anything is remembered or queued. */
interface DeliveryRequest {
  subject: string;
  catchesUp: boolean;
  act: () => Promise<{ code: number; body: unknown }>;
}

function deliveryRequest(
  opts: WebhookOptions,
  event: string,
  delivery: string,
  body: Buffer,
  contentType: string | undefined,
): DeliveryRequest | { ignored: string } | { error: string } {
  // An own property only: an event named "constructor" is no event of ours.
  const streams = Object.hasOwn(STREAMS_FOR_EVENT, event) ? STREAMS_FOR_EVENT[event] : undefined;
  const tracking = (TRACKING_EVENTS as readonly string[]).includes(event) ? (event as (typeof TRACKING_EVENTS)[number]) : undefined;
  if (!streams && !tracking) return { ignored: `event ${event}` };
  try {
    const text = contentType?.startsWith('application/x-www-form-urlencoded')
      ? (new URLSearchParams(body.toString('utf8')).get('payload') ?? '')
      : body.toString('utf8');
    const json: unknown = JSON.parse(text);
    if (streams) {
      const payload = repositoryPayload.parse(json);
      return {
        subject: `a sync of ${payload.repository.full_name}`,
        catchesUp: true,
        act: () => queueSync(opts, event, delivery, payload.repository.full_name, streams),
      };
    }
    const change = trackingChange(tracking!, json);
    return { subject: `the tracking of ${change.account}'s repositories`, catchesUp: false, act: () => changeTracking(opts, event, delivery, change) };
  } catch {
    return { error: `payload is not a GitHub ${event} event` };
  }
}

/**
 * A delivery is acted on once: GitHub's "redeliver", or a captured request sent again, under its
 * delivery id or under a new one (the id is not signed; the body is): both are remembered.
 */
async function actOnce(
  opts: WebhookOptions,
  event: string,
  delivery: string,
  body: Buffer,
  request: DeliveryRequest,
): Promise<{ code: number; body: unknown; retryAfter?: string }> {
  const replayWindow = opts.replayWindowSeconds ?? 24 * 3600;
  const replayKeys: string[] = [];
  try {
    const keys = [`${opts.prefix}:github:delivery:${delivery}`, `${opts.prefix}:github:body:${createHash('sha256').update(body).digest('hex')}`];
    for (const key of keys) {
      const fresh = await withTimeout(opts.redis.set(key, '1', 'EX', replayWindow, 'NX'), 3_000, () => new Error('Redis did not answer within 3 s'));
      if (fresh === null) {
        await Promise.all(replayKeys.map((k) => opts.redis.del(k))).catch(() => undefined);
        const what = key === keys[0] ? `delivery ${delivery}` : `this payload (under another delivery id)`;
        return { code: 200, body: { ignored: `${what} was already processed` } };
      }
      replayKeys.push(key);
    }
    return await request.act();
  } catch (err) {
    // PostgreSQL or Redis is away. Forget the delivery id, so a redelivery is acted on; the
    // scheduled sync-all catches up anyway.
    await Promise.all(replayKeys.map((k) => opts.redis.del(k))).catch(() => undefined);
    opts.log.warn({ event, delivery, subject: request.subject, err: (err as Error).message }, 'webhook could not be acted on');
    return {
      code: 503,
      retryAfter: '60',
      body: {
        error: `could not queue ${request.subject} right now; redeliver the event later${request.catchesUp ? ' (the hourly sync will also catch up)' : ''}`,
      },
    };
  }
}
