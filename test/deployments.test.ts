import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StandInDeployment, StandInWorkflowRun } from '../src/dev/github-fixture-types.js';
import { setDeploymentSource } from '../src/github/sync/index.js';
import { runCliProcess } from './helpers/spawn.js';
import { githubSyncRepo } from '../src/jobs/index.js';
import { useGitHubWorld } from './hooks.js';

/**
 * Deployments from the Deployments API (`github.sync-repo` with the `deployments` stream): every
 * deployment the stand-in holds for a real git repository is stored with its environment, the sha
 * git holds, its latest status, its first success and its end; a re-run with nothing new costs only
 * 304s; a status added later, and a new deployment, are all the next run writes.
 */
/** Commits from a git mirror (what a deployment shipped is computed from it), all history. */
const fromGit = (repo: { root: string }) => ({ GITHUB_COMMITS_FROM: 'git', GIT_MIRROR_DIR: join(repo.root, 'mirrors'), GITHUB_SYNC_INITIAL_DAYS: '0' });
/** The default branch's commits as git lists them, oldest first. */
const historyOf = (repo: { origin: (...args: string[]) => string }) => repo.origin('rev-list', '--reverse', 'main').split('\n').filter(Boolean);

/** What each deployment shipped, by its id: the shas recorded (sorted), or 'unknown'. */
async function shipments(
  db: { sql: { query: (t: string, p: unknown[]) => Promise<{ rows: { id: string; sha_known: boolean; shas: string[] | null }[] }> } },
  repo: string,
) {
  const { rows } = await db.sql.query(
    `SELECT d.external_id::text AS id, s.sha_known, (SELECT array_agg(c.sha ORDER BY c.sha) FROM deployment_commits c WHERE c.deployment_id = d.id) AS shas
       FROM deployments d JOIN deployment_shipments s ON s.deployment_id = d.id WHERE d.repository_full_name = $1 ORDER BY d.external_id`,
    [repo],
  );
  return Object.fromEntries(rows.map((r) => [r.id, r.sha_known ? [...(r.shas ?? [])] : 'unknown']));
}
/** git's own answer, from the test's repository: what `include` has that `exclude` has not, sorted. */
const gitShipped = (repo: { revList: (branch?: string, extra?: string[]) => string[] }, include: string, exclude?: string) =>
  repo.revList(include, exclude ? [`^${exclude}`] : []).sort();

