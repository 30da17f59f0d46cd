import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { AppConfig } from '../src/config/index.js';
import type { AnyJobHandler } from '../src/jobs/handler.js';
import { JOBS } from '../src/workers/handlers.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { GitHubStandIn } from '../src/dev/github-stand-in.js';
import { GitRepo } from '../src/dev/git-repo.js';
import { deletePrefix, standInGitHubSettings, testConfig } from './helpers/redis.js';
import { rowsOf, type Rows } from './helpers/rows.js';
import { startHarness, type Harness } from './helpers/workers.js';

/** What a test file is handed: its own database, Redis prefix, export directory, and (when asked for) a worker pool. */
export interface TestWorld {
  db: TestDatabase;
  /** The file's settings: its database, its queue prefix, EXPORT_DIR its own temporary directory. */
  config: AppConfig;
  /** The file's temporary directory (EXPORT_DIR). */
  dir: string;
  /** The worker pool, when `harness` was asked for. */
  h: Harness;
  /** Row factories on the file's database. */
  rows: Rows;
}

export interface WorldOptions {
  /**
   * Settings beside the defaults (testConfig's); EXPORT_DIR is the world's directory unless given. A
   * function is called when the world is made, after the file's earlier beforeAll hooks (a stand-in
   * started there gives its URL).
   */
  settings?: Partial<Record<keyof AppConfig, string>> | (() => Partial<Record<keyof AppConfig, string>>);
  /** Start a worker pool running these jobs (true: every job of the catalogue). */
  harness?: boolean | readonly AnyJobHandler[];
}

/**
 * pg-boss's test/hooks.ts for us: call it once at the top of a describe, and the file gets a fresh
 * migrated database (a clone of the run's template), its own queue prefix and temporary directory,
 * and a worker pool if asked, all made before its tests and removed after them. The returned object
 * is filled in before the first test runs.
 */
export function useTestWorld(options: WorldOptions = {}): TestWorld {
  const world = {} as TestWorld;
  beforeAll(async () => {
    world.db = await createTestDatabase();
    world.dir = await mkdtemp(join(tmpdir(), 'aexy-test-'));
    const settings = typeof options.settings === 'function' ? options.settings() : options.settings;
    world.config = { ...testConfig({ EXPORT_DIR: world.dir, ...settings }), DATABASE_URL: world.db.url };
    world.rows = rowsOf(world.db.sql);
    if (options.harness) world.h = await startHarness(world.config, world.db.orm, options.harness === true ? JOBS : options.harness);
  });
  afterAll(async () => {
    await world.h?.close();
    await world.db?.drop();
    if (world.dir) await rm(world.dir, { recursive: true, force: true });
    if (world.config) await deletePrefix(world.config.QUEUE_PREFIX);
  });
  return world;
}

/**
 * A stand-in (GitHub, Slack, SMTP, the LLM) started before the file's later hooks (a world's settings
 * may read its URL) and stopped after them: `useStandIn(async () => (slack = await new SlackStandIn().start()))`.
 */
export function useStandIn(start: () => Promise<{ stop(): Promise<void> }>): void {
  let standIn: { stop(): Promise<void> } | undefined;
  beforeAll(async () => {
    standIn = await start();
  });
  afterAll(async () => {
    await standIn?.stop();
  });
}

/** A world synced against a GitHub stand-in that serves a real git repository built in the test. */
export interface GitHubWorld extends TestWorld {
  gh: GitHubStandIn;
  repo: GitRepo;
}

/**
 * useTestWorld with a GitHub stand-in and a git repository (`repo`, served by the stand-in once the
 * test sets it on `gh.repos`), started before the world and stopped after it; the world's settings
 * point the sync at the stand-in, plus `settings(gh, repo)`.
 */
export function useGitHubWorld(
  options: { settings?: (gh: GitHubStandIn, repo: GitRepo) => Partial<Record<keyof AppConfig, string>>; harness?: WorldOptions['harness'] } = {},
): GitHubWorld {
  let gh: GitHubStandIn;
  let repo: GitRepo;
  useStandIn(async () => {
    gh = await new GitHubStandIn().start();
    repo = new GitRepo();
    Object.assign(world, { gh, repo });
    return {
      async stop() {
        await gh.stop();
        repo.remove();
      },
    };
  });
  const world = useTestWorld({
    harness: options.harness ?? true,
    settings: () => ({ ...standInGitHubSettings(gh), ...options.settings?.(gh, repo) }),
  }) as GitHubWorld;
  return world;
}
