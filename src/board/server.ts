import { timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import fastifyBasicAuth from '@fastify/basic-auth';
import { Queue } from 'bullmq';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/index.js';
import { producerConnection } from '../queues/connection.js';
import { QUEUE_NAMES } from '../queues/names.js';
import { Producer } from '../queues/producer.js';
import { registerGitHubWebhooks } from './github-webhooks.js';
import { createQueueMetrics } from './metrics.js';

export const BOARD_PATH = '/admin/queues';

export interface BoardOptions {
  config: AppConfig;
  orm: MikroORM;
  log: Logger;
}

/** Constant-time string comparison, so the password cannot be guessed byte by byte from timings. */
function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** Refuse to expose job data without credentials unless explicitly told to. */
export function assertBoardAuth(config: AppConfig): void {
  if (config.BOARD_AUTH_DISABLED) return;
  if (!config.BOARD_USER || !config.BOARD_PASSWORD) {
    throw new Error(
      'Bull Board needs credentials: set BOARD_USER and BOARD_PASSWORD (or BOARD_AUTH_DISABLED=true for local development only)',
    );
  }
}

/**
 * The operator HTTP process: Bull Board for every queue behind basic auth, unauthenticated
 * /healthz (process up), /readyz (PostgreSQL and Redis reachable) and /metrics (Prometheus), and the
 * GitHub webhook endpoint (authenticated by its HMAC signature instead).
 */
export async function buildBoardServer({ config, orm, log }: BoardOptions): Promise<FastifyInstance> {
  assertBoardAuth(config);
  const app: FastifyInstance = Fastify({ loggerInstance: log.child({ role: 'board' }) as FastifyBaseLogger });
  const connection: Redis = producerConnection(config.REDIS_URL, log);
  const queues = QUEUE_NAMES.map((name) => {
    const q = new Queue(name, { connection, prefix: config.QUEUE_PREFIX });
    q.on('error', (err) => log.debug({ queue: name, err: err.message }, 'queue error'));
    return q;
  });

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q, { prefix: `${config.QUEUE_PREFIX}:` })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Aexy Workers' } },
  });

  await app.register(async (scope) => {
    if (!config.BOARD_AUTH_DISABLED) {
      await scope.register(fastifyBasicAuth, {
        authenticate: { realm: 'Aexy Workers' },
        validate: async (user, password) => {
          const userOk = safeEqual(user, config.BOARD_USER!);
          const passOk = safeEqual(password, config.BOARD_PASSWORD!);
          if (!(userOk && passOk)) throw new Error('Invalid credentials');
        },
      });
      scope.addHook('onRequest', scope.basicAuth);
    }
    await scope.register(serverAdapter.registerPlugin(), { prefix: BOARD_PATH });
  });

  // GitHub gives a webhook delivery 10 s: wait at most 3 s for a reconnecting Redis, then answer 503.
  const producer = new Producer({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, log, readyTimeoutMs: 3_000 });
  await registerGitHubWebhooks(app, { secret: config.GITHUB_WEBHOOK_SECRET, producer, redis: connection, prefix: config.QUEUE_PREFIX, em: () => orm.em.fork(), log });

  const metrics = createQueueMetrics(config, connection, queues);
  app.get('/metrics', async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const checks: Record<string, string> = {};
    await Promise.all([
      orm.em
        .getConnection()
        .execute('SELECT 1')
        .then(() => (checks.postgres = 'ok'))
        .catch((err: Error) => (checks.postgres = `error: ${err.message}`)),
      connection
        .ping()
        .then(() => (checks.redis = 'ok'))
        .catch((err: Error) => (checks.redis = `error: ${err.message}`)),
    ]);
    const ready = Object.values(checks).every((v) => v === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });

  app.addHook('onClose', async () => {
    await metrics.close();
    await Promise.all(queues.map((q) => q.close()));
    await producer.close();
    connection.disconnect();
  });
  return app;
}
