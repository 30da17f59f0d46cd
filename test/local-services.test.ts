import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
/** A secret in the starting process's environment, which the database server must not inherit. */
const SECRET_MARK = 'ghp_local_services_secret_mark';

describe('fresh machine: an embedded PostgreSQL and a local redis-server when none answers', () => {
  const varDir = mkdtempSync(join(tmpdir(), 'aexy-local-'));
  // As root, PostgreSQL runs as the "postgres" user, who must be able to reach the data directory (a checkout's var/ is 0755).
  chmodSync(varDir, 0o755);
  afterAll(() => rmSync(varDir, { recursive: true, force: true }));

  it('a PostgreSQL installed for the default address but not running is said so, and nothing is started beside it', async () => {
    const port = await freePort();
    const etc = mkdtempSync(join(tmpdir(), 'aexy-etc-postgresql-'));
    try {
      mkdirSync(join(etc, '15', 'main'), { recursive: true });
      writeFileSync(join(etc, '15', 'main', 'postgresql.conf'), `# a cluster\nport = ${port}\n`);
      const env: NodeJS.ProcessEnv = {};
      await expect(
        ensureLocalServices({
          env,
          varDir,
          postgresConfigDir: etc,
          defaults: { database: `postgres://postgres@127.0.0.1:${port}/aexy`, redis: 'redis://127.0.0.1:1' },
        }),
      ).rejects.toThrow(
        `No PostgreSQL answers at postgres://postgres@127.0.0.1:${port}/aexy, but PostgreSQL 15 main is installed on this machine for that port: start it (pg_ctlcluster 15 main start) or set DATABASE_URL (an embedded PostgreSQL is started only where none is installed)`,
      );
      expect(env.DATABASE_URL).toBeUndefined();
    } finally {
      rmSync(etc, { recursive: true, force: true });
    }
  });

  it('starts both, a second process joins them, and the first one stops them', async () => {
    process.env.AEXY_LOCAL_SERVICES_SECRET = SECRET_MARK;
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
      // Random credentials, kept where only this user can read them; nothing answers without them.
      expect(decodeURIComponent(db.password)).toMatch(/^[A-Za-z0-9_-]{24}$/);
      for (const file of ['embedded-postgres.json', 'redis-server.json']) expect(statSync(join(varDir, file)).mode & 0o777, file).toBe(0o600);
      const guess = new pg.Client({ host: '127.0.0.1', port: Number(db.port), user: 'postgres', password: 'postgres', database: 'postgres' });
      await expect(guess.connect()).rejects.toThrow(/password authentication failed/);
      const anonymous = new Redis(`redis://127.0.0.1:${new URL(env.REDIS_URL!).port}`, { lazyConnect: true, maxRetriesPerRequest: 0 });
      anonymous.on('error', () => undefined); // the refusal is what is awaited below
      await expect(anonymous.ping()).rejects.toThrow(/NOAUTH/);
      anonymous.disconnect();
      // The server runs with an environment of its own: no secret of the process that started it.
      const pid = readFileSync(join(varDir, 'embedded-postgres', 'postmaster.pid'), 'utf8').split('\n')[0]!;
      const serverEnv = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      expect(serverEnv.some((e) => e.includes(SECRET_MARK))).toBe(false);
      expect(serverEnv.some((e) => e.startsWith('PATH='))).toBe(true);
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
      delete process.env.AEXY_LOCAL_SERVICES_SECRET;
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
