import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * How long the oldest job ready to run in a queue has been waiting (ms), or null when none waits.
 * BullMQ adds jobs at the head of the wait list and workers take them from its tail, so the tail is
 * the oldest of the list; jobs with a priority (a tenant's place in its backlog, fairness.ts) wait
 * in a set ordered by priority, not age, so each of them is read (in Redis, one script: about a
 * millisecond per thousand). A job has been ready since it was added, or since its delay ran out (a
 * delayed job, a retry after backoff). A growing age means the workers do not keep up, whatever the
 * count says.
 */
export async function oldestWaitingMs(queue: Queue, now = Date.now()): Promise<number | null> {
  // Ascending: the tail of the wait list first.
  const [[job], prioritized] = await Promise.all([queue.getJobs(['wait'], 0, 0, true), oldestPrioritized(queue)]);
  const ready = [...(job ? [job.timestamp + (job.delay ?? 0)] : []), ...(prioritized === null ? [] : [prioritized])];
  if (ready.length === 0) return null;
  return Math.max(0, now - Math.min(...ready));
}

/** The earliest time (epoch ms) a prioritized job of the queue became ready, or null when none waits. */
async function oldestPrioritized(queue: Queue): Promise<number | null> {
  const backend = queue.getBackend();
  const client = (await backend.client) as unknown as Pick<Redis, 'eval'>;
  const at = (await client.eval(OLDEST_PRIORITIZED, 1, backend.keys.prioritized!, backend.keys['']!)) as number | null;
  return at === null || at < 0 ? null : at;
}

/** KEYS[1] the prioritized set, ARGV[1] the queue's key prefix: the least timestamp + delay of its jobs (-1 when empty). */
const OLDEST_PRIORITIZED = `
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local oldest = -1
for _, id in ipairs(ids) do
  local f = redis.call('HMGET', ARGV[1] .. id, 'timestamp', 'delay')
  local t = tonumber(f[1])
  if t then
    t = t + (tonumber(f[2]) or 0)
    if oldest < 0 or t < oldest then oldest = t end
  end
end
return oldest`;

/** "4 s", "3 min 12 s", "2 h 5 min", "3 d 4 h": an age as an operator reads it. */
export function formatAge(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}
