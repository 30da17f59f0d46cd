import { Redis, type RedisOptions } from 'ioredis';

/**
 * Redis connections, configured per role as BullMQ's production guide advises:
 * - workers block on Redis and must never give up a command: maxRetriesPerRequest = null;
 * - producers should fail fast when Redis is down instead of queueing commands in memory
 *   forever: enableOfflineQueue = false (callers await `waitUntilReady` first).
 */
export function workerConnection(redisUrl: string, extra: RedisOptions = {}): Redis {
  return new Redis(redisUrl, { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra });
}

export function producerConnection(redisUrl: string, extra: RedisOptions = {}): Redis {
  return new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 3, ...extra });
}
