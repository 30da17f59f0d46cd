import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { updatedAtColumn } from './timestamps.js';

export const SYNC_STREAMS = ['commits', 'pulls', 'deployments', 'issues'] as const;
export type SyncStream = (typeof SYNC_STREAMS)[number];

/** High-water mark of the last committed sync of one stream of one repository. */
export const GithubSyncCursor = defineEntity({
  name: 'GithubSyncCursor',
  tableName: 'github_sync_cursors',
  properties: {
    repositoryFullName: p.string().length(255).primary(),
    stream: p.string().length(20).$type<SyncStream>().primary(),
    cursorAt: p.datetime().columnType('timestamptz'),
    updatedAt: updatedAtColumn(),
  },
});
export type IGithubSyncCursor = InferEntity<typeof GithubSyncCursor>;
