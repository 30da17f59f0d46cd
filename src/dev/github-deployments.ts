import type { StandInDeployment, StandInRepo, StandInWorkflowRun } from './github-fixture-types.js';
import { userJson } from './github-json.js';

/**
 * The GitHub stand-in's Deployments API and Actions workflow runs, as GitHub documents them:
 * `GET /repos/{o}/{r}/deployments` (filters sha, ref, task, environment; newest first),
 * `GET /repos/{o}/{r}/deployments/{id}` and `…/{id}/statuses` (newest first), and
 * `GET /repos/{o}/{r}/actions/runs` (filters branch, event, status, head_sha, created; newest first,
 * `{ total_count, workflow_runs }`) and `…/actions/runs/{id}`. Lists are paginated by the caller's `paginate`.
 */
type Paginate = <T>(items: T[]) => { body: T[]; link?: string };
type Answer = { status: number; body: unknown; link?: string } | null;

const DOCS = 'https://docs.github.com/rest';
const notFound = { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } };

export function deploymentRoute(base: string, full: string, repo: StandInRepo, rest: string, q: URLSearchParams, paginate: Paginate): Answer {
  if (rest === '/deployments') {
    const items = (repo.deployments ?? [])
      .filter((d) => ['sha', 'ref', 'environment'].every((k) => !q.get(k) || q.get(k) === d[k as 'sha' | 'ref' | 'environment']))
      .filter((d) => !q.get('task') || q.get('task') === (d.task ?? 'deploy'))
      .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id)
      .map((d) => deploymentJson(base, full, d));
    return { status: 200, ...paginate(items) };
  }
  const m = rest.match(/^\/deployments\/(\d+)(\/statuses)?$/);
  if (m) {
    const d = (repo.deployments ?? []).find((x) => x.id === Number(m[1]));
    if (!d) return notFound;
    if (!m[2]) return { status: 200, body: deploymentJson(base, full, d) };
    const statuses = [...d.statuses]
      .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id)
      .map((s) => ({
        url: `${base}/repos/${full}/deployments/${d.id}/statuses/${s.id}`,
        id: s.id,
        node_id: `DES_${s.id}`,
        state: s.state,
        creator: userJson(base, d.creator ?? { id: 41898282, login: 'github-actions[bot]', type: 'Bot' }),
        description: s.description ?? '',
        environment: d.environment,
        target_url: '',
        log_url: '',
        environment_url: '',
        created_at: s.created_at,
        updated_at: s.created_at,
        deployment_url: `${base}/repos/${full}/deployments/${d.id}`,
        repository_url: `${base}/repos/${full}`,
      }));
    return { status: 200, ...paginate(statuses) };
  }
  if (rest === '/actions/runs') return workflowRuns(base, full, repo.workflowRuns ?? [], q, paginate);
  const run = rest.match(/^\/actions\/runs\/(\d+)$/);
  if (run) {
    const r = (repo.workflowRuns ?? []).find((x) => x.id === Number(run[1]));
    return r ? { status: 200, body: runJson(base, full, r) } : notFound;
  }
  return null;
}

function deploymentJson(base: string, full: string, d: StandInDeployment) {
  const updated = d.statuses.reduce((t, s) => (s.created_at > t ? s.created_at : t), d.created_at);
  return {
    url: `${base}/repos/${full}/deployments/${d.id}`,
    id: d.id,
    node_id: `DE_${d.id}`,
    sha: d.sha,
    ref: d.ref,
    task: d.task ?? 'deploy',
    payload: {},
    original_environment: d.environment,
    environment: d.environment,
    description: null,
    creator: userJson(base, d.creator ?? { id: 41898282, login: 'github-actions[bot]', type: 'Bot' }),
    created_at: d.created_at,
    updated_at: updated,
    statuses_url: `${base}/repos/${full}/deployments/${d.id}/statuses`,
    repository_url: `${base}/repos/${full}`,
    transient_environment: false,
    production_environment: /^(prod|production|live)$/i.test(d.environment),
  };
}

/** `created` takes GitHub's date filters `>=YYYY-MM-DD…` and `<=…`, and a range `a..b`. */
function createdFilter(spec: string | null): (at: string) => boolean {
  if (!spec) return () => true;
  const range = spec.match(/^(.+)\.\.(.+)$/);
  if (range) return (at) => at >= range[1]! && at <= `${range[2]!}\uffff`;
  const op = spec.match(/^(>=|<=|>|<)(.+)$/);
  if (!op) return (at) => at.startsWith(spec);
  const v = op[2]!;
  return { '>=': (at: string) => at >= v, '>': (at: string) => at > v, '<=': (at: string) => at <= `${v}\uffff`, '<': (at: string) => at < v }[
    op[1] as '>=' | '>' | '<=' | '<'
  ];
}

function workflowRuns(base: string, full: string, runs: StandInWorkflowRun[], q: URLSearchParams, paginate: Paginate): Answer {
  const created = createdFilter(q.get('created'));
  const status = q.get('status');
  const matching = runs
    .filter((r) => (!q.get('branch') || r.head_branch === q.get('branch')) && (!q.get('event') || r.event === q.get('event')))
    .filter((r) => (!q.get('head_sha') || r.head_sha === q.get('head_sha')) && created(r.created_at))
    .filter((r) => !status || r.status === status || r.conclusion === status)
    .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id);
  const { body, link } = paginate(matching);
  return {
    status: 200,
    link,
    body: {
      total_count: matching.length,
      workflow_runs: body.map((r) => runJson(base, full, r)),
    },
  };
}

function runJson(base: string, full: string, r: StandInWorkflowRun) {
  return {
    id: r.id,
    name: r.name,
    node_id: `WFR_${r.id}`,
    head_branch: r.head_branch,
    head_sha: r.head_sha,
    path: r.path,
    display_title: r.name,
    run_number: r.id % 100_000,
    event: r.event,
    status: r.status,
    conclusion: r.conclusion,
    workflow_id: parseInt(r.path.replace(/\W/g, '').slice(0, 6), 36) % 1_000_000,
    url: `${base}/repos/${full}/actions/runs/${r.id}`,
    html_url: `https://github.com/${full}/actions/runs/${r.id}`,
    created_at: r.created_at,
    updated_at: r.updated_at,
    run_attempt: 1,
    run_started_at: r.run_started_at,
  };
}
