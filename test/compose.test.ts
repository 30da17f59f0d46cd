import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
  it.skipIf(!cmd)('docker compose config accepts it', () => {
    const out = execFileSync(cmd![0]!, [...cmd!.slice(1), '-f', join(ROOT, 'docker-compose.yml'), 'config', '-q'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toBe('');
  });
});
