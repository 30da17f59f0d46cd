import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Fair sharing of a queue between tenants, on BullMQ's open-source priorities. A job whose contract
 * names its tenant (`fairBy`) is queued with priority = 1 + the number of that tenant's jobs still
 * waiting on the queue, so the workers take the queue in turns: every tenant's first waiting job,
 * then every tenant's second, … (BullMQ orders equal priorities first in, first out). A tenant's
 * k-th waiting job is passed only by jobs of other tenants that are at most k-th in theirs: an
 * organization whose 5,000 repositories were queued first delays another's first sync by at most
 * one job of each tenant ahead of it, not by its whole backlog.
 *
 * Each tenant's waiting work is a Redis set (`<prefix>:fair:<queue>:<tenant>`) of the jobs'
 * deduplication ids (a job without one: its id): the producer adds it once the job is queued (work
 * triggered again while it waits counts once; triggered while it runs, it counts as the one re-run
 * BullMQ keeps), the worker removes it when the job starts. Work removed while waiting (by an
 * operator) would stay counted: `pruneFairSets` drops what is no longer waiting, and
 * github.sync-all runs it before it queues its fan-out.
 *
 * Limits: the order is by place in each tenant's backlog at the time of queueing, not by work done
 * (a tenant of long jobs gets as many turns as one of short jobs); jobs queued without a tenant
 * (priority 0: github.sync-all itself) go before all of them, as BullMQ runs unprioritised jobs
 * first; two producers queueing for one tenant at the same instant may give two jobs the same place.
 */

/** BullMQ's highest priority number (2^21). */
export const MAX_PRIORITY = 2_097_152;

/** The set of a tenant's waiting jobs on a queue. */
export function fairKey(prefix: string, queue: string, tenant: string): string {
  return `${prefix}:fair:${queue}:${encodeURIComponent(tenant)}`;
}

/** The priority of a tenant's next job: its place in the tenant's backlog. */
export async function fairPriority(redis: Redis, key: string): Promise<number> {
  return Math.min((await redis.scard(key)) + 1, MAX_PRIORITY);
}

/** How a job's work is named in its tenant's set: its deduplication id, else its job id. */
export function fairMember(job: Pick<Job, 'id' | 'opts'>): string {
  const dedup = job.opts.deduplication?.id;
  return dedup ? `d:${dedup}` : `j:${job.id}`;
}

/** The set of a queue's tenant sets (what pruneFairSets walks: SCAN would see one node of a Redis Cluster only). */
function tenantsKey(prefix: string, queue: string): string {
  return `${prefix}:fair:${queue}`;
}

/** Work queued for its tenant (idempotent). */
export async function markWaiting(redis: Redis, prefix: string, queue: string, key: string, member: string): Promise<void> {
  await redis.sadd(tenantsKey(prefix, queue), key);
  await redis.sadd(key, member);
}

/** A tenant's job has started: its work no longer holds a place in the backlog. */
export async function markStarted(redis: Redis, key: string, member: string): Promise<void> {
  await redis.srem(key, member);
}

/** States in which a job still holds its place. */
const WAITING = new Set(['waiting', 'prioritized', 'delayed', 'waiting-children']);

/** Whether the work a member names is still waiting: its job (for a deduplication id, the job holding it, or the re-run kept behind it). */
async function stillWaiting(redis: Redis, queue: Queue, member: string): Promise<boolean> {
  if (member.startsWith('j:')) return WAITING.has(await queue.getJobState(member.slice(2)));
  const dedup = member.slice(2);
  const base = queue.getBackend().keys['']!;
  const [jobId, next] = await Promise.all([redis.get(`${base}de:${dedup}`), redis.exists(`${base}dn:${dedup}`)]);
  return next === 1 || (jobId !== null && WAITING.has(await queue.getJobState(jobId)));
}

/**
 * Drop, from every tenant's set of the queue, work that is gone or not waiting any more (removed by
 * an operator, or started by a worker that died before it could say so). Returns how many were dropped.
 */
export async function pruneFairSets(redis: Redis, queue: Queue, prefix: string): Promise<number> {
  let dropped = 0;
  const tenants = tenantsKey(prefix, queue.name);
  for (const key of await redis.smembers(tenants)) {
    for (const member of await redis.smembers(key)) {
      if (!(await stillWaiting(redis, queue, member))) dropped += await redis.srem(key, member);
    }
    // A tenant with nothing waiting leaves the list (it comes back with its next job).
    if ((await redis.scard(key)) === 0) await redis.srem(tenants, key);
  }
  return dropped;
}
