import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Developer } from './developer.js';

export interface CommitFile {
  path: string;
  additions: number;
  deletions: number;
  language: string | null;
}

/** One git commit, unique by sha; files holds per-file stats with the detected language. */
export const Commit = defineEntity({
  name: 'Commit',
  tableName: 'commits',
  indexes: [
    { name: 'idx_commits_developer_id', properties: ['developer'] },
    { name: 'idx_commits_committed_at', properties: ['committedAt'] },
    { name: 'idx_commits_developer_date', expression: 'create index idx_commits_developer_date on commits(developer_id, committed_at desc)' },
  ],
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    sha: p.string().length(40).unique(),
    developer: () => p.manyToOne(Developer).ref().nullable().deleteRule('no action').updateRule('no action'),
    repositoryName: p.string().length(255),
    repositoryFullName: p.string().length(255).nullable(),
    message: p.text().nullable(),
    additions: p.integer().defaultRaw('0').nullable(),
    deletions: p.integer().defaultRaw('0').nullable(),
    filesChanged: p.integer().defaultRaw('0').nullable(),
    files: p.json<CommitFile[]>().defaultRaw(`'[]'`).nullable(),
    languages: p.json<Record<string, number>>().defaultRaw(`'{}'`).nullable(),
    committedAt: p.datetime().columnType('timestamptz'),
    createdAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .nullable()
      .onCreate(() => new Date()),
  },
});
export type ICommit = InferEntity<typeof Commit>;
