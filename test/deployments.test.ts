import { describe, expect, it } from 'vitest';
import type { StandInDeployment } from '../src/dev/github-fixture-types.js';
import { githubSyncRepo } from '../src/jobs/index.js';
import { useGitHubWorld } from './hooks.js';

/**
 * Deployments from the Deployments API (`github.sync-repo` with the `deployments` stream): every
 * deployment the stand-in holds for a real git repository is stored with its environment, the sha
 * git holds, its latest status, its first success and its end; a re-run with nothing new costs only
 * 304s; a status added later, and a new deployment, are all the next run writes.
 */
describe('deployments from the Deployments API', () => {
  const REPO = 'acme/shop';
  const w = useGitHubWorld({ settings: () => ({ GITHUB_SYNC_INITIAL_DAYS: '0', PRODUCTION_ENVIRONMENT_PATTERN: '^(prod|production)$' }) });
  let shas: string[];
  let deployments: StandInDeployment[];

  const deployment = (
    id: number,
    sha: string,
    environment: string,
    day: string,
    states: StandInDeployment['statuses'][number]['state'][],
  ): StandInDeployment => ({
    id,
    sha,
    ref: 'main',
    environment,
    created_at: `2026-05-${day}T10:00:00Z`,
    statuses: states.map((state, k) => ({ id: id * 10 + k, state, created_at: `2026-05-${day}T1${k + 1}:00:00Z` })),
  });

  const sync = async () => {
    const job = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['deployments'] }, { jobId: `d-${Date.now()}` }));
    expect(job.failedReason).toBeUndefined();
    return job.returnvalue as { deployments: { fetched: number; written: number; source: string } };
  };
  const stored = async () =>
    (
      await w.db.sql.query(
        `SELECT external_id::int AS id, environment, is_production AS prod, sha, status, succeeded_at, finished_at FROM deployments
          WHERE repository_full_name = $1 AND source = 'deployments-api' ORDER BY external_id`,
        [REPO],
      )
    ).rows.map((r) => ({ ...r, succeeded_at: r.succeeded_at?.toISOString() ?? null, finished_at: r.finished_at?.toISOString() ?? null }));

  it('a first sync stores every deployment with the state its statuses give, on the shas git holds', async () => {
    const ann = { name: 'Ann', email: 'ann@example.com' };
    for (const [i, day] of ['01', '02', '03'].entries()) {
      w.repo.write('app.txt', `v${i}\n`);
      w.repo.commit(ann, `2026-05-${day}T09:00:00Z`, `release ${i}`);
    }
    w.repo.push();
    shas = w.repo.revList().reverse(); // git's own list, oldest first
    deployments = [
      deployment(1, shas[0]!, 'production', '01', ['in_progress', 'success']),
      deployment(2, shas[1]!, 'staging', '02', ['success']),
      deployment(3, shas[1]!, 'Production', '02', ['in_progress', 'failure']),
      deployment(4, shas[2]!, 'production', '03', ['queued', 'in_progress']),
      deployment(5, shas[0]!, 'live', '03', ['success', 'inactive']),
    ];
    w.gh.repos.set(REPO, { commits: [], pulls: [], git: w.repo.bare, deployments });

    expect(await sync()).toMatchObject({ deployments: { fetched: 5, written: 5, source: 'deployments-api' } });
    // By hand from the fixture: the state is the newest status; success and end the first of each.
    expect(await stored()).toEqual([
      {
        id: 1,
        environment: 'production',
        prod: true,
        sha: shas[0],
        status: 'success',
        succeeded_at: '2026-05-01T12:00:00.000Z',
        finished_at: '2026-05-01T12:00:00.000Z',
      },
      {
        id: 2,
        environment: 'staging',
        prod: false,
        sha: shas[1],
        status: 'success',
        succeeded_at: '2026-05-02T11:00:00.000Z',
        finished_at: '2026-05-02T11:00:00.000Z',
      },
      { id: 3, environment: 'Production', prod: true, sha: shas[1], status: 'failure', succeeded_at: null, finished_at: '2026-05-02T12:00:00.000Z' },
      { id: 4, environment: 'production', prod: true, sha: shas[2], status: 'in_progress', succeeded_at: null, finished_at: null },
      // `live` is not production under this pattern; its later `inactive` does not undo its success.
      {
        id: 5,
        environment: 'live',
        prod: false,
        sha: shas[0],
        status: 'inactive',
        succeeded_at: '2026-05-03T11:00:00.000Z',
        finished_at: '2026-05-03T11:00:00.000Z',
      },
    ]);
  });

  it('a re-run with nothing new costs only 304s and writes nothing', async () => {
    w.gh.reset();
    // Listed back to the newest deployment seen (minus the overlap): 5 and 4.
    expect(await sync()).toMatchObject({ deployments: { fetched: 2, written: 0 } });
    const requests = w.gh.requests.filter((r) => r.path.includes('/deployments'));
    // The list, and the statuses of the one deployment still unfinished; nothing else is asked again.
    expect(requests.map((r) => [r.path, r.status])).toEqual([
      ['/repos/acme/shop/deployments', 304],
      ['/repos/acme/shop/deployments/4/statuses', 304],
    ]);
  });

  it('a status added to an unfinished deployment and a new deployment are what the next run writes', async () => {
    deployments[3]!.statuses.push({ id: 43, state: 'success', created_at: '2026-05-03T14:00:00Z' });
    deployments.push(deployment(6, shas[2]!, 'production', '04', ['success']));
    w.gh.reset();
    expect(await sync()).toMatchObject({ deployments: { fetched: 3, written: 2 } });
    const rows = await stored();
    expect(rows.find((r) => r.id === 4)).toMatchObject({
      status: 'success',
      succeeded_at: '2026-05-03T14:00:00.000Z',
      finished_at: '2026-05-03T14:00:00.000Z',
    });
    expect(rows.find((r) => r.id === 6)).toMatchObject({ prod: true, sha: shas[2], status: 'success', succeeded_at: '2026-05-04T11:00:00.000Z' });
    expect(rows).toHaveLength(6);
    // Deployments already final are not asked about again.
    expect(w.gh.requests.filter((r) => /\/deployments\/[1235]\/statuses$/.test(r.path))).toEqual([]);
  });
});
