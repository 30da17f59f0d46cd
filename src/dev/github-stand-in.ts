// A GitHub REST stand-in for the offline demo and the tests (not used in production paths).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { basename, dirname } from 'node:path';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { GitCommitSource, MemoryCommitSource, type CommitRecord, type CommitSource } from './commit-source.js';
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
  /** 'Bot' for app accounts such as dependabot[bot]. */
  type?: 'User' | 'Bot';
}
export interface StandInFile {
  filename: string;
  additions: number;
  deletions: number;
}
export interface StandInCommit {
  sha: string;
  message: string;
  /** The GitHub account the author email is linked to, or null. */
  author: StandInUser | null;
  /** The git author email (default: the linked user's, else an unlinked address). */
  authorEmail?: string;
  authorDate: string;
  committerDate: string;
  files: StandInFile[];
  /** Parent shas; by default the commits form one line in committer-date order. */
  parents?: string[];
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
  /** In-memory history (ignored when `git` is set). */
  commits: StandInCommit[];
  pulls: StandInPull[];
  empty?: boolean;
  /** A git repository on disk to serve the commits from, computed by git from its objects. */
  git?: string;
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
    type: u.type ?? 'User',
    site_admin: false,
  };
}

export class GitHubStandIn {
  readonly repos = new Map<string, StandInRepo>();
  readonly users = new Map<string, StandInUser>();
  /** Teams per organization login. */
  readonly orgTeams = new Map<string, StandInTeam[]>();
  /** Git-backed repositories: which GitHub account a commit email is linked to (lower-case email). */
  readonly emails = new Map<string, StandInUser>();
  readonly requests: RecordedRequest[] = [];
  /** Git smart-HTTP requests (`/owner/name.git/…`): not API calls, no rate limit, kept apart. */
  readonly gitRequests: { path: string; status: number; auth: string | undefined }[] = [];
  readonly faults: Fault[] = [];
  /** Called as each request is answered: lets a chaos test act at an exact point of a sync. */
  onRequest?: (request: RecordedRequest) => void;
  /** The core budget; like GitHub's, it refills to `limit` once `reset` has passed (then lasts `window` s). */
  rate = { limit: 5000, remaining: 5000, reset: Math.floor(Date.now() / 1000) + 3600, window: 3600 };
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