describe('deployments from the Deployments API', () => {
  const REPO = 'acme/shop';
  const w = useGitHubWorld({ settings: (_gh, repo) => ({ ...fromGit(repo), PRODUCTION_ENVIRONMENT_PATTERN: '^(prod|production)$' }) });
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
    shas = historyOf(w.repo);
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
    // The one successful production deployment shipped everything up to its sha (no initial window here).
    expect(await shipments(w.db, REPO)).toEqual({ 1: gitShipped(w.repo, shas[0]!) });
  });

  it('a re-run with nothing new costs only 304s and writes nothing', async () => {
    // The first sync read the statuses of all five in one GraphQL request.
    expect(w.gh.requests.filter((r) => r.path === '/graphql')).toHaveLength(1);
    expect(w.gh.requests.filter((r) => r.path.endsWith('/statuses'))).toEqual([]);
    // The unfinished one is read again by REST (then its ETag makes the next reads free).
    await sync();
    expect(w.gh.requests.filter((r) => r.path.endsWith('/statuses')).map((r) => [r.path, r.status])).toEqual([
      ['/repos/acme/shop/deployments/4/statuses', 200],
    ]);
    w.gh.reset();
    // Listed back to the newest deployment seen (minus the overlap): 5 and 4.
    expect(await sync()).toMatchObject({ deployments: { fetched: 2, written: 0 } });
    const requests = w.gh.requests.filter((r) => r.path.includes('/deployments') || r.path === '/graphql');
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
    // 4 shipped what git has after 1's sha; 6 redeployed the same sha and shipped nothing.
    expect(await shipments(w.db, REPO)).toEqual({ 1: gitShipped(w.repo, shas[0]!), 4: gitShipped(w.repo, shas[2]!, shas[0]), 6: [] });
    expect(gitShipped(w.repo, shas[2]!, shas[0])).toEqual([shas[1], shas[2]].sort());
    // Deployments already final are not asked about again.
    expect(w.gh.requests.filter((r) => /\/deployments\/[1235]\/statuses$/.test(r.path))).toEqual([]);
  });
  it('a rollback ships nothing and makes the older sha live; a sha the repository does not have ships nothing known', async () => {
    deployments.push(deployment(7, shas[0]!, 'production', '05', ['success'])); // rollback to release 0
    deployments.push(deployment(8, 'f'.repeat(40), 'production', '06', ['success'])); // not in the repository
    deployments.push(deployment(9, shas[2]!, 'production', '07', ['success'])); // forward again
    expect(await sync()).toMatchObject({ deployments: { written: 3, shipped: 3 } });
    expect(await shipments(w.db, REPO)).toMatchObject({
      7: [],
      8: 'unknown',
      // Counted from what was live: release 0 (the unknown sha never was).
      9: gitShipped(w.repo, shas[2]!, shas[0]),
    });
  });

  it('a deployment learnt late, succeeded before others already computed, recomputes those after it', async () => {
    // Recorded by hand (as a status arriving out of order would): release 1 went live between 7 and 8.
    await w.rows.insert('deployments', {
      repository_full_name: REPO,
      source: 'deployments-api',
      external_id: 99,
      environment: 'production',
      is_production: true,
      sha: shas[1],
      status: 'success',
      created_at: '2026-05-05T20:00:00Z',
      succeeded_at: '2026-05-05T21:00:00Z',
      finished_at: '2026-05-05T21:00:00Z',
    });
    expect(await sync()).toMatchObject({ deployments: { shipped: 3 } });
    expect(await shipments(w.db, REPO)).toMatchObject({
      7: [],
      99: gitShipped(w.repo, shas[1]!, shas[0]),
      8: 'unknown',
      9: gitShipped(w.repo, shas[2]!, shas[1]),
    });
  });
});

