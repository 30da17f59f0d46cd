import type { Command } from 'commander';
import { contractByName } from '../../jobs/index.js';
import { withProducer } from '../context.js';

/** `aexy enqueue <job> [json]`: validate a payload against the job's contract and enqueue it. */
export function registerEnqueue(program: Command): void {
  program
    .command('enqueue')
    .description('validate a JSON payload and enqueue a job, e.g. enqueue system.noop \'{"note":"hi"}\'')
    .argument('<job>', 'job name')
    .argument('[json]', 'payload as JSON', '{}')
    .action(async (name: string, json: string) => {
      const def = contractByName(name);
      let data: unknown;
      try {
        data = JSON.parse(json);
      } catch (err) {
        throw new Error(`Payload is not valid JSON: ${(err as Error).message}`);
      }
      await withProducer(async (producer) => {
        const job = await producer.enqueue(def, data);
        console.log(`enqueued ${def.name} on ${def.queue} as job ${job.id}`);
      });
    });
}