  /**
   * Git's smart HTTP protocol for git-backed repositories, answered by `git http-backend` itself (the
   * CGI program git ships), as github.com serves clones and fetches: Basic authentication with the
   * token as password (any user name, as GitHub accepts `x-access-token`), 401 with a challenge
   * otherwise, 404 for repositories it does not have. Read-only (upload-pack).
   */
  private async serveGit(req: IncomingMessage, res: ServerResponse, u: URL, full: string, rest: string): Promise<void> {
    const auth = req.headers.authorization;
    const done = (status: number) => this.gitRequests.push({ path: u.pathname, status, auth });
    const basic = /^Basic (.+)$/.exec(auth ?? '');
    const password = basic ? Buffer.from(basic[1]!, 'base64').toString().split(':').slice(1).join(':') : null;
    if (this.token && password !== this.token) {
      done(401);
      res.writeHead(401, { 'www-authenticate': 'Basic realm="GitHub"', 'content-type': 'text/plain' });
      return void res.end('Invalid username or password.');
    }
    const repo = this.repos.get(full);
    if (!repo?.git) {
      done(404);
      res.writeHead(404, { 'content-type': 'text/plain' });
      return void res.end('Repository not found.');
    }
    const child = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH ?? '',
        GIT_PROJECT_ROOT: dirname(repo.git),
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: `/${basename(repo.git)}/${rest}`,
        REQUEST_METHOD: req.method!,
        QUERY_STRING: u.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: String(req.headers['content-encoding']) } : {}),
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
        REMOTE_USER: 'x-access-token',
        REMOTE_ADDR: '127.0.0.1',
      },
    });
    req.pipe(child.stdin);
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', () => resolve());
    });
    const out = Buffer.concat(chunks);
    const split = out.indexOf('\r\n\r\n');
    const headerText = out.subarray(0, split).toString();
    const headers: Record<string, string> = {};
    let status = 200;
    for (const line of headerText.split('\r\n')) {
      const i = line.indexOf(':');
      const name = line.slice(0, i).trim().toLowerCase();
      const value = line.slice(i + 1).trim();
      if (name === 'status') status = Number(value.split(' ')[0]);
      else if (name) headers[name] = value;
    }
    done(status);
    res.writeHead(status, headers);
    res.end(out.subarray(split + 4));
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
    this.answer(req, res).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ message: `stand-in error: ${err.message}` }));
    });
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url!, this.url);
    const path = u.pathname;
    const method = req.method!;
    const gitPath = /^\/([^/]+)\/([^/]+?)\.git\/(info\/refs|git-upload-pack)$/.exec(path);
    if (gitPath) return this.serveGit(req, res, u, `${gitPath[1]}/${gitPath[2]}`, gitPath[3]!);
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
    const nowSec = Date.now() / 1000;
    if (nowSec >= this.rate.reset) Object.assign(this.rate, { remaining: this.rate.limit, reset: Math.ceil(nowSec) + this.rate.window });
    const fault = this.faults.find((f) => f.times > 0 && f.match.test(`${method} ${path}${u.search}`));
    if (fault) {
      fault.times -= 1;
      if (fault.status !== 304) this.rate.remaining = Math.max(0, this.rate.remaining - 1);
      return send(fault.status, fault.body ?? { message: 'Server Error' }, fault.headers);
    }
    if (this.rate.remaining <= 0) {
      return send(403, {
        message: "API rate limit exceeded for user ID 1. (But here's the good news: Authenticated requests get a higher rate limit.)",
        documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`,
      });
    }

    const route = await this.route(method, path, u.searchParams);
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

  /** The commit graph of a repository: its git repository, or the in-memory list. */
  source(repo: StandInRepo): CommitSource {
    if (repo.git) return (this.gitSources.get(repo.git) ?? this.gitSources.set(repo.git, new GitCommitSource(repo.git)).get(repo.git))!;
    return new MemoryCommitSource(() =>
      repo.commits.map((c) => ({
        ...c,
        authorName: c.author?.name ?? 'Someone',
        authorEmail: c.authorEmail ?? (c.author ? (c.author.email ?? `${c.author.login}@example.com`) : 'someone@example.com'),
      })),
    );
  }
  private readonly gitSources = new Map<string, GitCommitSource>();

  private async route(method: string, path: string, q: URLSearchParams): Promise<{ status: number; body: unknown; link?: string } | null> {
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
      return {
        status: 200,
        ...this.paginate(
          path,
          q,
          team.members.map((u) => userJson(this.url, u)),
        ),
      };
    }
    m = path.match(/^\/repos\/([^/]+\/[^/]+)(\/.*)?$/);
    if (!m) return null;
    const full = m[1]!;
    const repo = this.repos.get(full);
    if (!repo) return null;
    const rest = m[2] ?? '';
    const source = this.source(repo);
    const emptyRepo = { status: 409, body: { message: 'Git Repository is empty.', documentation_url: DOCS, status: '409' } };
    if (rest === '') {
      const branch = await source.defaultBranch();
      return { status: 200, body: this.repoJson(full, branch) };
    }
    m = rest.match(/^\/branches\/(.+)$/);
    if (m) {
      const branch = decodeURIComponent(m[1]!);
      const head = repo.empty ? null : await source.branchHead(branch);
      if (!head) return { status: 404, body: { message: 'Branch not found', documentation_url: DOCS, status: '404' } };
      return {
        status: 200,
        body: {
          name: branch,
          commit: await this.commitJson(full, repo, (await source.detail(head))!),
          _links: { self: `${this.url}/repos/${full}/branches/${branch}`, html: `https://github.com/${full}/tree/${branch}` },
          protected: false,
        },
      };
    }
    if (rest === '/commits') {
      if (repo.empty) return emptyRepo;
      const head = await source.resolve(q.get('sha') ?? (await source.defaultBranch()));
      if (!head) return { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } };
      const shas = await source.list(head, q.get('since') ?? undefined);
      const { body, link } = this.paginate(path, q, shas);
      return { status: 200, link, body: await Promise.all(body.map(async (sha) => this.commitJson(full, repo, (await source.detail(sha))!))) };
    }
    m = rest.match(/^\/compare\/([^.]+)\.\.\.(.+)$/);
    if (m) {
      // GitHub's three-dot compare: commits reachable from head and not from the merge base,
      // oldest first, paginated with per_page/page (files are listed on the first page only).
      const [base, head] = [await source.resolve(decodeURIComponent(m[1]!)), await source.resolve(decodeURIComponent(m[2]!))];
      if (!base || !head) return { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } };
      const mergeBase = await source.mergeBase(base, head);
      const ahead = mergeBase ? await source.range(mergeBase, head) : await source.list(head).then((l) => l.reverse());
      const behind = mergeBase ? await source.range(mergeBase, base) : await source.list(base);
      const status = ahead.length === 0 && behind.length === 0 ? 'identical' : behind.length === 0 ? 'ahead' : ahead.length === 0 ? 'behind' : 'diverged';
      const { body, link } = this.paginate(path, q, ahead, 250);
      const json = (sha: string) => source.detail(sha).then((d) => this.commitJson(full, repo, d!));
      return {
        status: 200,
        link,
        body: {
          url: `${this.url}/repos/${full}/compare/${base}...${head}`,
          html_url: `https://github.com/${full}/compare/${base}...${head}`,
          permalink_url: `https://github.com/${full}/compare/${base.slice(0, 7)}...${head.slice(0, 7)}`,
          diff_url: `https://github.com/${full}/compare/${base}...${head}.diff`,
          patch_url: `https://github.com/${full}/compare/${base}...${head}.patch`,
          base_commit: await json(base),
          merge_base_commit: mergeBase ? await json(mergeBase) : null,
          status,
          ahead_by: ahead.length,
          behind_by: behind.length,
          total_commits: ahead.length,
          commits: await Promise.all(body.map(json)),
          files: [],
        },
      };
    }
    m = rest.match(/^\/commits\/([0-9a-f]{40})$/);
    if (m) {
      const c = await source.detail(m[1]!);
      if (!c) return { status: 422, body: { message: `No commit found for SHA: ${m[1]}`, documentation_url: DOCS, status: '422' } };
      // GitHub pages a commit's files 300 at a time (max 3000) via Link headers.
      const page = Math.max(1, Number(q.get('page') ?? 1));
      const perPage = 300;
      const last = Math.max(1, Math.ceil(c.files.length / perPage));
      const files = c.files.slice((page - 1) * perPage, page * perPage).map((f) => ({
        sha: createHash('sha1').update(f.filename).digest('hex'),
        filename: f.filename,
        status: f.status,
        additions: f.additions,
        deletions: f.deletions,
        changes: f.additions + f.deletions,
        blob_url: `https://github.com/${full}/blob/${c.sha}/${f.filename}`,
        ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}),
        patch: '@@ -1 +1 @@',
      }));
      const additions = c.files.reduce((s, f) => s + f.additions, 0);
      const deletions = c.files.reduce((s, f) => s + f.deletions, 0);
      const nq = (p: number) => `<${this.url}${path}?page=${p}>`;
      const link = page < last ? `${nq(page + 1)}; rel="next", ${nq(last)}; rel="last"` : undefined;
      return { status: 200, link, body: { ...(await this.commitJson(full, repo, c)), stats: { total: additions + deletions, additions, deletions }, files } };
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

  /** The GitHub account a commit's author (or committer) email is linked to, as GitHub shows it. */
  private linkedUser(repo: StandInRepo, c: CommitRecord, role: 'author' | 'committer'): StandInUser | null {
    if (!repo.git) return role === 'author' ? (repo.commits.find((x) => x.sha === c.sha)?.author ?? null) : { id: 19864447, login: 'web-flow' };
    return this.emails.get((role === 'author' ? c.authorEmail : c.committerEmail).toLowerCase()) ?? null;
  }

  private repoJson(full: string, defaultBranch: string) {
    const [owner, name] = full.split('/');
    const id = parseInt(createHash('sha1').update(full).digest('hex').slice(0, 7), 16);
    return {
      id,
      node_id: `R_${id}`,
      name,
      full_name: full,
      private: false,
      owner: userJson(this.url, { id: id + 1, login: owner! }),
      html_url: `https://github.com/${full}`,
      description: null,
      fork: false,
      url: `${this.url}/repos/${full}`,
      default_branch: defaultBranch,
      created_at: '2020-01-01T00:00:00Z',
      updated_at: '2026-10-01T00:00:00Z',
      pushed_at: '2026-10-01T00:00:00Z',
      size: 1024,
    };
  }

  private async commitJson(full: string, repo: StandInRepo, c: CommitRecord) {
    const author = this.linkedUser(repo, c, 'author');
    const committer = this.linkedUser(repo, c, 'committer');
    return {
      sha: c.sha,
      node_id: `C_${c.sha.slice(0, 12)}`,
      commit: {
        author: { name: c.authorName, email: c.authorEmail, date: c.authorDate },
        committer: { name: c.committerName, email: c.committerEmail, date: c.committerDate },
        message: c.message,
        tree: { sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e', url: `${this.url}/repos/${full}/git/trees/6dcb09b` },
        comment_count: 0,
        verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
      },
      url: `${this.url}/repos/${full}/commits/${c.sha}`,
      html_url: `https://github.com/${full}/commit/${c.sha}`,
      author: author ? userJson(this.url, author) : null,
      committer: committer ? userJson(this.url, committer) : null,
      parents: c.parents.map((sha) => ({ sha, url: `${this.url}/repos/${full}/commits/${sha}`, html_url: `https://github.com/${full}/commit/${sha}` })),
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