describe('deployments from GitHub Actions workflow runs, chosen by the sync or set', () => {
  const REPO = 'acme/web';
  const w = useGitHubWorld({ settings: (_gh, repo) => fromGit(repo) });
  let shas: string[];
  let runs: StandInWorkflowRun[];
  const run = (id: number, name: string, sha: string, day: string, conclusion: StandInWorkflowRun['conclusion'], branch = 'main'): StandInWorkflowRun => ({
    id,
    name,
    path: `.github/workflows/${name.toLowerCase().replace(/ /g, '-')}.yml`,
    head_branch: branch,
    head_sha: sha,
    event: 'push',
    status: conclusion ? 'completed' : 'in_progress',
    conclusion,
    created_at: `2026-06-${day}T10:00:00Z`,
    run_started_at: `2026-06-${day}T10:00:05Z`,
    updated_at: `2026-06-${day}T10:20:00Z`,
  });
  const sync = async () => {
    const job = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['deployments'] }, { jobId: `r-${Date.now()}` }));
    expect(job.failedReason).toBeUndefined();
    return (job.returnvalue as { deployments: { fetched: number; written: number; source: string } }).deployments;
  };
  const stored = async () =>
    (
      await w.db.sql.query(
        `SELECT external_id::int AS id, sha, status, succeeded_at IS NOT NULL AS succeeded, finished_at IS NOT NULL AS finished FROM deployments
          WHERE repository_full_name = $1 AND source = 'workflow-runs' ORDER BY external_id`,
        [REPO],
      )
    ).rows;

  it('a repository with no deployments but a deploy workflow: its runs on the default branch are its deployments, chosen and recorded', async () => {
    const bo = { name: 'Bo', email: 'bo@example.com' };
    for (const day of ['01', '02', '03']) {
      w.repo.write('index.html', day);
      w.repo.commit(bo, `2026-06-${day}T09:00:00Z`, `page ${day}`);
    }
    w.repo.push();
    shas = historyOf(w.repo);
    runs = [
      run(201, 'Deploy site', shas[0]!, '01', 'success'),
      run(202, 'CI', shas[1]!, '02', 'success'),
      run(203, 'Deploy site', shas[1]!, '02', 'failure'),
      run(204, 'Deploy site', shas[2]!, '03', null),
      run(205, 'Deploy site', shas[2]!, '03', 'success', 'preview'),
    ];
    w.gh.repos.set(REPO, { commits: [], pulls: [], git: w.repo.bare, workflowRuns: runs });
    await w.rows.trackedRepository({ fullName: REPO, organizationId: null });

    // Listed: the four runs on main (the preview branch's is not asked for); three are of the deploy workflow.
    expect(await sync()).toEqual({ fetched: 3, written: 3, source: 'workflow-runs', shipped: 1 });
    expect(await stored()).toEqual([
      { id: 201, sha: shas[0], status: 'success', succeeded: true, finished: true },
      { id: 203, sha: shas[1], status: 'failure', succeeded: false, finished: true },
      { id: 204, sha: shas[2], status: 'in_progress', succeeded: false, finished: false },
    ]);
    expect((await w.db.sql.query(`SELECT chosen_source FROM deployment_settings WHERE repository_full_name = $1`, [REPO])).rows).toEqual([
      { chosen_source: 'workflow-runs' },
    ]);
    expect(w.gh.requests.filter((r) => r.path === '/repos/acme/web/actions/runs').map((r) => r.query.get('branch'))).toEqual(['main', 'main']);
  });

  it('the unfinished run is read again until it ends; a re-run with nothing new asks for nothing it has', async () => {
    Object.assign(runs[3]!, { status: 'completed', conclusion: 'success', updated_at: '2026-06-03T10:30:00Z' });
    w.gh.reset();
    expect(await sync()).toMatchObject({ written: 1, source: 'workflow-runs' });
    expect((await stored())[2]).toEqual({ id: 204, sha: shas[2], status: 'success', succeeded: true, finished: true });
    expect(await shipments(w.db, REPO)).toEqual({ 201: gitShipped(w.repo, shas[0]!), 204: gitShipped(w.repo, shas[2]!, shas[0]) });
    w.gh.reset();
    expect(await sync()).toMatchObject({ written: 0 });
    expect(w.gh.requests.every((r) => r.status === 304)).toBe(true);
  });

  it('the source is set through the producer API and the CLI, each refusal naming its problem; the CLI lists what is stored', async () => {
    const em = w.db.orm.em.fork();
    await expect(setDeploymentSource(em, REPO, { source: 'releases' })).rejects.toThrow(
      'deployment source of acme/web: source: must be auto, deployments-api, workflow-runs, tags, merges',
    );
    await expect(setDeploymentSource(em, REPO, { source: 'workflow-runs', pattern: '(' })).rejects.toThrow('pattern: must be a regular expression');
    await expect(setDeploymentSource(em, 'acme/nope', { source: 'auto' })).rejects.toThrow('acme/nope is not a tracked repository');
    const env = { DATABASE_URL: w.db.url, LOG_LEVEL: 'silent' };
    // Only the CI workflow counts as deploying now: the next sync reads it from the start.
    const set = await runCliProcess(['deployments', 'source', REPO, 'workflow-runs', '--workflow', '^ci$'], env);
    expect(set.stdout.trim()).toBe('acme/web: deployments from workflow-runs (workflows matching ^ci$); the next sync reads them from there');
    expect(await sync()).toMatchObject({ fetched: 1, written: 1, source: 'workflow-runs' });
    // What the old pattern chose is gone: the CI run is the repository's one deployment, shipping all up to its sha.
    expect((await stored()).map((r) => r.id)).toEqual([202]);
    expect(await shipments(w.db, REPO)).toEqual({ 202: gitShipped(w.repo, shas[1]!) });
    const list = await runCliProcess(['deployments', 'list', '--repository', REPO], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('acme/web: source workflow-runs (set)');
    expect(list.stdout).toContain(shas[1]!.slice(0, 12));
    const bad = await runCliProcess(['deployments', 'source', REPO, 'rss'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('source: must be auto, deployments-api, workflow-runs, tags, merges');
  }, 60_000);
});

describe('deployments from release tags, chosen when a repository has no deployments and no deploying workflow', () => {
  const REPO = 'acme/lib';
  const w = useGitHubWorld({ settings: (_gh, repo) => fromGit(repo) });
  const eve = { name: 'Eve', email: 'eve@example.com' };
  const tag = (name: string, sha: string, date: string | null) =>
    date
      ? w.repo.gitIn(w.repo.work, ['tag', '-a', name, '-m', name, sha], { GIT_COMMITTER_DATE: date, GIT_COMMITTER_NAME: 'Eve', GIT_COMMITTER_EMAIL: eve.email })
      : w.repo.git('tag', name, sha);

  it('each commit a matching tag points at is a deployment at its first tag; what it shipped is git rev-list from the release before', async () => {
    const shas = ['01', '02', '03', '04'].map((day) => {
      w.repo.write('lib.txt', day);
      return w.repo.commit(eve, `2026-10-${day}T09:00:00Z`, `work ${day}`);
    });
    tag('v1.0', shas[0]!, '2026-10-01T12:00:00Z'); // annotated: its tagger date
    tag('nightly', shas[1]!, '2026-10-02T12:00:00Z'); // not a release
    tag('v1.1', shas[2]!, null); // lightweight: its commit's date
    tag('v1.1.0', shas[2]!, '2026-10-05T12:00:00Z'); // the same commit again: not a second deployment
    w.repo.push();
    w.repo.git('push', '-q', 'origin', '--tags');
    w.gh.repos.set(REPO, { commits: [], pulls: [], git: w.repo.bare });
    await w.rows.trackedRepository({ fullName: REPO, organizationId: null });

    const job = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['deployments'] }));
    expect(job.failedReason).toBeUndefined();
    expect((job.returnvalue as { deployments: unknown }).deployments).toEqual({ fetched: 2, written: 2, source: 'tags', shipped: 2 });
    const { rows } = await w.db.sql.query(`SELECT sha, ref, succeeded_at FROM deployments WHERE repository_full_name = $1 ORDER BY succeeded_at`, [REPO]);
    expect(rows).toEqual([
      { sha: shas[0], ref: 'v1.0', succeeded_at: new Date('2026-10-01T12:00:00Z') },
      { sha: shas[2], ref: 'v1.1', succeeded_at: new Date('2026-10-03T09:00:00Z') },
    ]);
    const idOf = (sha: string) => String(parseInt(sha.slice(0, 13), 16));
    expect(await shipments(w.db, REPO)).toEqual({ [idOf(shas[0]!)]: gitShipped(w.repo, shas[0]!), [idOf(shas[2]!)]: gitShipped(w.repo, shas[2]!, shas[0]) });
    // Set to tags matching another pattern: the nightly builds are the releases now.
    await setDeploymentSource(w.db.orm.em.fork(), REPO, { source: 'tags', pattern: '^nightly$' });
    const again = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['deployments'] }, { jobId: 'tags-again' }));
    expect((again.returnvalue as { deployments: unknown }).deployments).toMatchObject({ written: 1, source: 'tags' });
  });
});

