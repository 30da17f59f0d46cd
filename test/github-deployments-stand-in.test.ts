import { Octokit } from '@octokit/rest';
import { describe, expect, it } from 'vitest';
import type { StandInDeployment, StandInWorkflowRun } from '../src/dev/github-fixture-types.js';
import { GitHubStandIn } from '../src/dev/github-stand-in.js';
import { GitRepo } from '../src/dev/git-repo.js';
import { useStandIn } from './hooks.js';

/**
 * The GitHub stand-in's Deployments API and Actions workflow runs, read with Octokit as the sync will
 * read them: the shas are a real git repository's (from `git rev-list`), lists come newest first and
 * paginated by Link headers, filters narrow as GitHub documents, an unchanged list answers 304.
 */
describe('GitHub stand-in: deployments and workflow runs', () => {
  const REPO = 'acme/shop';
  let gh: GitHubStandIn;
  let repo: GitRepo;
  let shas: string[];
  useStandIn(async () => {
    gh = await new GitHubStandIn().start();
    repo = new GitRepo();
    const ann = { name: 'Ann', email: 'ann@example.com' };
    for (const [i, day] of ['01', '02', '03'].entries()) {
      repo.write('app.txt', `v${i}\n`);
      repo.commit(ann, `2026-05-${day}T10:00:00Z`, `release ${i}`);
    }
    repo.push();
    shas = repo.origin('rev-list', '--reverse', 'main').split('\n').filter(Boolean); // oldest first
    const deployment = (id: number, sha: string, environment: string, at: string, states: StandInDeployment['statuses'][number]['state'][]) => ({
      id,
      sha,
      ref: 'main',
      environment,
      created_at: at,
      statuses: states.map((state, k) => ({ id: id * 10 + k, state, created_at: at.replace('T10', `T1${k + 1}`) })),
    });
    const run = (id: number, name: string, sha: string, at: string, conclusion: StandInWorkflowRun['conclusion'], branch = 'main'): StandInWorkflowRun => ({
      id,
      name,
      path: `.github/workflows/${name}.yml`,
      head_branch: branch,
      head_sha: sha,
      event: 'push',
      status: 'completed',
      conclusion,
      created_at: at,
      run_started_at: at,
      updated_at: at.replace('T10', 'T11'),
    });
    gh.repos.set(REPO, {
      commits: [],
      pulls: [],
      git: repo.bare,
      deployments: [
        deployment(1, shas[0]!, 'production', '2026-05-01T10:00:00Z', ['in_progress', 'success']),
        deployment(2, shas[1]!, 'staging', '2026-05-02T10:00:00Z', ['success']),
        deployment(3, shas[1]!, 'production', '2026-05-02T10:00:00Z', ['in_progress', 'failure']),
        deployment(4, shas[2]!, 'production', '2026-05-03T10:00:00Z', ['queued', 'in_progress', 'success']),
      ],
      workflowRuns: [
        run(101, 'deploy', shas[0]!, '2026-05-01T10:00:00Z', 'success'),
        run(102, 'ci', shas[1]!, '2026-05-02T10:00:00Z', 'success'),
        run(103, 'deploy', shas[2]!, '2026-05-03T10:00:00Z', 'failure'),
        run(104, 'deploy', shas[2]!, '2026-05-03T12:00:00Z', 'success', 'hotfix'),
      ],
    });
    return {
      async stop() {
        await gh.stop();
        repo.remove();
      },
    };
  });
  const octokit = () => new Octokit({ baseUrl: gh.url, auth: gh.token });

  it('deployments: newest first across pages, narrowed by environment and sha, each with its statuses newest first', async () => {
    const all = await octokit().paginate('GET /repos/{owner}/{repo}/deployments', { owner: 'acme', repo: 'shop', per_page: 2 });
    expect(all.map((d) => d.id)).toEqual([4, 3, 2, 1]);
    expect(all.map((d) => d.sha)).toEqual([shas[2], shas[1], shas[1], shas[0]]);
    expect(gh.requests.filter((r) => r.path === '/repos/acme/shop/deployments')).toHaveLength(2);
    const production = await octokit().paginate('GET /repos/{owner}/{repo}/deployments', { owner: 'acme', repo: 'shop', environment: 'production' });
    expect(production.map((d) => [d.id, d.environment, d.production_environment])).toEqual([
      [4, 'production', true],
      [3, 'production', true],
      [1, 'production', true],
    ]);
    const ofSha = await octokit().request('GET /repos/{owner}/{repo}/deployments', { owner: 'acme', repo: 'shop', sha: shas[1]! });
    expect(ofSha.data.map((d) => d.id)).toEqual([3, 2]);
    const statuses = await octokit().request('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      owner: 'acme',
      repo: 'shop',
      deployment_id: 4,
    });
    expect(statuses.data.map((s) => s.state)).toEqual(['success', 'in_progress', 'queued']);
    expect(statuses.data[0]!.environment).toBe('production');
    await expect(
      octokit().request('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { owner: 'acme', repo: 'shop', deployment_id: 99 }),
    ).rejects.toMatchObject({
      status: 404,
    });
  });

  it('an unchanged list answers 304 to its ETag and costs no rate limit', async () => {
    const first = await fetch(`${gh.url}/repos/${REPO}/deployments`, { headers: { authorization: `token ${gh.token}` } });
    const etag = first.headers.get('etag')!;
    const remaining = Number(first.headers.get('x-ratelimit-remaining'));
    const again = await fetch(`${gh.url}/repos/${REPO}/deployments`, { headers: { authorization: `token ${gh.token}`, 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(Number(again.headers.get('x-ratelimit-remaining'))).toBe(remaining);
  });

  it('workflow runs: newest first, narrowed by branch, conclusion and creation date, with their total', async () => {
    const list = (q: Record<string, string | number>) =>
      octokit()
        .request('GET /repos/{owner}/{repo}/actions/runs', { owner: 'acme', repo: 'shop', ...q })
        .then((r) => ({ total: r.data.total_count, runs: r.data.workflow_runs.map((w) => [w.id, w.name, w.head_sha, w.conclusion]) }));
    expect((await list({})).runs.map((r) => r[0])).toEqual([104, 103, 102, 101]);
    expect(await list({ branch: 'main', status: 'success' })).toEqual({
      total: 2,
      runs: [
        [102, 'ci', shas[1], 'success'],
        [101, 'deploy', shas[0], 'success'],
      ],
    });
    expect((await list({ created: '>=2026-05-02', branch: 'main' })).runs.map((r) => r[0])).toEqual([103, 102]);
    const paged = await list({ per_page: 3, page: 2 });
    expect(paged).toEqual({ total: 4, runs: [[101, 'deploy', shas[0], 'success']] });
  });
});
