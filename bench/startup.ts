/**
 * (h) Start-up: `aexy --help` and a worker until it logs "worker ready", compiled (dist/, as `npm ci`
 * builds it) against the TypeScript sources through tsx (AEXY_FROM_SOURCE=1), median of 5 runs each,
 * alternating. Needs a current build (`npm run build`); without one both sides run the sources.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function timed(args: string[], env: Record<string, string>, readyWhen?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let ms = 0;
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (readyWhen && !ms && out.includes(readyWhen)) {
        ms = performance.now() - t0;
        p.kill('SIGTERM');
      }
    });
    p.on('error', reject);
    p.on('exit', (code) => (readyWhen ? (ms ? resolve(ms) : reject(new Error(`no "${readyWhen}" (exit ${code})`))) : resolve(performance.now() - t0)));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchStartup(databaseUrl: string, rounds = 5): Promise<{ help: { dist: number; tsx: number }; worker: { dist: number; tsx: number } }> {
  const env = { DATABASE_URL: databaseUrl, QUEUE_PREFIX: `bench-start-${randomBytes(4).toString('hex')}`, LOG_LEVEL: 'info' };
  const source = { ...env, AEXY_FROM_SOURCE: '1' };
  const r = { help: { dist: [] as number[], tsx: [] as number[] }, worker: { dist: [] as number[], tsx: [] as number[] } };
  for (let i = 0; i < rounds; i++) {
    r.help.dist.push(await timed(['bin/aexy.mjs', '--help'], env));
    r.help.tsx.push(await timed(['bin/aexy.mjs', '--help'], source));
    r.worker.dist.push(await timed(['bin/worker.mjs', '--queues', 'system'], env, 'worker ready'));
    r.worker.tsx.push(await timed(['bin/worker.mjs', '--queues', 'system'], source, 'worker ready'));
  }
  return {
    help: { dist: median(r.help.dist), tsx: median(r.help.tsx) },
    worker: { dist: median(r.worker.dist), tsx: median(r.worker.tsx) },
  };
}