describe('deployments from merges to the default branch, when a repository has no other source', () => {
  const REPO = 'acme/tool';
  const w = useGitHubWorld({ settings: (_gh, repo) => fromGit(repo) });
  const ann = { name: 'Ann', email: 'ann@example.com' };
  const sync = async () => {
    const job = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['deployments'] }, { jobId: `m-${Date.now()}` }));
    expect(job.failedReason).toBeUndefined();
    return (job.returnvalue as { deployments: { fetched: number; written: number; source: string; shipped: number } }).deployments;
  };
  /** The stored deployments, oldest first: sha and when it landed. */
  const stored = async () =>
    (
      await w.db.sql.query<{ sha: string; at: Date }>(
        `SELECT sha, succeeded_at AS at FROM deployments WHERE repository_full_name = $1 AND source = 'merges' AND is_production AND status = 'success' ORDER BY succeeded_at`,
        [REPO],
      )
    ).rows;
  /** A merge deployment's id: its sha's first 13 hex digits. */
  const idOf = (sha: string) => String(parseInt(sha.slice(0, 13), 16));
  /** git's first-parent line of main, oldest first. */
  const landed = () => w.repo.origin('rev-list', '--first-parent', '--reverse', 'main').split('\n').filter(Boolean);

  it("each change that landed on the default branch is a deployment: git's first-parent line, each shipping what git says it brought", async () => {
    w.repo.write('a.txt', '1');
    w.repo.commit(ann, '2026-07-01T09:00:00Z', 'start');
    w.repo.git('checkout', '-q', '-b', 'feature');
    w.repo.write('b.txt', '1');
    w.repo.commit(ann, '2026-07-02T09:00:00Z', 'feature one');
    w.repo.write('b.txt', '2');
    w.repo.commit(ann, '2026-07-02T10:00:00Z', 'feature two');
    w.repo.git('checkout', '-q', 'main');
    w.repo.merge('feature', ann, '2026-07-03T09:00:00Z');
    w.repo.write('a.txt', '2');
    w.repo.commit(ann, '2026-07-04T09:00:00Z', 'direct push');
    w.repo.push();
    w.gh.repos.set(REPO, { commits: [], pulls: [], git: w.repo.bare });
    await w.rows.trackedRepository({ fullName: REPO, organizationId: null });

    expect(await sync()).toEqual({ fetched: 3, written: 3, source: 'merges', shipped: 3 });
    const line = landed();
    expect(line).toHaveLength(3);
    expect((await stored()).map((d) => d.sha)).toEqual(line);
    expect((await stored()).map((d) => d.at.toISOString())).toEqual(['2026-07-01T09:00:00.000Z', '2026-07-03T09:00:00.000Z', '2026-07-04T09:00:00.000Z']);
    // The merge shipped the feature's two commits and itself; each shipment is git's own rev-list.
    expect(await shipments(w.db, REPO)).toEqual({
      [idOf(line[0]!)]: gitShipped(w.repo, line[0]!),
      [idOf(line[1]!)]: gitShipped(w.repo, line[1]!, line[0]),
      [idOf(line[2]!)]: gitShipped(w.repo, line[2]!, line[1]),
    });
    expect(gitShipped(w.repo, line[1]!, line[0])).toHaveLength(3);
    expect((await w.db.sql.query(`SELECT chosen_source FROM deployment_settings WHERE repository_full_name = $1`, [REPO])).rows).toEqual([
      { chosen_source: 'merges' },
    ]);
  });

  it('a re-run with nothing new writes nothing and asks GitHub only what answers 304; the next change is the next deployment', async () => {
    w.gh.reset();
    // Listed back to the newest landing minus the overlap: the last one, unchanged.
    expect(await sync()).toEqual({ fetched: 1, written: 0, source: 'merges', shipped: 0 });
    // Probed again for a real source (the merges are a fallback), all answered from the cache.
    expect(w.gh.requests.map((r) => r.status)).not.toContain(200);
    w.repo.write('a.txt', '3');
    w.repo.commit(ann, '2026-07-05T09:00:00Z', 'another');
    w.repo.push();
    expect(await sync()).toMatchObject({ written: 1, shipped: 1 });
    const line = landed();
    expect((await stored()).map((d) => d.sha)).toEqual(line);
    expect((await shipments(w.db, REPO))[idOf(line[3]!)]).toEqual(gitShipped(w.repo, line[3]!, line[2]));
  });
});

