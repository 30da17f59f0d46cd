import { verify } from '@octokit/webhooks-methods';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { PermanentError } from '../errors/index.js';
import { withTimeout } from '../lib/timeout.js';
import { recordIncident } from './incidents.js';
import { UntrackedRepositoryError } from './untracked-repository-error.js';

const INCIDENT_WEBHOOK_PATH = '/webhooks/incidents';
/** The header carrying `sha256=<hex HMAC-SHA256 of the raw body>`, as GitHub's X-Hub-Signature-256. */
const INCIDENT_SIGNATURE_HEADER = 'x-aexy-signature-256';
const SIGNATURE = /^sha256=[0-9a-f]{64}$/;
const BODY_LIMIT = 1024 * 1024;

export interface IncidentWebhookOptions {
  secret: string | undefined;
  em: () => EntityManager;
  log: Logger;
}

/**
 * `POST /webhooks/incidents`: an incident from an incident tool's adapter, signed like GitHub's
 * webhooks (HMAC-SHA256 of the raw body with INCIDENT_WEBHOOK_SECRET, in X-Aexy-Signature-256).
 * 201 created, 200 updated or already recorded (the same id sent again), 400 a body that is not one
 * (each problem named), 401 a missing or wrong signature, 422 a repository not tracked, 503 no secret
 * configured or PostgreSQL away (send it again: nothing was recorded).
 */
export async function registerIncidentWebhook(app: FastifyInstance, opts: IncidentWebhookOptions): Promise<void> {
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));
    scope.post(INCIDENT_WEBHOOK_PATH, async (req, reply) => {
      if (!opts.secret) return reply.code(503).send({ error: 'INCIDENT_WEBHOOK_SECRET is not configured' });
      const signature = req.headers[INCIDENT_SIGNATURE_HEADER];
      if (typeof signature !== 'string' || !SIGNATURE.test(signature)) return reply.code(401).send({ error: 'missing or malformed X-Aexy-Signature-256' });
      const body = req.body;
      if (!Buffer.isBuffer(body) || !(await verify(opts.secret, body.toString('utf8'), signature).catch(() => false))) {
        return reply.code(401).send({ error: 'invalid signature' });
      }
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        return reply.code(400).send({ error: 'body is not JSON' });
      }
      try {
        const { repository, outcome } = await withTimeout(recordIncident(opts.em(), json), 10_000, () => new Error('PostgreSQL did not answer within 10 s'));
        opts.log.info({ repository, outcome }, 'incident recorded');
        return reply.code(outcome === 'created' ? 201 : 200).send({ repository, outcome });
      } catch (err) {
        if (err instanceof PermanentError) return reply.code(err instanceof UntrackedRepositoryError ? 422 : 400).send({ error: err.message });
        opts.log.warn({ err: (err as Error).message }, 'incident could not be recorded');
        return reply.code(503).header('retry-after', '60').send({ error: 'could not record the incident right now; send it again later' });
      }
    });
  });
}
