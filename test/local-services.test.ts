import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { answers, ensureLocalServices, freePort } from '../src/dev/local-services.js';

/**
 * A machine with only Node.js: nothing answers at the default addresses (here: ports nobody listens
 * on), so the demo and the development worker start an embedded PostgreSQL and a redis-server.
 */
describe('fresh machine: an embedded PostgreSQL and a local redis-server when none answers', () => {
  const varDir = mkdtempSync(join(tmpdir(), 'aexy-local-'));
  // As root, PostgreSQL runs as the "postgres" user, who must be able to reach the data directory (a checkout's var/ is 0755).
  chmodSync(varDir, 0o755);
  afterAll(() => rmSync(varDir, { recursive: true, force: true }));

  it('starts both, a second process joins them, and the first one stops them', async () => {
    const defaults = { database: `postgres://postgres@127.0.0.1:${await freePort()}/aexy`, redis: `redis://127.0.0.1:${await freePort()}` };
    const env: NodeJS.ProcessEnv = {};
    const first = await ensureLocalServices({ env, varDir, defaults });
    try {
      expect(first.notes).toEqual([
        expect.stringMatching(/^started an embedded PostgreSQL on port \d+ \(data in .*embedded-postgres\)$/),
        expect.stringMatching(/^started redis-server on port \d+ \(nothing kept on disk\)$/),
      ]);
      expect(first.embeddedPostgres).toBe(true);
      const db = new URL(env.DATABASE_URL!);
      expect(db.pathname).toBe('/aexy');
      const client = new pg.Client({ connectionString: env.DATABASE_URL!.replace(/\/aexy$/, '/postgres') });
      await client.connect();
      expect((await client.query('SHOW server_version')).rows[0].server_version).toMatch(/^15\./);
      await client.end();
      const redis = new Redis(env.REDIS_URL!);
      expect(await redis.ping()).toBe('PONG');
      redis.disconnect();

      // The board started beside the worker uses the same two.
      const env2: NodeJS.ProcessEnv = {};
      const second = await ensureLocalServices({ env: env2, varDir, defaults });
      expect(second.notes.map((n) => n.split(' ')[0])).toEqual(['using', 'using']);
      expect([env2.DATABASE_URL, env2.REDIS_URL]).toEqual([env.DATABASE_URL, env.REDIS_URL]);
      await second.stop(); // joined, not started: stops nothing
      expect(await answers('127.0.0.1', Number(db.port))).toBe(true);
    } finally {
      await first.stop();
    }
    expect(await answers('127.0.0.1', Number(new URL(env.DATABASE_URL!).port))).toBe(false);
    expect(await answers('127.0.0.1', Number(new URL(env.REDIS_URL!).port))).toBe(false);
  }, 120_000);

  it('configured or answering services are used as they are; without redis-server, one message says how to get one', async () => {
    const configured: NodeJS.ProcessEnv = { DATABASE_URL: 'postgres://x@db.example/aexy', REDIS_URL: 'redis://cache.example:6379' };
    const none = await ensureLocalServices({ env: configured, varDir });
    expect(none.notes).toEqual([]);
    expect(configured.DATABASE_URL).toBe('postgres://x@db.example/aexy');

    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(
        ensureLocalServices({
          env: { DATABASE_URL: 'postgres://x@db.example/aexy' },
          varDir,
          defaults: { database: '', redis: `redis://127.0.0.1:${await freePort()}` },
        }),
      ).rejects.toThrow(
        /^No Redis answers at redis:\/\/127\.0\.0\.1:\d+ and there is no redis-server on the PATH: start one \(docker compose up -d redis; or apt-get install redis-server \/ brew install redis\), or set REDIS_URL$/,
      );
    } finally {
      process.env.PATH = path;
    }
  });
});
