// A GitHub REST stand-in for the offline demo and the tests (not used in production paths).
import { createHash } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeLocal, listenLocal } from './local-server.js';

/**
 * A GitHub REST stand-in on 127.0.0.1 speaking the real wire protocol: JSON shapes from
 * docs.github.com/rest, Link pagination, weak ETags with If-None-Match → 304 (not counted against
 * the rate limit, as on GitHub), x-ratelimit-* headers on every answer, 403 when the budget is
 * exhausted, and scripted faults (5xx, secondary rate limits with Retry-After, …).
 */

export interface StandInUser {
  id: number;
  login: string;
  name?: string;
  email?: string | null;
  bio?: string | null;
  location?: string | null;
  company?: string | null;
  created_at?: string;
}
export interface StandInFile {
  filename: string;
  additions: number;
  deletions: number;
}
export interface StandInCommit {
  sha: string;
  message: string;
  author: StandInUser | null;
  authorDate: string;
  committerDate: string;
  files: StandInFile[];
}
export interface StandInReview {
  id: number;
  user: StandInUser;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  body: string;
  submitted_at: string;
}
export interface StandInPull {
  id: number;
  number: number;
  title: string;
  body: string | null;
  user: StandInUser;
  state: 'open' | 'closed';
  created_at: string;
  updated_at: string;
  merged_at: string | null;
  closed_at: string | null;
  labels: string[];
  requested_reviewers: StandInUser[];
  additions: number;
  deletions: number;
  changed_files: number;
  commits: number;
  comments: number;
  review_comments: number;
  reviews: StandInReview[];
}
export interface StandInTeam {
  id: number;
  slug: string;
  name: string;
  description: string | null;
  members: StandInUser[];
}
export interface StandInRepo {
  commits: StandInCommit[];
  pulls: StandInPull[];
  empty?: boolean;
}
export interface Fault {
  /** Matched against "METHOD /path?query". */
  match: RegExp;
  status: number;
  times: number;
  body?: unknown;
  headers?: Record<string, string>;
}
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  status: number;
  conditional: boolean;
  auth: string | undefined;
}

const DOCS = 'https://docs.github.com/rest';

export function userJson(base: string, u: StandInUser) {
  return {
    login: u.login,
    id: u.id,
    node_id: `MDQ6VXNlcj${u.id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    gravatar_id: '',
    url: `${base}/users/${u.login}`,
    html_url: `https://github.com/${u.login}`,
    type: 'User',
    site_admin: false,
  };
}

export class GitHubStandIn {
  readonly repos = new Map<string, StandInRepo>();
  readonly users = new Map<string, StandInUser>();
  /** Teams per organization login. */
  readonly orgTeams = new Map<string, StandInTeam[]>();
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  /** Called as each request is answered: lets a chaos test act at an exact point of a sync. */
  onRequest?: (request: RecordedRequest) => void;
  rate = { limit: 5000, remaining: 5000, reset: Math.floor(Date.now() / 1000) + 3600 };
  token = 'ghp_standin_token';
  url = '';
  private server?: Server;

  async start(): Promise<this> {
    const { server, origin } = await listenLocal((req, res) => this.handle(req, res));
    this.server = server;
    this.url = `${origin}`;
    return this;
  }

  async stop(): Promise<void> {
    await closeLocal(this.server);
  }

