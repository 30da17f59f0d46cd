import { QueueEvents } from 'bullmq';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { AppConfig } from '../config/index.js';
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

/** Where Redis is: REDIS_URL, and on Redis Cluster the nodes to start from (REDIS_CLUSTER_NODES). */
export interface RedisAt {
  url: string;
  clusterNodes?: string;
}

/** Where Redis is, from the configuration. */
export function redisAt(config: Pick<AppConfig, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>): RedisAt {
  return { url: config.REDIS_URL, ...(config.REDIS_CLUSTER_NODES ? { clusterNodes: config.REDIS_CLUSTER_NODES } : {}) };
}

/**
 * A connection to Redis, or to Redis Cluster when nodes are given: an ioredis Cluster started from
 * them, each node reached with REDIS_URL's user, password, database-less TLS settings. BullMQ and
 * every command we send take either (a cluster is typed as a connection: every key we touch carries
 * the prefix's hash tag, so a command's keys are in one slot).
 */
export function openRedis(at: RedisAt | string, options: RedisOptions = {}): Redis {
  const { url, clusterNodes } = typeof at === 'string' ? { url: at, clusterNodes: undefined } : at;
  if (!clusterNodes) return new Redis(url, options);
  const u = new URL(url);
  const nodes = clusterNodes.split(',').map((n) => {
    const [host, port] = n.split(':');
    return { host: host!, port: Number(port) };
  });
  const { enableOfflineQueue, enableReadyCheck, ...perNode } = options;
  return new Cluster(nodes, {
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    ...(enableReadyCheck === undefined ? {} : { enableReadyCheck }),
    redisOptions: {
      ...perNode,
      ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
      ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
      ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    },
  }) as unknown as Redis;
}

export function workerConnection(at: RedisAt | string, log?: Logger, extra: RedisOptions = {}): Redis {
  return withErrorReporting(openRedis(at, { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra }), 'worker', log);
}

export function producerConnection(at: RedisAt | string, log?: Logger, extra: RedisOptions = {}): Redis {
  return withErrorReporting(openRedis(at, { enableOfflineQueue: false, maxRetriesPerRequest: 3, ...extra }), 'producer', log);
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

/**
 * A QueueEvents of a queue (it blocks on a connection of its own): from REDIS_URL, or on Redis
 * Cluster on a cluster connection made for it and closed with it.
 */
export function queueEvents(name: string, at: RedisAt, prefix: string): QueueEvents {
  if (!at.clusterNodes) return new QueueEvents(name, { connection: { url: at.url }, prefix });
  const connection = openRedis(at, { maxRetriesPerRequest: null });
  const events = new QueueEvents(name, { connection, prefix });
  const close = events.close.bind(events);
  events.close = async () => {
    await close();
    connection.disconnect();
  };
  return events;
}