describe('what a deployment shipped when commits come from the API: the same walk over the stored commit graph', () => {
  const REPO = 'acme/api';
  const w = useGitHubWorld({ settings: () => ({ GITHUB_COMMITS_FROM: 'api', GITHUB_SYNC_INITIAL_DAYS: '0' }) });
  const cy = { name: 'Cy', email: 'cy@example.com' };
  const deployment = (id: number, sha: string, day: string): StandInDeployment => ({
    id,
    sha,
    ref: 'main',
    environment: 'production',
    created_at: `2026-08-${day}T10:00:00Z`,
    statuses: [{ id: id * 10, state: 'success', created_at: `2026-08-${day}T11:00:00Z` }],
  });
  const sync = async (streams: ('commits' | 'deployments')[]) => {
    const job = await w.h.settle(
      await w.h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams }, { jobId: `a-${streams.join('-')}-${Date.now()}` }),
    );
    expect(job.failedReason).toBeUndefined();
    return job.returnvalue as { deployments?: { shipped: number } };
  };

  it('deployments synced before their commits wait for them; then each ships exactly what git rev-list says, a merge, a rollback and an unknown sha included', async () => {
    w.repo.write('a.txt', '1');
    const first = w.repo.commit(cy, '2026-08-01T09:00:00Z', 'first');
    w.repo.git('checkout', '-q', '-b', 'topic');
    w.repo.write('b.txt', '1');
    w.repo.commit(cy, '2026-08-02T09:00:00Z', 'topic one');
    w.repo.git('checkout', '-q', 'main');
    w.repo.write('a.txt', '2');
    w.repo.commit(cy, '2026-08-02T10:00:00Z', 'main two');
    const merge = w.repo.merge('topic', cy, '2026-08-03T09:00:00Z');
    w.repo.push();
    const deployments = [
      deployment(1, first, '01'),
      deployment(2, merge, '03'),
      deployment(3, first, '04'),
      deployment(4, 'e'.repeat(40), '05'),
      deployment(5, merge, '06'),
    ];
    w.gh.repos.set(REPO, { commits: [], pulls: [], git: w.repo.bare, deployments });
    await w.rows.trackedRepository({ fullName: REPO, organizationId: null });

    // No commit stored yet: nothing is computed (not marked unknown).
    expect((await sync(['deployments'])).deployments).toMatchObject({ shipped: 0 });
    expect(await shipments(w.db, REPO)).toEqual({});
    await sync(['commits']);
    expect((await sync(['deployments'])).deployments).toMatchObject({ shipped: 5 });
    expect(await shipments(w.db, REPO)).toEqual({
      1: gitShipped(w.repo, first),
      2: gitShipped(w.repo, merge, first),
      3: [],
      4: 'unknown',
      5: gitShipped(w.repo, merge, first),
    });
    expect(gitShipped(w.repo, merge, first)).toHaveLength(3);
  });
});

