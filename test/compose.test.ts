import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './helpers/spawn.js';

/** The docker-compose.yml users get: checked by docker itself where it is installed, by reading it everywhere. */
const compose = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

/** The block of one service: from its name to the next line at the same indentation. */
function service(name: string): string {
  const m = new RegExp(`^  ${name}:\\n((?:    .*\\n|\\s*\\n)*)`, 'm').exec(compose);
  if (!m) throw new Error(`no service ${name}`);
  return m[1]!;
}

function composeCommand(): string[] | null {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  return null;
}

describe('docker-compose.yml and Dockerfile', () => {
  it('is valid for Compose v1 and v2 and publishes only the board, on loopback', () => {
    expect(compose).not.toMatch(/^name:/m); // Compose v1 rejects a top-level name
    expect(service('postgres')).not.toMatch(/ports:/);
    expect(service('redis')).not.toMatch(/ports:/);
    const board = service('board');
    expect(board).toContain("ports: ['127.0.0.1:3000:3000']");
    // Inside its container the board must listen on all interfaces, with the shared environment kept.
    expect(board).toMatch(/environment:\n\s+<<: \*env\n\s+BOARD_HOST: 0\.0\.0\.0/);
    expect(board).toMatch(/BOARD_PASSWORD: \$\{BOARD_PASSWORD:-/);
  });

  it('installs dependencies inside the image, never into a bind-mounted node_modules', () => {
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
    expect(compose).not.toMatch(/npm ci/);
    expect(compose).not.toMatch(/- \.\/?:\/app/); // no bind mount of the source over the image
  });

  const cmd = composeCommand();
  it.skipIf(!cmd)('docker compose config accepts it and resolves what the text checks claim', () => {
    // `config` validates the file and prints it resolved (anchors merged, variables substituted), so
    // the facts are checked on what Compose itself will run, not on our reading of the text.
    const out = execFileSync(cmd![0]!, [...cmd!.slice(1), '-f', join(ROOT, 'docker-compose.yml'), 'config'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, POSTGRES_PASSWORD: '', BOARD_PASSWORD: '' },
    });
    const resolved = parse(out) as { services: Record<string, { ports?: unknown[]; environment?: Record<string, string>; command?: string[] }> };
    const published = Object.entries(resolved.services)
      .filter(([, s]) => s.ports?.length)
      .map(([n]) => n);
    expect(published).toEqual(['board']);
    const ports = resolved.services.board!.ports!.map((p) => (typeof p === 'string' ? p : JSON.stringify(p)));
    expect(ports.every((p) => p.includes('127.0.0.1'))).toBe(true);
    const boardEnv = resolved.services.board!.environment!;
    expect(boardEnv.BOARD_HOST).toBe('0.0.0.0');
    expect(boardEnv.DATABASE_URL).toMatch(/@postgres:5432\//); // the shared environment survived the merge
    expect(boardEnv.REDIS_URL).toBe('redis://redis:6379');
    for (const s of Object.values(resolved.services)) expect(s.command?.join(' ') ?? '').not.toMatch(/npm ci/);
  });
});
