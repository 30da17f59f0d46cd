import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { KeyRing } from '../src/crypto/secrets.js';
import { sendEmail } from '../src/reports/delivery/email.js';
import { createGitHubClient } from '../src/github/api/client.js';
import { createLogger } from '../src/lib/logger.js';
import { TransientError } from '../src/errors/index.js';
import { slackFor } from '../src/slack/client.js';
import { Redis } from 'ioredis';
import { useStandIn, useTestWorld } from './hooks.js';
import { randomPrefix, REDIS_URL } from './helpers/redis.js';

/**
 * Every outbound call is bounded: a server that accepts the connection and then says nothing (no
 * SMTP greeting, no HTTP answer) fails the call within its configured timeout instead of holding the
 * job, and its worker's shutdown, for ever.
 */
describe('outbound timeouts against a silent server', () => {
  let port = 0;
  const sockets = new Set<Socket>();
  useStandIn(async () => {
    const silent: Server = createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as { port: number }).port;
    return {
      async stop() {
        for (const s of sockets) s.destroy();
        await new Promise((resolve) => silent.close(resolve));
      },
    };
  });
  const w = useTestWorld({
    settings: () => ({
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      SMTP_TIMEOUT_MS: '300',
      SLACK_API_URL: `http://127.0.0.1:${port}/api/`,
      SLACK_TIMEOUT_MS: '300',
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    }),
  });

  it('SMTP: no greeting within SMTP_TIMEOUT_MS is a transient failure', async () => {
    const sending = sendEmail(w.config, { to: ['lead@example.com'], subject: 's', text: 't', attachments: [] });
    await expect(sending).rejects.toBeInstanceOf(TransientError);
    await expect(sending).rejects.toThrow(/SMTP delivery failed: .*(greeting|timeout)/i);
  });

  it('Slack: a call unanswered within SLACK_TIMEOUT_MS fails, with no retry of its own', async () => {
    const token = new KeyRing(w.config.ENCRYPTION_KEYS!).encrypt('xoxb-silent');
    const integrationId = await w.rows.slackIntegration({ organization_id: randomUUID(), team_id: 'T0SILENT', bot_token: token });
    const { client } = await slackFor(w.db.orm.em.fork(), w.config, integrationId);
    await expect(client.chat.postMessage({ channel: 'C0SILENT', text: 'hello' })).rejects.toThrow(/timeout|timed out|aborted/i);
  });

  /** A GitHub client that retries once at once: what a failure turns into is what the tests read. */
  const github = (redis: Redis, baseUrl: string, timeoutMs?: number) =>
    createGitHubClient({
      baseUrl,
      token: 'ghp_test_token',
      redis,
      prefix: randomPrefix(),
      em: w.db.orm.em.fork(),
      log: createLogger('silent'),
      retryBaseMs: 1,
      retries: 1,
      ...(timeoutMs ? { timeoutMs } : {}),
    });

  it('GitHub: every HTTP attempt is bounded by GITHUB_TIMEOUT_MS', async () => {
    const redis = new Redis(REDIS_URL);
    try {
      const octokit = github(redis, `http://127.0.0.1:${port}`, 300);
      await expect(octokit.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'api' })).rejects.toThrow(
        `Could not reach GitHub at 127.0.0.1:${port}: no answer before the timeout (GITHUB_TIMEOUT_MS)`,
      );
    } finally {
      redis.disconnect();
    }
  });

  it('GitHub: a name that does not resolve, or a refused connection, is named as such (not "GitHub 500")', async () => {
    const redis = new Redis(REDIS_URL);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    try {
      const failure = async (baseUrl: string) =>
        github(redis, baseUrl)
          .request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'api' })
          .then(
            () => null,
            (err: Error) => err,
          );
      const dns = await failure('http://api.github.invalid');
      expect(dns).toBeInstanceOf(TransientError);
      expect(dns?.message).toMatch(/^Could not reach GitHub at api\.github\.invalid: its name does not resolve \(DNS lookup failed: (ENOTFOUND|EAI_AGAIN)\)$/);
      const refused = await failure(`http://127.0.0.1:${closedPort}`);
      expect(refused?.message).toBe(`Could not reach GitHub at 127.0.0.1:${closedPort}: the connection was refused (ECONNREFUSED)`);
    } finally {
      redis.disconnect();
    }
  });
});
