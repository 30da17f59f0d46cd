import { createHash, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import fastifyBasicAuth from '@fastify/basic-auth';
import { Queue } from 'bullmq';
import { redactQuerySecrets } from '../lib/redact-url.js';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/index.js';
import { producerConnection, redisAt } from '../queues/connection.js';
import { registerExportDownloads } from './downloads.js';
import { baseQueue, QUEUE_DESCRIPTIONS, queuesOf, type QueueName } from '../queues/names.js';
import { Producer } from '../queues/producer.js';
import { registerGitHubWebhooks } from '../github/webhooks/index.js';
import { registerIncidentWebhook } from '../delivery/index.js';
import { createQueueMetrics } from './metrics.js';
import { registerDatabaseMetrics } from './database-metrics.js';
import { ping } from '../db/sql.js';

export const BOARD_PATH = '/admin/queues';

export interface BoardOptions {
  config: AppConfig;
  orm: MikroORM;
  log: Logger;
}

/**
 * Constant-time comparison that does not leak the length either: both sides are hashed to 32 bytes
 * first, so the time taken says nothing about how long the password is or how much of it matched.
 */
function safeEqual(a: string, b: string): boolean {
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Failed logins allowed per client address in LOGIN_WINDOW_MS; more are answered 429. */
export const MAX_FAILED_LOGINS = 10;
const LOGIN_WINDOW_MS = 5 * 60_000;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

/** Refuse to expose job data without credentials unless explicitly told to, and only on loopback. */
export function assertBoardAuth(config: AppConfig): void {
  if (config.BOARD_AUTH_DISABLED) {
    if (!LOOPBACK.test(config.BOARD_HOST)) {
      throw new Error(
        `BOARD_AUTH_DISABLED=true serves every job's data to anyone who can reach ${config.BOARD_HOST}: it is allowed on a loopback host only (127.0.0.1, ::1); set BOARD_USER and BOARD_PASSWORD instead`,
      );
    }
    return;
  }
  if (!config.BOARD_USER || !config.BOARD_PASSWORD) {
    throw new Error('Bull Board needs credentials: set BOARD_USER and BOARD_PASSWORD (or BOARD_AUTH_DISABLED=true for local development only)');
  }
}

/**
 * The operator HTTP process: Bull Board for every queue behind basic auth, unauthenticated
 * /healthz (process up), /readyz (PostgreSQL and Redis reachable) and /metrics (Prometheus), and the
 * GitHub and incident webhook endpoints (each authenticated by its HMAC signature instead).
 */
export async function buildBoardServer({ config, orm, log }: BoardOptions): Promise<FastifyInstance> {
  assertBoardAuth(config);
  // Request lines without a download link's signature: a logged link would be a bearer credential.
  const app: FastifyInstance = Fastify({ loggerInstance: log.child({ role: 'board' }, { serializers: { req: requestForLog } }) as FastifyBaseLogger });
  const connection: Redis = producerConnection(redisAt(config), log);
  const queues = queuesOf(config).map((name) => {
    const q = new Queue(name, { connection, prefix: config.QUEUE_PREFIX });
    q.on('error', (err) => log.debug({ queue: name, err: err.message }, 'queue error'));
    return q;
  });

  await registerBoard(app, config, log, queues);

  // GitHub gives a webhook delivery 10 s: wait at most 3 s for a reconnecting Redis, then answer 503.
  const producer = Producer.fromConfig(config, { log, readyTimeoutMs: 3_000 });
  await registerGitHubWebhooks(app, {
    secret: config.GITHUB_WEBHOOK_SECRET,
    appId: config.GITHUB_APP_ID,
    producer,
    redis: connection,
    prefix: config.QUEUE_PREFIX,
    em: () => orm.em.fork(),
    log,
  });
  await registerIncidentWebhook(app, { secret: config.INCIDENT_WEBHOOK_SECRET, em: () => orm.em.fork(), log });

  const metrics = createQueueMetrics(config, connection, queues);
  registerDatabaseMetrics(metrics.registry, config, () => orm.em.fork());
  registerExportDownloads(app, config, orm);
  app.get('/metrics', async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));

  // The process's front door is the board (which asks for the credentials itself).
  app.get('/', async (_req, reply) => reply.redirect(`${BOARD_PATH}/`));
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const { ready, checks } = await readiness(orm, connection);
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

/** Bull Board for every queue, behind basic auth with failed logins bounded per client address. */
async function registerBoard(app: FastifyInstance, config: AppConfig, log: Logger, queues: Queue[]): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q, { prefix: `${config.QUEUE_PREFIX}:`, description: queueDescription(q.name) })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Aexy Workers' } },
  });

  // Failed logins per client address (in memory: one board process; a restart forgets them).
  const failures = new Map<string, number[]>();
  const recentFailures = (ip: string, now = Date.now()) => (failures.get(ip) ?? []).filter((t) => now - t < LOGIN_WINDOW_MS);
  await app.register(async (scope) => {
    if (!config.BOARD_AUTH_DISABLED) {
      await scope.register(fastifyBasicAuth, {
        authenticate: { realm: 'Aexy Workers' },
        validate: async (user, password, req) => {
          const userOk = safeEqual(user, config.BOARD_USER!);
          const passOk = safeEqual(password, config.BOARD_PASSWORD!);
          if (userOk && passOk) return;
          const recent = [...recentFailures(req.ip), Date.now()];
          failures.set(req.ip, recent);
          log.warn({ client: req.ip, user: user.slice(0, 64), failures: recent.length }, 'board login failed');
          throw new Error('Invalid credentials');
        },
      });
      // Guessing is bounded: after MAX_FAILED_LOGINS failures in 5 minutes an address gets 429s.
      scope.addHook('onRequest', async (req, reply) => {
        const recent = recentFailures(req.ip);
        if (recent.length >= MAX_FAILED_LOGINS) {
          const retryAfter = Math.ceil((recent[0]! + LOGIN_WINDOW_MS - Date.now()) / 1000);
          return reply
            .code(429)
            .header('retry-after', String(Math.max(1, retryAfter)))
            .send({ error: 'too many failed logins from this address; try again later' });
        }
      });
      scope.addHook('onRequest', scope.basicAuth);
    }
    await scope.register(serverAdapter.registerPlugin(), { prefix: BOARD_PATH });
  });
}

