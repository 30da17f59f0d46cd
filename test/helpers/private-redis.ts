import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../src/dev/local-services.js';

/** A free TCP port on 127.0.0.1 (the local services' own helper). */
export { freePort };

/**
 * A redis-server of the test's own, with append-only persistence (fsync on every write), so
 * that it can be killed and restarted on the same port and data directory like a production
 * Redis, without touching the shared one on 6379.
 */
export class PrivateRedis {
  private child?: ChildProcess;
  readonly dir = mkdtempSync(join(tmpdir(), 'aexy-redis-'));
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.port ||= await freePort();
    const child = spawn(
      'redis-server',
      ['--bind', '127.0.0.1', '--port', String(this.port), '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
      { stdio: 'ignore' },
    );
    this.child = child;
    // Ready when it answers PING (it loads the append-only file before accepting commands).
    const probe = new Redis(this.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    probe.on('error', () => {});
    try {
      for (let i = 0; ; i++) {
        if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
        try {
          if (probe.status === 'wait') await probe.connect();
          if ((await probe.ping()) === 'PONG') break;
        } catch {
          if (i > 200) throw new Error('redis-server did not start');
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    } finally {
      probe.disconnect();
    }
    return this;
  }

  /** kill -9: no shutdown save; only what the append-only file already holds survives. */
  async crash(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async destroy(): Promise<void> {
    await this.crash();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
