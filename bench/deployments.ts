import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { AppConfig } from '../src/config/index.js';
import { sql } from '../src/db/sql.js';
import type { MikroORM } from '../src/db/orm.js';
import type { StandInDeployment } from '../src/dev/github-fixture-types.js';
import { GitHubStandIn } from '../src/dev/github-stand-in.js';
import { GitRepo } from '../src/dev/git-repo.js';
import { createGitHubClient } from '../src/github/api/client.js';
import { syncDeployments } from '../src/github/sync/deployment-stream.js';
import { createLogger } from '../src/lib/logger.js';

export const BENCH_DEPLOYMENTS = Number(process.env.BENCH_DEPLOYMENTS ?? 1000);

export interface DeploymentsCost {
  from: 'rest' | 'graphql';
  deployments: number;
  /** requests that counted against a rate limit (not 304s) on the first sync */
  first: number;
  /** the same on a re-run with nothing new */
  again: number;
  /** and after 10 new deployments */
  tenNew: number;
  seconds: number;
}

/**
 * (i) A repository's first deployments sync of BENCH_DEPLOYMENTS deployments (to production and
 * staging, two statuses each) from the Deployments API, statuses read by GraphQL and by REST; then a
 * re-run with nothing new, and one after 10 new deployments. Requests counted by the stand-in (304s
 * cost nothing). Goal: at most 0.05 counted requests per new deployment.
 */
export async function benchDeployments(orm: MikroORM, config: AppConfig): Promise<DeploymentsCost[]> {
  const repo = new GitRepo();
  const gh = await new GitHubStandIn().start();
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const log = createLogger('silent');
  try {
    repo.write('a.txt', '1');
    const sha = repo.commit({ name: 'Bench', email: 'bench@example.com' }, '2026-01-01T00:00:00Z', 'one');
    repo.push();
    const deployment = (i: number): StandInDeployment => {
      const at = Date.UTC(2026, 0, 1) + i * 600_000;
      return {
        id: 1 + i,
        sha,
        ref: 'main',
        environment: i % 4 === 0 ? 'staging' : 'production',
        created_at: new Date(at).toISOString(),
        statuses: [
          { id: 10 * i + 1, state: 'in_progress', created_at: new Date(at + 60_000).toISOString() },
          { id: 10 * i + 2, state: i % 17 === 0 ? 'failure' : 'success', created_at: new Date(at + 300_000).toISOString() },
        ],
      };
    };
    const out: DeploymentsCost[] = [];
    for (const from of ['rest', 'graphql'] as const) {
      const deployments = Array.from({ length: BENCH_DEPLOYMENTS }, (_, i) => deployment(i));
      gh.repos.set('bench/deploys', { commits: [], pulls: [], git: repo.bare, deployments });
      const em = orm.em.fork();
      await sql(em, `TRUNCATE deployments, deployment_shipments, deployment_commits, deployment_settings, github_sync_cursors, github_http_cache`);
      const octokit = createGitHubClient({ baseUrl: gh.url, token: gh.token, redis, prefix: `bench-dep-${randomBytes(4).toString('hex')}`, em, log });
      const opts = {
        octokit,
        em,
        log,
        repo: 'bench/deploys',
        overlapMinutes: 5,
        initialDays: 0,
        deploymentsFrom: from,
        production: /^(prod|production|live)$/i,
        now: new Date(Date.UTC(2026, 0, 1) + BENCH_DEPLOYMENTS * 600_000),
      };
      const t0 = performance.now();
      gh.reset();
      await syncDeployments(opts);
      const seconds = (performance.now() - t0) / 1000;
      const first = gh.counted().length;
      gh.reset();
      await syncDeployments(opts);
      const again = gh.counted().length;
      deployments.push(...Array.from({ length: 10 }, (_, i) => deployment(BENCH_DEPLOYMENTS + i)));
      gh.reset();
      await syncDeployments(opts);
      out.push({ from, deployments: BENCH_DEPLOYMENTS, first, again, tenNew: gh.counted().length, seconds });
    }
    return out;
  } finally {
    await gh.stop();
    redis.disconnect();
    repo.remove();
  }
}
