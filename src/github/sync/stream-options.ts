import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { GitHubClient } from '../api/client.js';
import type { Mirror } from './git.js';

/** What both streams of a repository's sync (commits, src/github/sync/commit-sync.ts; pull requests, pull-stream.ts) are given. */
export interface SyncOptions {
  octokit: GitHubClient;
  em: EntityManager;
  log: Logger;
  repo: string;
  overlapMinutes: number;
  initialDays: number;
  progress?: (p: Record<string, unknown>) => Promise<void>;
  /** Aborted on shutdown: the streams stop between units of work. */
  signal?: AbortSignal;
  now?: Date;
  /** Commit details fetched at once. */
  detailConcurrency?: number;
  /** The repository's git mirror, brought up to date (null: read commits from the REST API). */
  mirror?: () => Promise<Mirror | null>;
  /** Where pull requests and reviews are read: GraphQL (50 with their reviews per request) or REST (2+ requests each). */
  pullsFrom?: 'graphql' | 'rest';
  /** Where a deployment's statuses are read: GraphQL (100 deployments' statuses per request) or REST (a request each). */
  deploymentsFrom?: 'graphql' | 'rest';
}

/** Where a repository's first sync starts (GITHUB_SYNC_INITIAL_DAYS before now), or null for all history. */
export function initialWindowStart(opts: Pick<SyncOptions, 'initialDays' | 'now'>): Date | null {
  return opts.initialDays > 0 ? new Date((opts.now ?? new Date()).getTime() - opts.initialDays * 86_400_000) : null;
}

export interface StreamResult {
  fetched: number;
  written: number;
  cursorMoved: boolean;
}
