// A GitHub REST stand-in for the offline demo and the tests (not used in production paths).
import { spawn } from 'node:child_process';
import { createHash, randomBytes, verify, type KeyObject } from 'node:crypto';
import { basename, dirname } from 'node:path';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { GitCommitSource, MemoryCommitSource, type CommitSource, type CommitSummary } from './commit-source.js';
import type { StandInPull, StandInRepo, StandInTeam, StandInUser } from './github-fixture-types.js';
import { checkQuery, loadSchema, runQuery } from './github-graphql.js';
import { deploymentRoute } from './github-deployments.js';
import { issueJson, userJson } from './github-json.js';

export { userJson };
import { closeLocal, listenLocal, readBody } from './local-server.js';

/**
 * A GitHub REST stand-in on 127.0.0.1 speaking the real wire protocol: JSON shapes from
 * docs.github.com/rest, Link pagination, weak ETags with If-None-Match → 304 (not counted against
 * the rate limit, as on GitHub), x-ratelimit-* headers on every answer, 403 when the budget is
 * exhausted, and scripted faults (5xx, secondary rate limits with Retry-After, …).
 */

export type { StandInCommit, StandInFile, StandInPull, StandInRepo, StandInReview, StandInTeam, StandInUser } from './github-fixture-types.js';

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
  /** The GraphQL budget, in points: GitHub keeps it apart from the REST one. */
  graphqlRate = { limit: 5000, remaining: 5000, reset: Math.floor(Date.now() / 1000) + 3600, window: 3600 };
  /** The points each answered GraphQL query cost, in order. */
  readonly graphqlCosts: number[] = [];
  /** The GraphQL queries answered (their budget taken), in order. */
  readonly graphqlQueries: { query: string; variables: Record<string, unknown> }[] = [];
  token = 'ghp_standin_token';
  /**
   * A GitHub App, when a test installs one: its id, the public key its JWTs are verified with, and
   * its installations by account login (lower-case). Installation tokens are then accepted beside
   * `token`, each installation with a REST budget of its own (`installationRates`), as on GitHub.
   */
  app?: { id: number; publicKey: KeyObject | string; installations: Map<string, number> };
  /** Installation tokens issued: token → installation and expiry (ms). */
  readonly installationTokens = new Map<string, { installationId: number; expiresAt: number }>();
  /** How long an installation token lives (GitHub: an hour). */
  installationTokenSeconds = 3600;
  readonly installationRates = new Map<number, { limit: number; remaining: number; reset: number; window: number }>();
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
    // Scripted faults apply to git's requests too ("GET /owner/name.git/info/refs").
    const fault = this.faults.find((f) => f.times > 0 && f.match.test(`${req.method} ${u.pathname}`));
    if (fault) {
      fault.times -= 1;
      done(fault.status);
      res.writeHead(fault.status, { 'content-type': 'text/plain' });
      return void res.end('Server Error');
    }
    const basic = /^Basic (.+)$/.exec(auth ?? '');
    const password = basic ? Buffer.from(basic[1]!, 'base64').toString().split(':').slice(1).join(':') : null;
    if (this.token && !this.credentialOf(password ?? undefined)) {
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
    // The CGI answer: its header lines up to the first empty line, then the body, streamed on as git
    // writes it (a pack is sent while it is made, as GitHub sends it).
    let head: Buffer | null = Buffer.alloc(0);
    const answer = (header: Buffer) => {
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of header.toString().split('\r\n')) {
        const i = line.indexOf(':');
        const name = line.slice(0, i).trim().toLowerCase();
        const value = line.slice(i + 1).trim();
        if (name === 'status') status = Number(value.split(' ')[0]);
        else if (name) headers[name] = value;
      }
      done(status);
      res.writeHead(status, headers);
    };
    child.stdout.on('data', (c: Buffer) => {
      let body = c;
      if (head !== null) {
        head = Buffer.concat([head, c]);
        const split = head.indexOf('\r\n\r\n');
        if (split < 0) return;
        answer(head.subarray(0, split));
        body = head.subarray(split + 4);
        head = null;
      }
      if (!res.write(body)) {
        child.stdout.pause();
        res.once('drain', () => child.stdout.resume());
      }
    });
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', () => resolve());
    });
    if (head !== null) answer(head);
    res.end();
  }

  /** Requests that counted against the rate limit (everything but 304s), optionally filtered. */
  counted(filter?: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.status !== 304 && (!filter || filter.test(`${r.method} ${r.path}`)));
  }

  /** Forget the requests (and GraphQL queries) recorded so far. */
  reset(): void {
    this.requests.length = 0;
    this.graphqlQueries.length = 0;
  }

  fail(fault: Fault): void {
    this.faults.push(fault);
  }

  /** Whose a token is: the personal token, or a live installation token (an expired one is no one's). */
  private credentialOf(token: string | undefined): { installationId?: number } | null {
    if (!token) return null;
    if (token === this.token) return {};
    const issued = this.installationTokens.get(token);
    return issued && issued.expiresAt > Date.now() ? { installationId: issued.installationId } : null;
  }

  private installationRate(id: number) {
    let rate = this.installationRates.get(id);
    if (!rate) this.installationRates.set(id, (rate = { limit: 5000, remaining: 5000, reset: Math.floor(Date.now() / 1000) + 3600, window: 3600 }));
    return rate;
  }

  /**
   * What a GitHub App does with its JWT (RS256, signed with the App's private key, `iss` = the App id,
   * at most 10 minutes long): create an installation access token, and find the installation of an
   * organization or user. Answers and messages as docs.github.com/rest/apps/apps gives them.
   */
  private answerApp(method: string, path: string, authorization: string | undefined, send: (status: number, body: unknown) => void): void {
    const app = this.app!;
    const refused = this.jwtProblem(authorization);
    if (refused) return send(401, { message: refused, documentation_url: `${DOCS}/apps/apps`, status: '401' });
    const notFound = () => send(404, { message: 'Not Found', documentation_url: `${DOCS}/apps/apps`, status: '404' });
    const tokenFor = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (tokenFor) {
      const id = Number(tokenFor[1]);
      if (method !== 'POST' || ![...app.installations.values()].includes(id)) return notFound();
      const token = `ghs_${randomBytes(18).toString('hex')}`;
      const expiresAt = Date.now() + this.installationTokenSeconds * 1000;
      this.installationTokens.set(token, { installationId: id, expiresAt });
      return send(201, {
        token,
        expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        permissions: { contents: 'read', metadata: 'read', pull_requests: 'read', members: 'read' },
        repository_selection: 'all',
      });
    }
    const [, kind, login] = /^\/(orgs|users)\/([^/]+)\/installation$/.exec(path)!;
    const id = app.installations.get(login!.toLowerCase());
    if (method !== 'GET' || id === undefined) return notFound();
    send(200, {
      id,
      account: { login: login!, id: id + 1_000_000, type: kind === 'orgs' ? 'Organization' : 'User' },
      app_id: app.id,
      target_type: kind === 'orgs' ? 'Organization' : 'User',
      repository_selection: 'all',
      permissions: { contents: 'read', metadata: 'read', pull_requests: 'read', members: 'read' },
      events: [],
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
    });
  }

  /** Why GitHub would refuse this App JWT, or null when it is good. */
  private jwtProblem(authorization: string | undefined): string | null {
    const undecodable = 'A JSON web token could not be decoded';
    const jwt = /^bearer (.+)$/i.exec(authorization ?? '')?.[1];
    const [head, body, signature] = jwt?.split('.') ?? [];
    if (!head || !body || !signature) return undecodable;
    try {
      if ((JSON.parse(Buffer.from(head, 'base64url').toString()) as { alg?: string }).alg !== 'RS256') return undecodable;
      if (!verify('RSA-SHA256', Buffer.from(`${head}.${body}`), this.app!.publicKey, Buffer.from(signature, 'base64url'))) return undecodable;
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as { iss?: unknown; iat?: number; exp?: number };
      const now = Date.now() / 1000;
      if (String(claims.iss) !== String(this.app!.id)) return 'Integration not found';
      if (typeof claims.exp !== 'number' || claims.exp <= now)
        return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.";
      if (typeof claims.iat !== 'number' || claims.iat > now + 60 || claims.exp - claims.iat > 600)
        return "'Expiration time' claim ('exp') is too far in the future.";
      return null;
    } catch {
      return undecodable;
    }
  }

  private rateHeaders(resource: 'core' | 'graphql' = 'core', core = this.rate): Record<string, string> {
    const rate = resource === 'core' ? core : this.graphqlRate;
    return {
      'x-ratelimit-limit': String(rate.limit),
      'x-ratelimit-remaining': String(rate.remaining),
      'x-ratelimit-reset': String(rate.reset),
      'x-ratelimit-used': String(rate.limit - rate.remaining),
      'x-ratelimit-resource': resource,
    };
  }

  /**
   * POST /graphql: the query is checked against GitHub's schema and rules (github-graphql.ts), costs
   * its points from the GraphQL budget, and is answered with `data` and/or `errors` as GitHub does
   * (200 for query errors; RATE_LIMITED once the points are spent, with x-ratelimit-remaining: 0).
   */
  private async graphql(req: IncomingMessage, send: (status: number, body: unknown, headers?: Record<string, string>) => void): Promise<void> {
    const nowSec = Date.now() / 1000;
    const rate = this.graphqlRate;
    if (nowSec >= rate.reset) Object.assign(rate, { remaining: rate.limit, reset: Math.ceil(nowSec) + rate.window });
    let body: { query?: unknown; variables?: Record<string, unknown> };
    try {
      body = JSON.parse((await readBody(req)).toString() || '{}') as typeof body;
    } catch {
      return send(400, { message: 'Problems parsing JSON', documentation_url: `${DOCS}/graphql` });
    }
    if (typeof body.query !== 'string')
      return send(200, { errors: [{ message: 'A query attribute must be specified and must be a string.' }] }, this.rateHeaders('graphql'));
    const variables = body.variables ?? {};
    await loadSchema();
    const checked = checkQuery(body.query, variables);
    if (!('document' in checked)) return send(200, checked, this.rateHeaders('graphql'));
    if (rate.remaining < checked.cost) {
      return send(
        200,
        { errors: [{ type: 'RATE_LIMITED', code: 'graphql_rate_limit', message: 'API rate limit already exceeded for user ID 1.' }] },
        this.rateHeaders('graphql'),
      );
    }
    rate.remaining -= checked.cost;
    this.graphqlCosts.push(checked.cost);
    this.graphqlQueries.push({ query: body.query, variables });
    const limits = {
      cost: checked.cost,
      limit: rate.limit,
      remaining: rate.remaining,
      used: rate.limit - rate.remaining,
      nodeCount: checked.nodes,
      resetAt: new Date(rate.reset * 1000).toISOString(),
    };
    const answer = await runQuery(
      checked.document,
      variables,
      {
        repos: this.repos,
        avatar: (u) => userJson(this.url, u).avatar_url,
        commits: async (repo, shas) =>
          shas.length ? (await this.source(repo).summaries(shas)).map((c) => ({ sha: c.sha, authorDate: c.authorDate, committerDate: c.committerDate })) : [],
        commitsByOid: async (repo, oids) => {
          const source = this.source(repo);
          const existing = await source.existing(oids);
          const summaries = new Map((await source.summaries(existing)).map((c) => [c.sha, c]));
          return oids.map((oid) => {
            const c = summaries.get(oid);
            return c
              ? {
                  sha: c.sha,
                  message: c.message,
                  author: { name: c.authorName, email: c.authorEmail, date: c.authorDate, user: this.linkedUser(repo, c, 'author') },
                  committer: { name: c.committerName, email: c.committerEmail, date: c.committerDate, user: this.linkedUser(repo, c, 'committer') },
                }
              : null;
          });
        },
      },
      limits,
    );
    return send(200, answer, this.rateHeaders('graphql'));
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
    const credential = this.credentialOf(/^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1]);
    // The budget spent and reported: the request's installation's, else the token's.
    const rate = credential?.installationId ? this.installationRate(credential.installationId) : this.rate;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record(status);
      const json = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...this.rateHeaders('core', rate), ...headers });
      res.end(json);
    };

    const appRoute = this.app && /^\/app\/installations\/\d+\/access_tokens$|^\/(orgs|users)\/[^/]+\/installation$/.test(path);
    if (appRoute) return this.answerApp(method, path, req.headers.authorization, send);
    if (this.token && !credential) {
      return send(401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
    }
    const nowSec = Date.now() / 1000;
    if (nowSec >= rate.reset) Object.assign(rate, { remaining: rate.limit, reset: Math.ceil(nowSec) + rate.window });
    const fault = this.faults.find((f) => f.times > 0 && f.match.test(`${method} ${path}${u.search}`));
    if (fault) {
      fault.times -= 1;
      if (fault.status !== 304) rate.remaining = Math.max(0, rate.remaining - 1);
      return send(fault.status, fault.body ?? { message: 'Server Error' }, fault.headers);
    }
    if (path === '/graphql' && method === 'POST') return this.graphql(req, send);
    if (rate.remaining <= 0) {
      return send(403, {
        message: "API rate limit exceeded for user ID 1. (But here's the good news: Authenticated requests get a higher rate limit.)",
        documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`,
      });
    }
    // The request's share of the budget is taken as it is admitted, before the answer is computed:
    // requests arriving meanwhile see it spent (taken after, several admitted on the last unit would
    // have driven the budget below zero). A free answer gives it back.
    rate.remaining -= 1;
    const refund = () => (rate.remaining = Math.min(rate.limit, rate.remaining + 1));

    const route = await this.route(method, path, u.searchParams);
    if (!route) return send(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
    const json = JSON.stringify(route.body);
    const etag = `W/"${createHash('sha1').update(json).digest('hex')}"`;
    const headers: Record<string, string> = { etag, ...(route.link ? { link: route.link } : {}) };
    if (route.status === 200 && req.headers['if-none-match'] === etag) {
      // 304s are free on GitHub: the budget is not decremented.
      refund();
      record(304, true);
      res.writeHead(304, { ...this.rateHeaders('core', rate), etag });
      return void res.end();
    }
    if (route.status >= 300 && route.status < 400) refund();
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
      // The pages around this one will be asked for: their summaries read 20 pages at a time, not two git calls a page.
      const perPage = Math.min(100, Number(q.get('per_page') ?? 30));
      const window = 20 * perPage;
      const from = Math.floor(((Math.max(1, Number(q.get('page') ?? 1)) - 1) * perPage) / window) * window;
      await source.summaries(shas.slice(from, from + window));
      const { body, link } = this.paginate(path, q, shas);
      return { status: 200, link, body: await Promise.all((await source.summaries(body)).map((c) => this.commitJson(full, repo, c))) };
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
      const page = await source.summaries(body);
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
          commits: await Promise.all(page.map((c) => this.commitJson(full, repo, c))),
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
    const delivery = deploymentRoute(this.url, full, repo, rest, q, (items) => this.paginate(path, q, items));
    if (delivery) return delivery;
    if (rest === '/issues') {
      // Issues and pull requests alike (a pull request marked by `pull_request`), filtered and sorted as GitHub documents.
      const state = q.get('state') ?? 'open';
      const since = q.get('since');
      const key = q.get('sort') === 'updated' ? 'updated_at' : 'created_at';
      const items = [
        ...(repo.issues ?? []).map((i) => ({ row: i, json: issueJson(this.url, full, i) as Record<string, unknown> })),
        ...repo.pulls.map((p) => ({
          row: p,
          json: { ...this.pullJson(full, p, false), id: 900_000_000 + p.id, pull_request: { url: `${this.url}/repos/${full}/pulls/${p.number}` } } as Record<
            string,
            unknown
          >,
        })),
      ]
        .filter(({ row }) => (state === 'all' || row.state === state) && (!since || row.updated_at >= since))
        .sort((a, b) => a.row[key].localeCompare(b.row[key]) || a.row.number - b.row.number);
      if (q.get('direction') !== 'asc') items.reverse();
      return {
        status: 200,
        ...this.paginate(
          path,
          q,
          items.map((i) => i.json),
        ),
      };
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
  private linkedUser(repo: StandInRepo, c: CommitSummary, role: 'author' | 'committer'): StandInUser | null {
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

  private async commitJson(full: string, repo: StandInRepo, c: CommitSummary) {
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