/** PostgreSQL and Redis answering, each checked. */
async function readiness(orm: MikroORM, connection: Redis): Promise<{ ready: boolean; checks: Record<string, string> }> {
  const checks: Record<string, string> = {};
  await Promise.all([
    ping(orm.em.fork())
      .then(() => (checks.postgres = 'ok'))
      .catch((err: Error) => (checks.postgres = `error: ${err.message}`)),
    connection
      .ping()
      .then(() => (checks.redis = 'ok'))
      .catch((err: Error) => (checks.redis = `error: ${err.message}`)),
  ]);
  return { ready: Object.values(checks).every((v) => v === 'ok'), checks };
}

/** What the request log shows of a request: method, path and query with `sig` (and any token) redacted, client address. */
export function requestForLog(req: { method?: string; url?: string; ip?: string; socket?: { remoteAddress?: string } }) {
  return { method: req.method, url: redactQuerySecrets(req.url ?? ''), remoteAddress: req.ip ?? req.socket?.remoteAddress };
}

/** What a queue holds, for the board: a shard queue is its github-sync's, for the repositories hashed to it. */
function queueDescription(name: string): string {
  const base = QUEUE_DESCRIPTIONS[baseQueue(name) as QueueName];
  return name === baseQueue(name) ? base : `Repository syncs of the repositories hashed to shard ${name.slice(name.lastIndexOf('-') + 1)} (GITHUB_SYNC_SHARDS)`;
}
