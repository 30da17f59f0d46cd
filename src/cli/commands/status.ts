import type { Command } from 'commander';
import { queuesOf } from '../../queues/names.js';
import { formatAge, oldestWaitingMs } from '../../queues/oldest-waiting.js';
import { listSchedulers } from '../../jobs/schedulers.js';
import { withProducer } from '../context.js';

/** `aexy status [--json]`: job counts per queue, how long its oldest waiting job has waited, and the job schedulers. */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('job counts per queue, the age of its oldest waiting job, and the job schedulers')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withProducer(async (producer, config) => {
        const states = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;
        const rows = [];
        for (const name of queuesOf(config)) {
          const q = producer.queue(name);
          await q.waitUntilReady();
          const oldest = await oldestWaitingMs(q);
          rows.push({ queue: name, ...(await q.getJobCounts(...states)), oldestWaitingSeconds: oldest === null ? null : Math.round(oldest / 1000) });
        }
        const schedulers = await listSchedulers(producer);
        if (opts.json) console.log(JSON.stringify({ queues: rows, schedulers }, null, 2));
        else {
          console.table(
            rows.map(({ oldestWaitingSeconds, ...r }) => ({
              ...r,
              oldest_waiting: oldestWaitingSeconds === null ? '-' : formatAge(oldestWaitingSeconds * 1000),
            })),
          );
          console.table(
            schedulers.map((s) => ({
              scheduler: s.id,
              queue: s.queue,
              job: s.job,
              every: s.every ? `${Math.round(s.every / 60_000)} min` : s.pattern,
              next_run: s.next ? new Date(s.next).toISOString() : null,
            })),
          );
        }
      });
    });
}
