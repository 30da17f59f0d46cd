import type { Job, QueueEvents } from 'bullmq';
import { queueEvents } from './connection.js';
import type { QueueName } from './names.js';

/**
 * Waits for jobs to finish, through one QueueEvents per queue. Call `listen` before enqueueing: a
 * QueueEvents made at the moment of waiting reads the event stream from "now" and can miss a job that
 * finishes while it connects. Every wait is bounded and names what it waited for.
 */
export class JobWatcher {
  private readonly events = new Map<string, QueueEvents>();

  constructor(private readonly redis: { url: string; prefix: string; clusterNodes?: string }) {}

  async listen(queues: readonly (QueueName | (string & {}))[] | QueueName): Promise<void> {
    for (const name of typeof queues === 'string' ? [queues] : queues) await this.of(name);
  }

  /**
   * Resolve with the job's return value (undefined `timeoutMs`: no bound, for a CLI `--wait` whose
   * user can interrupt it); `onProgress` sees its progress reports meanwhile.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a job's return value, as BullMQ types it
  async finish(job: Job, timeoutMs?: number, onProgress?: (data: unknown) => void, reread?: () => Promise<Job | undefined>): Promise<any> {
    const events = await this.of(job.queueName);
    const progress = ({ jobId, data }: { jobId: string; data: unknown }) => jobId === job.id && onProgress?.(data);
    if (onProgress) events.on('progress', progress);
    let polling = true;
    try {
      const waits = [job.waitUntilFinished(events, timeoutMs)];
      // A QueueEvents made after the job was queued (a CLI's --wait) reads the event stream from when
      // its first read starts, and misses an end that falls before it: the job itself is asked too,
      // every second, until one of the two answers.
      if (reread) {
        waits.push(
          (async () => {
            for (;;) {
              await new Promise((r) => setTimeout(r, 1_000));
              if (!polling) return new Promise<never>(() => {});
              const now = await reread();
              if (now?.finishedOn && now.failedReason) throw new Error(now.failedReason);
              if (now?.finishedOn) return now.returnvalue;
            }
          })(),
        );
      }
      return await Promise.race(waits);
    } catch (err) {
      throw new Error(`${job.name} (job ${job.id} on queue ${job.queueName}) did not finish: ${(err as Error).message}`);
    } finally {
      polling = false;
      if (onProgress) events.off('progress', progress);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.events.values()].map((e) => e.close()));
    this.events.clear();
  }

  private async of(queue: string): Promise<QueueEvents> {
    let e = this.events.get(queue);
    if (!e) {
      e = queueEvents(queue, { url: this.redis.url, clusterNodes: this.redis.clusterNodes }, this.redis.prefix);
      this.events.set(queue, e);
      await e.waitUntilReady();
    }
    return e;
  }
}