describe.each(['rest', 'graphql'] as const)('GITHUB_DEPLOYMENTS_FROM=%s: the same rows, at its own cost', (from) => {
  const REPO = 'acme/cost';
  const w = useGitHubWorld({ settings: (_gh, repo) => ({ ...fromGit(repo), GITHUB_DEPLOYMENTS_FROM: from }) });
  it('every deployment with the state its statuses give; REST asks for statuses once per deployment, GraphQL once per 100', async () => {
    w.repo.write('x.txt', '1');
    const sha = w.repo.commit({ name: 'Di', email: 'di@example.com' }, '2026-09-01T09:00:00Z', 'x');
    w.repo.push();
    const deployments: StandInDeployment[] = Array.from({ length: 120 }, (_, i) => ({
      id: 1000 + i,
      sha,
      ref: 'main',
      environment: i % 3 === 0 ? 'staging' : 'production',
      created_at: new Date(Date.UTC(2026, 8, 1, 10) + i * 60_000).toISOString(),
      statuses: [
        { id: 50_000 + 2 * i, state: 'in_progress', created_at: new Date(Date.UTC(2026, 8, 1, 10) + i * 60_000 + 1_000).toISOString() },
        { id: 50_001 + 2 * i, state: i % 10 === 0 ? 'failure' : 'success', created_at: new Date(Date.UTC(2026, 8, 1, 10) + i * 60_000 + 1_000).toISOString() },
      ],
    }));
    w.gh.repos.set(REPO, { commits: [], pulls: [], git: w.repo.bare, deployments });
    await w.rows.trackedRepository({ fullName: REPO, organizationId: null });
    const job = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['deployments'] }));
    expect(job.failedReason).toBeUndefined();
    const { rows } = await w.db.sql.query(
      `SELECT external_id::int AS id, status, succeeded_at IS NOT NULL AS ok, failed_at IS NOT NULL AS failed FROM deployments ORDER BY 1`,
    );
    // Both statuses at the same second: the later one (the higher id) is the state.
    expect(rows).toEqual(deployments.map((d, i) => ({ id: d.id, status: i % 10 === 0 ? 'failure' : 'success', ok: i % 10 !== 0, failed: i % 10 === 0 })));
    const statusRequests = w.gh.requests.filter((r) => r.path.endsWith('/statuses')).length;
    const graphql = w.gh.requests.filter((r) => r.path === '/graphql').length;
    expect([statusRequests, graphql]).toEqual(from === 'rest' ? [120, 0] : [0, 2]);
  });
});

