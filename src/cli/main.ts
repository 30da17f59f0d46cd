/**
 * The operator and producer CLI: `npx aexy <command>` (or `npm run cli -- <command>`).
 */
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../config/index.js';
import { ensureDatabase } from '../db/ensure-database.js';
import { migrate, openOrm } from '../db/orm.js';
import { PayloadError } from '../queues/errors.js';
import { QUEUE_NAMES } from '../queues/names.js';
import { Producer } from '../queues/producer.js';
import { jobByName } from '../workers/jobs/index.js';

export function buildCli(): Command {
  const program = new Command('aexy').description('Aexy Workers: enqueue jobs, migrate, inspect queues').exitOverride();

  program
    .command('migrate')
    .description('create the database if needed and apply pending migrations')
    .action(async () => {
      const config = loadConfig();
      if (await ensureDatabase(config.DATABASE_URL)) console.log('created database');
      const orm = await openOrm(config.DATABASE_URL);
      try {
        const done = await migrate(orm);
        console.log(done.length ? `applied: ${done.join(', ')}` : 'database is up to date');
      } finally {
        await orm.close();
      }
    });

  program
    .command('enqueue')
    .description('validate a JSON payload and enqueue a job, e.g. enqueue system.noop \'{"note":"hi"}\'')
    .argument('<job>', 'job name')
    .argument('[json]', 'payload as JSON', '{}')
    .action(async (name: string, json: string) => {
      const def = jobByName(name);
      let data: unknown;
      try {
        data = JSON.parse(json);
      } catch (err) {
        throw new Error(`Payload is not valid JSON: ${(err as Error).message}`);
      }
      const config = loadConfig();
      const producer = new Producer({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX });
      try {
        const job = await producer.enqueue(def, data);
        console.log(`enqueued ${def.name} on ${def.queue} as job ${job.id}`);
      } finally {
        await producer.close();
      }
    });

  program
    .command('status')
    .description('job counts per queue')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      const producer = new Producer({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX });
      try {
        const states = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;
        const rows = [];
        for (const name of QUEUE_NAMES) {
          const q = producer.queue(name);
          await q.waitUntilReady();
          rows.push({ queue: name, ...(await q.getJobCounts(...states)) });
        }
        if (opts.json) console.log(JSON.stringify(rows, null, 2));
        else console.table(rows);
      } finally {
        await producer.close();
      }
    });

  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildCli().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof ConfigError || err instanceof PayloadError || err instanceof Error) {
      console.error(`error: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
