import { sign } from '@octokit/webhooks-methods';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { connect } from 'node:net';
import { registerGitHubWebhooks } from '../src/github/webhooks/receiver.js';
import { buildBoardServer } from '../src/board/server.js';
import { createLogger } from '../src/lib/logger.js';
import { Producer } from '../src/queues/producer.js';
import { producerConnection } from '../src/queues/connection.js';
import { ensureSchedulers, listSchedulers } from '../src/jobs/schedulers.js';
import { useTestWorld } from './hooks.js';
import { REDIS_URL } from './helpers/redis.js';
import { freePort } from './helpers/private-redis.js';
import { runCliProcess } from './helpers/spawn.js';

const SECRET = 'whsec-0123456789abcdef';
const ORG = '2b2b2b2b-3c3c-4d4d-8e5e-6f6f6f6f6f6f';
const OTHER_ORG = '9c9c9c9c-8d8d-4e7e-8f6f-5a5a5a5a5a5a';

/** The system's job schedulers, by id. */
const SCHEDULER_IDS = [
  'agreement.evaluate',
  'developer.follow-up',
  'export.cleanup',
  'github.sync-all',
  'insight.refresh',
  'report.reconcile',
  'retention.prune',
  'slack.map-users',
  'slack.sync-failure-digest',
  'slack.weekly-team-summary',
];

