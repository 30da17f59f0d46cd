import type { Queue } from 'bullmq';

/**
 * How long the oldest job ready to run in a queue has been waiting (ms), or null when none waits.
 * BullMQ adds jobs at the head of the wait list and workers take them from its tail, so the tail is
 * the oldest; it has been ready since it was added, or since its delay ran out (a delayed job, a
 * retry after backoff). A growing age means the workers do not keep up, whatever the count says.
 */
export async function oldestWaitingMs(queue: Queue, now = Date.now()): Promise<number | null> {
  // Ascending: the tail of the wait list first.
  const [job] = await queue.getJobs(['wait'], 0, 0, true);
  if (!job) return null;
  return Math.max(0, now - (job.timestamp + (job.delay ?? 0)));
}

/** "4 s", "3 min 12 s", "2 h 5 min", "3 d 4 h": an age as an operator reads it. */
export function formatAge(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}
