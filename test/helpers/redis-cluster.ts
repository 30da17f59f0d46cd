import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../src/dev/local-services.js';

/** Whether redis-server and redis-cli are installed (the cluster tests are skipped, saying so, where they are not). */
export function haveRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    execFileSync('redis-cli', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A real Redis Cluster of three masters on 127.0.0.1, each a redis-server of the test's own
 * (`--cluster-enabled yes`, nothing kept on disk), joined by `redis-cli --cluster create`.
 */
export class LocalRedisCluster {
  private readonly children: ChildProcess[] = [];
  readonly dir = mkdtempSync(join(tmpdir(), 'aexy-cluster-'));
  ports: number[] = [];

  /** REDIS_CLUSTER_NODES for it. */
  get nodes(): string {
    return this.ports.map((p) => `127.0.0.1:${p}`).join(',');
  }

  async start(): Promise<this> {
    for (let i = 0; i < 3; i++) this.ports.push(await freePort());
    for (const port of this.ports) {
      this.children.push(
        spawn(
          'redis-server',
          [
            '--bind',
            '127.0.0.1',
            '--port',
            String(port),
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(this.dir, `nodes-${port}.conf`),
            '--dir',
            this.dir,
            '--save',
            '',
            '--appendonly',
            'no',
          ],
          { stdio: 'ignore' },
        ),
      );
    }
    for (const port of this.ports) await answers(port);
    execFileSync('redis-cli', ['--cluster', 'create', ...this.ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], {
      stdio: 'ignore',
    });
    // Every node agrees the cluster is up (all 16,384 slots served).
    for (const port of this.ports) {
      const node = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
      try {
        for (let i = 0; !(await node.cluster('INFO')).includes('cluster_state:ok'); i++) {
          if (i > 200) throw new Error(`redis cluster node ${port} never reported cluster_state:ok`);
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        node.disconnect();
      }
    }
    return this;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGKILL');
          }),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Resolves once redis-server on `port` answers PING. */
async function answers(port: number): Promise<void> {
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
  probe.on('error', () => {});
  try {
    for (let i = 0; ; i++) {
      try {
        if (probe.status === 'wait') await probe.connect();
        if ((await probe.ping()) === 'PONG') return;
      } catch {
        if (i > 200) throw new Error(`redis-server on ${port} did not start`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } finally {
    probe.disconnect();
  }
}