describe('GitHub webhooks, schedulers and the sync CLI', () => {
  const w = useTestWorld({ settings: { BOARD_AUTH_DISABLED: 'true', GITHUB_WEBHOOK_SECRET: SECRET } });
  let app: FastifyInstance;
  let producer: Producer;

  beforeAll(async () => {
    await w.rows.trackedRepository({ fullName: 'acme/api', organizationId: null });
    app = await buildBoardServer({ config: w.config, orm: w.db.orm, log: createLogger('silent') });
    producer = new Producer({ redisUrl: REDIS_URL, prefix: w.config.QUEUE_PREFIX });
  });
  afterAll(async () => {
    await app?.close();
    await producer?.close();
  });

  async function deliver(event: string, payload: unknown, signature?: string | null, to: FastifyInstance = app) {
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': crypto.randomUUID() };
    const sig = signature === undefined ? await sign(SECRET, body) : signature;
    if (sig) headers['x-hub-signature-256'] = sig;
    return to.inject({ method: 'POST', url: '/webhooks/github', headers, payload: body });
  }

  const push = {
    ref: 'refs/heads/main',
    after: 'a'.repeat(40),
    repository: { id: 1, full_name: 'acme/api', name: 'api' },
    sender: { login: 'alice', id: 1001 },
  };

  it('rejects deliveries without a valid X-Hub-Signature-256', async () => {
    expect((await deliver('push', push, null)).statusCode).toBe(401);
    expect((await deliver('push', push, 'sha256=' + '0'.repeat(64))).statusCode).toBe(401);
    expect((await deliver('push', push, await sign('another-secret-xxxxxx', JSON.stringify(push)))).statusCode).toBe(401);
    expect(await producer.queue('github-sync').getJobCountByTypes('waiting', 'prioritized')).toBe(0);
  });

  it('answers pings and ignores events it does not use or repositories it does not track', async () => {
    expect((await deliver('ping', { zen: 'Keep it logically awesome.', hook_id: 1 })).statusCode).toBe(200);
    const star = await deliver('star', push);
    expect(star.statusCode).toBe(202);
    expect(star.json()).toEqual({ ignored: 'event star' });
    for (const event of ['constructor', '__proto__', 'toString']) {
      const odd = await deliver(event, push);
      expect(odd.statusCode).toBe(202);
      expect(odd.json()).toEqual({ ignored: `event ${event}` });
    }
    const other = await deliver('push', { ...push, repository: { id: 2, full_name: 'evil/repo', name: 'repo' } });
    expect(other.json()).toEqual({ ignored: 'repository evil/repo is not tracked' });
    expect(await producer.queue('github-sync').getJobCountByTypes('waiting', 'prioritized')).toBe(0);
  });

  it('push, pull_request, deployment and workflow_run events queue incremental syncs, deduplicated per repository and stream', async () => {
    const first = await deliver('push', push);
    expect(first.statusCode).toBe(202);
    expect(first.json()).toMatchObject({ repository: 'acme/api', streams: ['commits'] });
    // A burst of pushes (each its own payload: another head) collapses into one pending sync.
    for (let i = 0; i < 4; i++) expect((await deliver('push', { ...push, after: String(i).repeat(40) })).statusCode).toBe(202);
    const pr = await deliver('pull_request', { action: 'opened', number: 7, repository: push.repository });
    expect(pr.json()).toMatchObject({ streams: ['pulls'] });
    await deliver('pull_request_review', { action: 'submitted', repository: push.repository });
    // A deployment, its status and a workflow run: one pending sync of the repository's deployments.
    const deployed = await deliver('deployment_status', { action: 'created', deployment_status: { state: 'success' }, repository: push.repository });
    expect(deployed.json()).toMatchObject({ repository: 'acme/api', streams: ['deployments'] });
    await deliver('deployment', { action: 'created', repository: push.repository });
    await deliver('workflow_run', { action: 'completed', repository: push.repository });
    // An issue and a comment on one: one pending sync of its issues.
    expect((await deliver('issues', { action: 'opened', repository: push.repository })).json()).toMatchObject({ streams: ['issues'] });
    await deliver('issue_comment', { action: 'created', repository: push.repository });

    const waiting = await producer.queue('github-sync').getJobs(['waiting', 'prioritized']);
    expect(waiting.map((j) => [j.name, j.data]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      ['github.sync-repo', { repository: 'acme/api', streams: ['commits'] }],
      ['github.sync-repo', { repository: 'acme/api', streams: ['deployments'] }],
      ['github.sync-repo', { repository: 'acme/api', streams: ['issues'] }],
      ['github.sync-repo', { repository: 'acme/api', streams: ['pulls'] }],
    ]);
  });

  it('installation and repository events of a linked GitHub account track (and sync) or stop tracking its repositories for that organization', async () => {
    await w.rows.insert('github_organization_links', { github_login: 'globex', organization_id: ORG });
    await w.rows.trackedRepository({ fullName: 'other/shared', organizationId: OTHER_ORG });
    const installation = { id: 42, account: { login: 'Globex', id: 7, type: 'Organization' } };
    const added = await deliver('installation_repositories', {
      action: 'added',
      installation,
      repository_selection: 'selected',
      repositories_added: [
        { id: 1, name: 'billing', full_name: 'Globex/billing', private: true },
        { id: 2, name: 'shared', full_name: 'other/shared', private: false },
      ],
      repositories_removed: [],
    });
    expect(added.statusCode).toBe(202);
    expect(added.json()).toMatchObject({
      organizationId: ORG,
      tracked: [{ repository: 'Globex/billing', jobId: expect.any(String) }],
      untracked: [],
      refused: [{ repository: 'other/shared', reason: `other/shared is tracked by organization ${OTHER_ORG}; a repository belongs to one organization` }],
    });
    const rows = async () =>
      (
        await w.db.sql.query(
          `SELECT full_name, organization_id, is_active FROM tracked_repositories WHERE full_name IN ('Globex/billing', 'other/shared') ORDER BY 1`,
        )
      ).rows;
    expect(await rows()).toEqual([
      { full_name: 'Globex/billing', organization_id: ORG, is_active: true },
      { full_name: 'other/shared', organization_id: OTHER_ORG, is_active: true },
    ]);
    const queued = (await producer.queue('github-sync').getJobs(['waiting', 'prioritized', 'delayed'])).filter((j) => j.data.repository === 'Globex/billing');
    expect(queued.map((j) => j.name)).toEqual(['github.sync-repo']);
    // Archived → no longer tracked (rows stay); unarchived → tracked again.
    const archived = await deliver('repository', { action: 'archived', repository: { id: 1, full_name: 'Globex/billing', owner: { login: 'Globex' } } });
    expect(archived.json()).toMatchObject({ untracked: ['Globex/billing'] });
    expect((await rows())[0]).toMatchObject({ is_active: false });
    await deliver('repository', { action: 'unarchived', repository: { id: 1, full_name: 'Globex/billing', owner: { login: 'Globex' } } });
    expect((await rows())[0]).toMatchObject({ is_active: true, organization_id: ORG });
    // Removed from the installation → no longer tracked; an account linked to nobody changes nothing.
    const removed = await deliver('installation_repositories', {
      action: 'removed',
      installation,
      repositories_added: [],
      repositories_removed: [{ id: 1, name: 'billing', full_name: 'Globex/billing' }],
    });
    expect(removed.json()).toMatchObject({ untracked: ['Globex/billing'] });
    const stranger = await deliver('installation', {
      action: 'created',
      installation: { id: 43, account: { login: 'initech' } },
      repositories: [{ id: 9, full_name: 'initech/tps' }],
    });
    expect(stranger.json()).toEqual({ ignored: 'GitHub account initech is linked to no organization (aexy github link initech --organization <uuid>)' });
    expect((await w.db.sql.query(`SELECT count(*)::int AS n FROM tracked_repositories WHERE full_name = 'initech/tps'`)).rows[0].n).toBe(0);
    // The App's installation is recorded all the same (the sync need not look it up), and forgotten when deleted.
    const installations = async () => (await w.db.sql.query(`SELECT account_login, app_id::int, installation_id::int FROM github_app_installations`)).rows;
    await deliver('installation', { action: 'created', installation: { id: 44, app_id: 424242, account: { login: 'Hooli' } } });
    expect(await installations()).toEqual([{ account_login: 'hooli', app_id: 424242, installation_id: 44 }]);
    await deliver('installation', { action: 'deleted', installation: { id: 44, app_id: 424242, account: { login: 'Hooli' } } });
    expect(await installations()).toEqual([]);
    expect((await deliver('installation_repositories', { action: 'added', installation: {} })).statusCode).toBe(400);
  });

  it('installation events of another GitHub App change nothing: not our installation row, not our tracking', async () => {
    // The receiver as the board registers it when GITHUB_APP_ID is configured.
    const withApp = Fastify();
    const redis = producerConnection(REDIS_URL);
    await new Promise((resolve) => redis.once('ready', resolve));
    await registerGitHubWebhooks(withApp, {
      secret: SECRET,
      appId: '515151',
      producer,
      redis,
      prefix: w.config.QUEUE_PREFIX,
      em: () => w.db.orm.em.fork(),
      log: createLogger('silent'),
    });
    try {
      await w.rows.insert('github_organization_links', { github_login: 'umbrella', organization_id: ORG });
      const rows = async () =>
        (
          await w.db.sql.query(
            `SELECT app_id::int, account_login, installation_id::int FROM github_app_installations WHERE account_login = 'umbrella' ORDER BY 1`,
          )
        ).rows;
      const tracked = async () =>
        (await w.db.sql.query(`SELECT full_name, is_active FROM tracked_repositories WHERE full_name LIKE 'Umbrella/%' ORDER BY 1`)).rows;
      const ourInstall = { id: 61, app_id: 515151, account: { login: 'Umbrella' } };
      const theirs = { id: 62, app_id: 999, account: { login: 'Umbrella' } };
      const first = await deliver(
        'installation',
        { action: 'created', installation: ourInstall, repositories: [{ full_name: 'Umbrella/core' }] },
        undefined,
        withApp,
      );
      expect(first.json()).toMatchObject({ tracked: [{ repository: 'Umbrella/core' }] });
      expect(await rows()).toEqual([{ app_id: 515151, account_login: 'umbrella', installation_id: 61 }]);
      expect(await tracked()).toEqual([{ full_name: 'Umbrella/core', is_active: true }]);
      // Another App installed on (or removed from) the same account: ignored, with the reason.
      const created = await deliver(
        'installation',
        { action: 'created', installation: theirs, repositories: [{ full_name: 'Umbrella/other' }] },
        undefined,
        withApp,
      );
      expect(created.json()).toEqual({ ignored: 'an installation of another GitHub App (app_id 999)' });
      const removed = await deliver(
        'installation_repositories',
        { action: 'removed', installation: theirs, repositories_added: [], repositories_removed: [{ full_name: 'Umbrella/core' }] },
        undefined,
        withApp,
      );
      expect(removed.json()).toEqual({ ignored: 'an installation of another GitHub App (app_id 999)' });
      await deliver('installation', { action: 'deleted', installation: theirs }, undefined, withApp);
      expect(await rows()).toEqual([{ app_id: 515151, account_login: 'umbrella', installation_id: 61 }]);
      expect(await tracked()).toEqual([{ full_name: 'Umbrella/core', is_active: true }]);
      // Ours removed: acted on.
      const ours2 = await deliver(
        'installation_repositories',
        { action: 'removed', installation: ourInstall, repositories_added: [], repositories_removed: [{ full_name: 'Umbrella/core' }] },
        undefined,
        withApp,
      );
      expect(ours2.json()).toMatchObject({ untracked: ['Umbrella/core'] });
    } finally {
      await withApp.close();
      redis.disconnect();
    }
  });

  it('a malformed payload with a valid signature is a 400, not a crash', async () => {
    const res = await deliver('push', { no: 'repository' });
    expect(res.statusCode).toBe(400);
  });

  it('the periodic jobs are one BullMQ job scheduler each, however many workers declare them', async () => {
    // A scheduler an older version made under a job's former name is replaced, not kept beside it.
    await producer.queue('reports').upsertJobScheduler('reports.reconcile', { every: 300_000 }, { name: 'reports.reconcile', data: {} });
    await ensureSchedulers(producer, w.config);
    const list = await ensureSchedulers(producer, { ...w.config, GITHUB_SYNC_EVERY_MINUTES: 30 });
    expect(list.map((s) => s.id).sort()).toEqual(SCHEDULER_IDS);
    const sync = list.find((s) => s.id === 'github.sync-all')!;
    expect(sync).toMatchObject({ queue: 'github-sync', job: 'github.sync-all', every: 30 * 60_000 });
    expect(sync.next).toBeGreaterThan(Date.now() - 1000);
    expect(list.find((s) => s.id === 'export.cleanup')).toMatchObject({ queue: 'exports', job: 'export.cleanup', every: 15 * 60_000 });
    expect(list.find((s) => s.id === 'slack.weekly-team-summary')).toMatchObject({ queue: 'slack', job: 'slack.fan-out', pattern: '0 9 * * 1' });
    expect(await listSchedulers(producer)).toHaveLength(SCHEDULER_IDS.length);
  });

  it("Redis unreachable: the delivery is answered 503 with Retry-After within GitHub's 10 s, not left hanging", async () => {
    const unreachable = new Producer({ redisUrl: `redis://127.0.0.1:${await freePort()}`, prefix: w.config.QUEUE_PREFIX, readyTimeoutMs: 200 });
    const bare = Fastify();
    const deadRedis = producerConnection(`redis://127.0.0.1:${await freePort()}`);
    deadRedis.on('error', () => {});
    await registerGitHubWebhooks(bare, {
      secret: SECRET,
      producer: unreachable,
      redis: deadRedis,
      prefix: w.config.QUEUE_PREFIX,
      em: () => w.db.orm.em.fork(),
      log: createLogger('silent'),
    });
    try {
      const res = await deliver('push', { ref: 'refs/heads/main', repository: { full_name: 'acme/api' } }, undefined, bare);
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('60');
      expect(res.json().error).toBe('could not queue a sync of acme/api right now; redeliver the event later (the hourly sync will also catch up)');
    } finally {
      await bare.close();
      await unreachable.close();
      deadRedis.disconnect();
    }
  });

  it('refuses cheaply before reading the body; form-encoded deliveries; repository names in any case; replays ignored', async () => {
    const body = JSON.stringify(push);
    const post = (headers: Record<string, string>, payload = body) =>
      app.inject({ method: 'POST', url: '/webhooks/github', headers: { 'content-type': 'application/json', ...headers }, payload });
    const sig = await sign(SECRET, body);
    expect((await post({ 'x-github-event': 'push', 'x-github-delivery': 'd-1', 'x-hub-signature-256': 'sha1=abc' })).statusCode).toBe(401);
    expect((await post({ 'x-github-delivery': 'd-1', 'x-hub-signature-256': sig })).json()).toEqual({ error: 'missing X-GitHub-Event' });
    expect((await post({ 'x-github-event': 'push', 'x-hub-signature-256': sig })).json()).toEqual({ error: 'missing X-GitHub-Delivery' });

    // The syncs deliveries queued (not the job schedulers' next runs, which drain keeps).
    const waiting = async () =>
      (await producer.queue('github-sync').getJobs(['waiting', 'prioritized', 'delayed'])).filter((j) => j.name === 'github.sync-repo').length;
    await producer.queue('github-sync').drain(true);
    // application/x-www-form-urlencoded, the JSON in payload=, signed over the encoded bytes.
    const upper = JSON.stringify({ ...push, repository: { ...push.repository, full_name: 'ACME/Api' } });
    const form = `payload=${encodeURIComponent(upper)}`;
    const delivery = crypto.randomUUID();
    const formHeaders = {
      'content-type': 'application/x-www-form-urlencoded',
      'x-github-event': 'push',
      'x-github-delivery': delivery,
      'x-hub-signature-256': await sign(SECRET, form),
    };
    const first = await app.inject({ method: 'POST', url: '/webhooks/github', headers: formHeaders, payload: form });
    expect(first.statusCode).toBe(202);
    expect(first.json()).toMatchObject({ repository: 'acme/api', streams: ['commits'] });
    expect(await waiting()).toBe(1);
    // The same delivery again (GitHub's "redeliver", or a captured request replayed): acted on once.
    const replay = await app.inject({ method: 'POST', url: '/webhooks/github', headers: formHeaders, payload: form });
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual({ ignored: `delivery ${delivery} was already processed` });
    // The captured body under a new delivery id (the header is not signed, the body is): still once.
    const renamed = await app.inject({
      method: 'POST',
      url: '/webhooks/github',
      headers: { ...formHeaders, 'x-github-delivery': crypto.randomUUID() },
      payload: form,
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toEqual({ ignored: 'this payload (under another delivery id) was already processed' });
    expect(await waiting()).toBe(1);
    await producer.queue('github-sync').drain(true);
  });

  it('caps deliveries in flight: the excess is answered 503 with Retry-After before its body is read', async () => {
    const capped = Fastify();
    const redis = producerConnection(REDIS_URL);
    await new Promise((resolve) => redis.once('ready', resolve));
    await registerGitHubWebhooks(capped, {
      secret: SECRET,
      producer,
      redis,
      prefix: w.config.QUEUE_PREFIX,
      em: () => w.db.orm.em.fork(),
      log: createLogger('silent'),
      maxConcurrent: 2,
    });
    try {
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => deliver('push', { ...push, after: String(i).padEnd(40, 'c') }, undefined, capped)));
      const codes = answers.map((a) => a.statusCode);
      expect(codes.filter((c) => c === 503).length).toBeGreaterThan(0);
      expect(codes.every((c) => c === 202 || c === 503)).toBe(true);
      const busy = answers.find((a) => a.statusCode === 503)!;
      expect(busy.headers['retry-after']).toBe('5');
      expect(busy.json()).toEqual({ error: 'too many deliveries at once; redeliver later' });
      // Once they are answered, deliveries are accepted again.
      expect((await deliver('push', { ...push, after: '9'.repeat(40) }, undefined, capped)).statusCode).toBe(202);
      // A client that goes away in the middle of its upload gives its place back.
      const address = await capped.listen({ port: 0, host: '127.0.0.1' });
      const { port } = new URL(address);
      for (let i = 0; i < 3; i++) {
        await new Promise<void>((resolve, reject) => {
          const socket = connect(Number(port), '127.0.0.1', () => {
            socket.write(
              `POST /webhooks/github HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n` +
                `X-GitHub-Event: push\r\nX-GitHub-Delivery: abort-${i}\r\nX-Hub-Signature-256: sha256=${'0'.repeat(64)}\r\n\r\n{"partial":`,
            );
            setImmediate(() => socket.destroy());
          });
          socket.on('close', () => resolve());
          socket.on('error', reject);
        });
      }
      const another = (i: number) => ({ ...push, after: String(i).padStart(40, 'e') });
      for (let i = 0; i < 50 && (await deliver('push', another(i), undefined, capped)).statusCode !== 202; i++) await new Promise((r) => setTimeout(r, 20));
      expect((await deliver('push', another(99), undefined, capped)).statusCode).toBe(202);
    } finally {
      await capped.close();
      redis.disconnect();
      await producer.queue('github-sync').drain(true);
    }
  });

  it('CLI: sync repo tracks the repository for its organization and queues its sync; bad names and other organizations are refused', async () => {
    const env = { DATABASE_URL: w.db.url, REDIS_URL, QUEUE_PREFIX: w.config.QUEUE_PREFIX, LOG_LEVEL: 'silent' };
    const noOrg = await runCliProcess(['sync', 'repo', 'acme/web'], env);
    expect(noOrg.code).toBe(1);
    expect(noOrg.stderr).toContain('acme/web belongs to no organization yet: name it with --organization <uuid>');
    const ok = await runCliProcess(['sync', 'repo', 'acme/web', '--organization', ORG], env);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(new RegExp(`tracking acme/web for organization ${ORG}; queued github.sync-repo as job \\d+`));
    expect((await w.db.sql.query(`SELECT is_active, organization_id FROM tracked_repositories WHERE full_name = 'acme/web'`)).rows).toEqual([
      { is_active: true, organization_id: ORG },
    ]);
    // Again, without naming it: the repository's own organization.
    expect((await runCliProcess(['sync', 'repo', 'ACME/web'], env)).stdout).toContain(`tracking acme/web for organization ${ORG}`);
    const stolen = await runCliProcess(['sync', 'repo', 'acme/web', '--organization', OTHER_ORG], env);
    expect(stolen.code).toBe(1);
    expect(stolen.stderr).toContain(`acme/web is tracked by organization ${ORG}; a repository belongs to one organization`);
    const bad = await runCliProcess(['sync', 'repo', 'not a repo', '--organization', ORG], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Invalid payload for job "github.sync-repo": repository: must be "owner/name"');
    const link = await runCliProcess(['github', 'link', 'Acme-Labs', '--organization', ORG], env);
    expect(link.stdout).toContain(`GitHub account Acme-Labs linked to organization ${ORG}`);
    expect((await w.db.sql.query(`SELECT github_login, organization_id FROM github_organization_links`)).rows).toContainEqual({
      github_login: 'acme-labs',
      organization_id: ORG,
    });
    const dev = await runCliProcess(['sync', 'developer', 'octocat'], env);
    expect(dev.stdout).toMatch(/queued github.sync-developer for octocat as job \d+/);
    const status = JSON.parse((await runCliProcess(['status', '--json'], env)).stdout);
    expect(status.schedulers.map((s: { id: string }) => s.id).sort()).toEqual(SCHEDULER_IDS);
  });
});
