import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/**
 * Redis connections, configured per role as BullMQ's production guide advises:
 * - workers block on Redis and must never give up a command: maxRetriesPerRequest = null;
 * - producers should fail fast when Redis is down instead of queueing commands in memory
 *   forever: enableOfflineQueue = false (callers await `waitUntilReady` first).
 * ioredis reconnects by itself; connection errors also surface through the commands that fail,
 * so the 'error' listener only reports the first error of each outage instead of one per retry.
 */
function withErrorReporting(redis: Redis, role: string, log?: Logger): Redis {
  let reported = false;
  redis.on('error', (err: Error) => {
    if (!reported) log?.warn({ role, err: err.message }, 'redis connection error (reconnecting)');
    reported = true;
  });
  redis.on('ready', () => {
    if (reported) log?.info({ role }, 'redis connection restored');
    reported = false;
  });
  return redis;
}

export function workerConnection(redisUrl: string, log?: Logger, extra: RedisOptions = {}): Redis {
  return withErrorReporting(new Redis(redisUrl, { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra }), 'worker', log);
}

export function producerConnection(redisUrl: string, log?: Logger, extra: RedisOptions = {}): Redis {
  return withErrorReporting(new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 3, ...extra }), 'producer', log);
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/**
 * True for the errors a Redis outage produces (refused, reset, closed). BullMQ re-emits them once
 * per reconnect attempt; the connection already reported the outage, so callers log these quietly.
 */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return CONNECTION_CODES.has(e?.code ?? '') || /Connection is closed|Stream isn't writeable/.test(e?.message ?? '');
}