describe('a force-push and a deployment of a branch that is not the default one', () => {
  const REPO = 'acme/edge';
  const w = useGitHubWorld({ settings: (_gh, repo) => fromGit(repo) });
  const fay = { name: 'Fay', email: 'fay@example.com' };
  const deployment = (id: number, sha: string, day: string, ref = 'main'): StandInDeployment => ({
    id,
    sha,
    ref,
    environment: 'production',
    created_at: `2026-11-${day}T10:00:00Z`,
    statuses: [{ id: id * 10, state: 'success', created_at: `2026-11-${day}T11:00:00Z` }],
  });
  const sync = async (id: string) => {
    const job = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: REPO, streams: ['commits', 'deployments'] }, { jobId: id }));
    expect(job.failedReason).toBeUndefined();
  };

  it('what each shipped is what production did not have, by git, whether the branch was rewritten or another branch deployed', async () => {
    const [a, , c] = ['01', '02', '03'].map((day) => {
      w.repo.write('f.txt', day);
      return w.repo.commit(fay, `2026-11-${day}T09:00:00Z`, `work ${day}`);
    });
    w.repo.push();
    const deployments = [deployment(1, c!, '03')];
    w.gh.repos.set(REPO, { commits: [], pulls: [], git: w.repo.bare, deployments });
    await w.rows.trackedRepository({ fullName: REPO, organizationId: null });
    await sync('edge-1');

    // main rewritten from a: c is no longer on it; then a hotfix branch, deployed without merging.
    w.repo.git('reset', '-q', '--hard', a!);
    w.repo.write('f.txt', 'rewritten');
    const b2 = w.repo.commit(fay, '2026-11-04T09:00:00Z', 'rewritten work');
    w.repo.push('main', true);
    w.repo.git('checkout', '-q', '-b', 'hotfix');
    w.repo.write('hot.txt', '1');
    const h = w.repo.commit(fay, '2026-11-05T09:00:00Z', 'hotfix');
    w.repo.push('hotfix');
    deployments.push(deployment(2, b2, '04'), deployment(3, h, '05', 'hotfix'));
    await sync('edge-2');
    expect(w.repo.revList('main')).not.toContain(c);
    expect(await shipments(w.db, REPO)).toEqual({
      1: gitShipped(w.repo, c!),
      // What production got that it did not have: the rewritten commit (c's history is gone from main, not from production).
      2: gitShipped(w.repo, b2, c),
      3: gitShipped(w.repo, h, b2),
    });
    expect(gitShipped(w.repo, b2, c)).toEqual([b2]);
    expect(gitShipped(w.repo, h, b2)).toEqual([h]);
  });
});
