import type { Command } from 'commander';
import { QUEUE_NAMES } from '../../queues/names.js';
import { listSchedulers } from '../../queues/schedulers.js';
import { withProducer } from '../context.js';

/** `aexy status [--json]`: job counts per queue and the job schedulers. */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('job counts per queue')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withProducer(async (producer) => {
        const states = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;
        const rows = [];
        for (const name of QUEUE_NAMES) {
          const q = producer.queue(name);
          await q.waitUntilReady();
          rows.push({ queue: name, ...(await q.getJobCounts(...states)) });
        }
        const schedulers = await listSchedulers(producer);
        if (opts.json) console.log(JSON.stringify({ queues: rows, schedulers }, null, 2));
        else {
          console.table(rows);
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
