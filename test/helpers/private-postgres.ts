import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './private-redis.js';

const run = promisify(execFile);

/** The newest PostgreSQL server binaries Debian installed (/usr/lib/postgresql/<major>/bin). */
function pgBin(tool: string): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'bin', tool))) : [];
  if (!majors.length) throw new Error(`PostgreSQL server binaries (${tool}) not found under ${root}`);
  return join(root, majors.sort((a, b) => Number(b) - Number(a))[0]!, 'bin', tool);
}

/**
 * A PostgreSQL cluster of the test's own (initdb in a temp dir, its own port), so a test can
 * really stop and restart the server without disturbing the shared one every other test uses.
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
 */
export class PrivatePostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'aexy-pg-'));
  port = 0;

  private async pg(tool: string, args: string[]): Promise<void> {
    const asRoot = process.getuid?.() === 0;
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', pgBin(tool), ...args]] : [pgBin(tool), args];
    await run(cmd, argv, { cwd: tmpdir() });
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async init(): Promise<this> {
    if (process.getuid?.() === 0) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(this.dir, Number(stdout.trim()), Number(gid.trim()));
    }
    this.port = await freePort();
    await this.pg('initdb', ['-D', join(this.dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    return this.start();
  }

  /** Start (again) on the same port and data directory; resolves once it accepts connections. */
  async start(): Promise<this> {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    await this.pg('pg_ctl', ['-D', join(this.dir, 'data'), '-l', join(this.dir, 'log'), '-o', opts, '-w', 'start']);
    return this;
  }

  /**
   * pg_ctl stop -m fast: what an operator's restart or a failover does. Sessions get
   * FATAL 57P01 (terminating connection due to administrator command), new ones are refused.
   */
  async stop(): Promise<void> {
    await this.pg('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'fast', '-w', 'stop']);
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }
}
