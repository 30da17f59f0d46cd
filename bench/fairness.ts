/**
 * (j) Fair sharing between organizations: one organization's 500 repository syncs queued first,
 * three worker processes (bench/fair-worker.ts) working through them, and once 50 have started,
 * another organization's one sync. How many of the big one's jobs start between the small one's
 * being queued and its start, with the tenants' places as priorities (fairness.ts) and, in the same
 * run, first in first out (the contract without `fairBy`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import type { AppConfig } from '../src/config/index.js';
import { githubSyncRepo } from '../src/github/jobs/github-sync-repo.contract.js';
import { Producer } from '../src/queues/producer.js';

export const FAIR_BIG = Number(process.env.BENCH_FAIR_REPOS ?? 500);
const PROCESSES = 3;
/** The big organization's jobs started before the small one's is queued. */
const WORKING = 50;

export interface FairRun {
  fair: boolean;
  /** The big organization's jobs that started after the small one's was queued, before it started. */
  bigBefore: number;
  /** Seconds from the small one's being queued to its start. */
  seconds: number;
}

async function startWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/fair-worker.ts'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: string) => {
      out += c;
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`a bench worker exited (${code}) before it was ready`)));
  });
  return child;
}

async function run(base: AppConfig, databaseUrl: string, fair: boolean): Promise<FairRun> {
  const prefix = `bench-fair-${randomBytes(4).toString('hex')}`;
  const producer = new Producer({ redisUrl: base.REDIS_URL, prefix });
  const redis = new Redis(base.REDIS_URL);
  const { fairBy: _fairBy, ...fifo } = githubSyncRepo;
  const contract = fair ? githubSyncRepo : fifo;
  const workers: ChildProcess[] = [];
  try {
    for (let i = 0; i < FAIR_BIG; i++) await producer.enqueue(contract, { repository: `big-org/repo-${i}` });
    const env = { ...process.env, QUEUE_PREFIX: prefix, DATABASE_URL: databaseUrl, WORKER_CONCURRENCY: '1', LOG_LEVEL: 'silent', BENCH_FAIR: fair ? '1' : '0' };
    workers.push(...(await Promise.all(Array.from({ length: PROCESSES }, () => startWorker(env)))));
    const key = `${prefix}:bench:started`;
    const until = async <T>(read: () => Promise<T | undefined>): Promise<T> => {
      for (;;) {
        const value = await read();
        if (value !== undefined) return value;
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    await until(async () => ((await redis.llen(key)) >= WORKING ? true : undefined));
    await producer.enqueue(contract, { repository: 'small-org/app' });
    const queuedAt = await redis.llen(key);
    const t0 = performance.now();
    const at = await until(async () => {
      const i = (await redis.lrange(key, 0, -1)).indexOf('small-org/app');
      return i >= 0 ? i : undefined;
    });
    return { fair, bigBefore: at - queuedAt, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await Promise.all(
      workers.map(async (w) => {
        w.kill('SIGTERM');
        if (w.exitCode === null) await once(w, 'exit');
      }),
    );
    await producer.queue(githubSyncRepo.queue).obliterate({ force: true });
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await producer.close();
    redis.disconnect();
  }
}

export async function benchFairness(base: AppConfig, databaseUrl: string): Promise<FairRun[]> {
  return [await run(base, databaseUrl, true), await run(base, databaseUrl, false)];
}