  /** Requests that counted against the rate limit (everything but 304s), optionally filtered. */
  counted(filter?: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.status !== 304 && (!filter || filter.test(`${r.method} ${r.path}`)));
  }

  reset(): void {
    this.requests.length = 0;
  }

  fail(fault: Fault): void {
    this.faults.push(fault);
  }

  private rateHeaders(): Record<string, string> {
    return {
      'x-ratelimit-limit': String(this.rate.limit),
      'x-ratelimit-remaining': String(this.rate.remaining),
      'x-ratelimit-reset': String(this.rate.reset),
      'x-ratelimit-used': String(this.rate.limit - this.rate.remaining),
      'x-ratelimit-resource': 'core',
    };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const u = new URL(req.url!, this.url);
    const path = u.pathname;
    const method = req.method!;
    const record = (status: number, conditional = false) => {
      const request = { method, path, query: u.searchParams, status, conditional, auth: req.headers.authorization };
      this.requests.push(request);
      this.onRequest?.(request);
    };
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record(status);
      const json = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...this.rateHeaders(), ...headers });
      res.end(json);
    };

    if (this.token && req.headers.authorization !== `token ${this.token}` && req.headers.authorization !== `Bearer ${this.token}`) {
      return send(401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
    }
    const fault = this.faults.find((f) => f.times > 0 && f.match.test(`${method} ${path}${u.search}`));
    if (fault) {
      fault.times -= 1;
      if (fault.status !== 304) this.rate.remaining = Math.max(0, this.rate.remaining - 1);
      return send(fault.status, fault.body ?? { message: 'Server Error' }, fault.headers);
    }
    if (this.rate.remaining <= 0) {
      return send(403, { message: 'API rate limit exceeded for user ID 1. (But here\'s the good news: Authenticated requests get a higher rate limit.)', documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api` });
    }

    const route = this.route(method, path, u.searchParams);
    if (!route) return send(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
    const json = JSON.stringify(route.body);
    const etag = `W/"${createHash('sha1').update(json).digest('hex')}"`;
    const headers: Record<string, string> = { etag, ...(route.link ? { link: route.link } : {}) };
    if (route.status === 200 && req.headers['if-none-match'] === etag) {
      // 304s are free on GitHub: the budget is not decremented.
      record(304, true);
      res.writeHead(304, { ...this.rateHeaders(), etag });
      return void res.end();
    }
    if (route.status < 300 || route.status >= 400) this.rate.remaining -= 1;
    return send(route.status, route.body, route.status === 200 ? headers : {});
  }

  private paginate<T>(path: string, q: URLSearchParams, items: T[], defaultPerPage = 30): { body: T[]; link?: string } {
    const perPage = Math.min(100, Number(q.get('per_page') ?? defaultPerPage));
    const page = Math.max(1, Number(q.get('page') ?? 1));
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const body = items.slice((page - 1) * perPage, page * perPage);
    const link = (p: number, rel: string) => {
      const nq = new URLSearchParams(q);
      nq.set('page', String(p));
      return `<${this.url}${path}?${nq}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    return { body, link: links.length ? links.join(', ') : undefined };
  }

  private route(method: string, path: string, q: URLSearchParams): { status: number; body: unknown; link?: string } | null {
    if (method !== 'GET') return null;
    let m = path.match(/^\/users\/([^/]+)$/);
    if (m) {
      const user = this.users.get(m[1]!.toLowerCase());
      if (!user) return null;
      return {
        status: 200,
        body: {
          ...userJson(this.url, user),
          name: user.name ?? null,
          company: user.company ?? null,
          blog: '',
          location: user.location ?? null,
          email: user.email ?? null,
          bio: user.bio ?? null,
          public_repos: 12,
          followers: 3,
          following: 1,
          created_at: user.created_at ?? '2014-03-01T10:00:00Z',
          updated_at: '2026-10-01T10:00:00Z',
        },
      };
    }
    m = path.match(/^\/orgs\/([^/]+)\/teams(?:\/([^/]+)\/members)?$/);
    if (m) {
      const teams = this.orgTeams.get(m[1]!);
      if (!teams) return null;
      if (!m[2]) {
        const items = teams.map((t) => ({
          id: t.id,
          node_id: `T_${t.id}`,
          url: `${this.url}/teams/${t.id}`,
          html_url: `https://github.com/orgs/${m![1]}/teams/${t.slug}`,
          name: t.name,
          slug: t.slug,
          description: t.description,
          privacy: 'closed',
          permission: 'pull',
          parent: null,
        }));
        return { status: 200, ...this.paginate(path, q, items) };
      }
      const team = teams.find((t) => t.slug === m![2]);
      if (!team) return null;
      return { status: 200, ...this.paginate(path, q, team.members.map((u) => userJson(this.url, u))) };
    }
    m = path.match(/^\/repos\/([^/]+\/[^/]+)(\/.*)?$/);
    if (!m) return null;
    const full = m[1]!;
    const repo = this.repos.get(full);
    if (!repo) return null;
    const rest = m[2] ?? '';
    if (rest === '/commits') {
      if (repo.empty) return { status: 409, body: { message: 'Git Repository is empty.', documentation_url: DOCS, status: '409' } };
      const since = q.get('since');
      const items = repo.commits
        .filter((c) => !since || new Date(c.committerDate) >= new Date(since))
        .sort((a, b) => b.committerDate.localeCompare(a.committerDate))
        .map((c) => this.commitJson(full, c));
      return { status: 200, ...this.paginate(path, q, items) };
    }
    m = rest.match(/^\/commits\/([0-9a-f]{40})$/);
    if (m) {
      const c = repo.commits.find((x) => x.sha === m![1]);
      if (!c) return { status: 422, body: { message: `No commit found for SHA: ${m[1]}`, documentation_url: DOCS, status: '422' } };
      // GitHub pages a commit's files 300 at a time (max 3000) via Link headers.
      const page = Math.max(1, Number(q.get('page') ?? 1));
      const perPage = 300;
      const last = Math.max(1, Math.ceil(c.files.length / perPage));
      const files = c.files.slice((page - 1) * perPage, page * perPage).map((f) => ({
        sha: createHash('sha1').update(f.filename).digest('hex'),
        filename: f.filename,
        status: 'modified',
        additions: f.additions,
        deletions: f.deletions,
        changes: f.additions + f.deletions,
        blob_url: `https://github.com/${full}/blob/${c.sha}/${f.filename}`,
        patch: '@@ -1 +1 @@',
      }));
      const additions = c.files.reduce((s, f) => s + f.additions, 0);
      const deletions = c.files.reduce((s, f) => s + f.deletions, 0);
      const nq = (p: number) => `<${this.url}${path}?page=${p}>`;
      const link = page < last ? `${nq(page + 1)}; rel="next", ${nq(last)}; rel="last"` : undefined;
      return { status: 200, link, body: { ...this.commitJson(full, c), stats: { total: additions + deletions, additions, deletions }, files } };
    }
    if (rest === '/pulls') {
      const state = q.get('state') ?? 'open';
      const items = repo.pulls
        .filter((p) => state === 'all' || p.state === state)
        .sort((a, b) => b.updated_at.localeCompare(a.updated_at))
        .map((p) => this.pullJson(full, p, false));
      return { status: 200, ...this.paginate(path, q, items) };
    }
    m = rest.match(/^\/pulls\/(\d+)(\/reviews)?$/);
    if (m) {
      const p = repo.pulls.find((x) => x.number === Number(m![1]));
      if (!p) return null;
      if (!m[2]) return { status: 200, body: this.pullJson(full, p, true) };
      const reviews = p.reviews.map((r) => ({
        id: r.id,
        node_id: `PRR_${r.id}`,
        user: userJson(this.url, r.user),
        body: r.body,
        state: r.state,
        html_url: `https://github.com/${full}/pull/${p.number}#pullrequestreview-${r.id}`,
        pull_request_url: `${this.url}/repos/${full}/pulls/${p.number}`,
        author_association: 'MEMBER',
        submitted_at: r.state === 'PENDING' ? undefined : r.submitted_at,
        commit_id: 'ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091',
      }));
      return { status: 200, ...this.paginate(`${path}`, q, reviews) };
    }
    return null;
  }

  private commitJson(full: string, c: StandInCommit) {
    return {
      sha: c.sha,
      node_id: `C_${c.sha.slice(0, 12)}`,
      commit: {
        author: { name: c.author?.name ?? 'Someone', email: c.author?.email ?? 'someone@example.com', date: c.authorDate },
        committer: { name: 'GitHub', email: 'noreply@github.com', date: c.committerDate },
        message: c.message,
        tree: { sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e', url: `${this.url}/repos/${full}/git/trees/6dcb09b` },
        comment_count: 0,
        verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
      },
      url: `${this.url}/repos/${full}/commits/${c.sha}`,
      html_url: `https://github.com/${full}/commit/${c.sha}`,
      author: c.author ? userJson(this.url, c.author) : null,
      committer: { ...userJson(this.url, { id: 19864447, login: 'web-flow' }) },
      parents: [],
    };
  }

  private pullJson(full: string, p: StandInPull, detail: boolean) {
    const base = {
      url: `${this.url}/repos/${full}/pulls/${p.number}`,
      id: p.id,
      node_id: `PR_${p.id}`,
      html_url: `https://github.com/${full}/pull/${p.number}`,
      number: p.number,
      state: p.state,
      locked: false,
      title: p.title,
      user: userJson(this.url, p.user),
      body: p.body,
      labels: p.labels.map((name, i) => ({ id: 208045946 + i, name, color: 'f29513', default: false })),
      created_at: p.created_at,
      updated_at: p.updated_at,
      closed_at: p.closed_at,
      merged_at: p.merged_at,
      requested_reviewers: p.requested_reviewers.map((u) => userJson(this.url, u)),
      draft: false,
      author_association: 'MEMBER',
    };
    if (!detail) return base;
    return {
      ...base,
      merged: p.merged_at !== null,
      mergeable: true,
      comments: p.comments,
      review_comments: p.review_comments,
      commits: p.commits,
      additions: p.additions,
      deletions: p.deletions,
      changed_files: p.changed_files,
    };
  }
}

/** Deterministic 40-hex sha for test data. */
export function fakeSha(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}
