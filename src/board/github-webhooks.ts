import { verify } from '@octokit/webhooks-methods';
import type { FastifyInstance } from 'fastify';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { z } from 'zod';
import { withTimeout } from '../lib/timeout.js';
import type { Producer } from '../queues/producer.js';
import { githubSyncRepo } from '../workers/jobs/github-sync-repo.js';

export const WEBHOOK_PATH = '/webhooks/github';

/** Which sync stream each event invalidates. */
const STREAMS_FOR_EVENT: Record<string, ('commits' | 'pulls')[]> = {
  push: ['commits'],
  pull_request: ['pulls'],
  pull_request_review: ['pulls'],
  pull_request_review_comment: ['pulls'],
};

const repositoryPayload = z.looseObject({ repository: z.looseObject({ full_name: z.string() }) });

export interface WebhookOptions {
  secret: string | undefined;
  producer: Producer;
  em: () => EntityManager;
  log: Logger;
}

/**
 * GitHub webhook receiver: verifies X-Hub-Signature-256 (HMAC-SHA256 of the raw body) before reading
 * anything, then turns push / pull_request / pull_request_review events on tracked repositories into
 * incremental syncs. Bursts collapse: sync jobs are deduplicated per repository and stream.
 */
export async function registerGitHubWebhooks(app: FastifyInstance, opts: WebhookOptions): Promise<void> {
  await app.register(async (scope) => {
    // The signature covers the exact bytes GitHub sent, so keep the body raw.
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 25 * 1024 * 1024 }, (_req, body, done) => done(null, body));

    scope.post(WEBHOOK_PATH, async (req, reply) => {
      if (!opts.secret) return reply.code(503).send({ error: 'GITHUB_WEBHOOK_SECRET is not configured' });
      const signature = req.headers['x-hub-signature-256'];
      const raw = req.body;
      if (typeof signature !== 'string' || !signature.startsWith('sha256=')) {
        return reply.code(401).send({ error: 'missing X-Hub-Signature-256' });
      }
      if (!Buffer.isBuffer(raw) || !(await verify(opts.secret, raw.toString('utf8'), signature).catch(() => false))) {
        return reply.code(401).send({ error: 'invalid signature' });
      }
      const event = String(req.headers['x-github-event'] ?? '');
      const delivery = String(req.headers['x-github-delivery'] ?? '');
      if (event === 'ping') return reply.code(200).send({ ok: true });
      // An own property only: an event named "constructor" is no event of ours.
      const streams = Object.hasOwn(STREAMS_FOR_EVENT, event) ? STREAMS_FOR_EVENT[event] : undefined;
      if (!streams) return reply.code(202).send({ ignored: `event ${event || '(none)'}` });

      let payload: z.infer<typeof repositoryPayload>;
      try {
        payload = repositoryPayload.parse(JSON.parse(raw.toString('utf8')));
      } catch {
        return reply.code(400).send({ error: 'payload is not a GitHub repository event' });
      }
      const repository = payload.repository.full_name;
      try {
        // Bounded: a PostgreSQL that hangs (rather than refuses) would otherwise hold the delivery
        // past GitHub's 10 s until the pool's acquire timeout.
        const tracked = await withTimeout(
          opts.em().getConnection().execute<unknown[]>(`SELECT 1 FROM tracked_repositories WHERE full_name = ? AND is_active`, [repository]),
          5_000,
          () => new Error('PostgreSQL did not answer within 5 s'),
        );
        if (tracked.length === 0) return reply.code(202).send({ ignored: `repository ${repository} is not tracked` });

        const job = await opts.producer.enqueue(githubSyncRepo, { repository, streams });
        opts.log.info({ event, delivery, repository, jobId: job.id }, 'webhook queued a sync');
        return reply.code(202).send({ queued: job.id, repository, streams });
      } catch (err) {
        // PostgreSQL or Redis is away. GitHub does not retry failed deliveries by itself, but they
        // can be redelivered from the webhook's settings, and the scheduled sync-all catches up anyway.
        opts.log.warn({ event, delivery, repository, err: (err as Error).message }, 'webhook could not queue a sync');
        return reply
          .code(503)
          .header('retry-after', '60')
          .send({ error: `could not queue a sync of ${repository} right now; redeliver the event later (the hourly sync will also catch up)` });
      }
    });
  });
}
