import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Developer } from './developer.js';
import { CodeReview } from './code-review.js';

/**
 * A pull request, unique by GitHub id. created_at/updated_at are GitHub's timestamps (no DB default),
 * which is why they carry no onCreate hook.
 */
export const PullRequest = defineEntity({
  name: 'PullRequest',
  tableName: 'pull_requests',
  indexes: [
    { name: 'idx_pull_requests_developer_id', properties: ['developer'] },
    { name: 'idx_pull_requests_state', properties: ['state'] },
    { name: 'idx_pull_requests_developer_state', properties: ['developer', 'state'] },
  ],
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    githubId: p.bigint('number').unique(),
    number: p.integer(),
    developer: () => p.manyToOne(Developer).ref().nullable().deleteRule('no action').updateRule('no action'),
    repositoryName: p.string().length(255),
    title: p.text().nullable(),
    body: p.text().nullable(),
    /** open, closed, merged */
    state: p.string().length(20).nullable(),
    additions: p.integer().defaultRaw('0').nullable(),
    deletions: p.integer().defaultRaw('0').nullable(),
    changedFiles: p.integer().defaultRaw('0').nullable(),
    commitsCount: p.integer().defaultRaw('0').nullable(),
    commentsCount: p.integer().defaultRaw('0').nullable(),
    reviewCommentsCount: p.integer().defaultRaw('0').nullable(),
    createdAt: p.datetime().columnType('timestamptz').nullable(),
    updatedAt: p.datetime().columnType('timestamptz').nullable(),
    mergedAt: p.datetime().columnType('timestamptz').nullable(),
    closedAt: p.datetime().columnType('timestamptz').nullable(),
    labels: p.json<string[]>().defaultRaw(`'[]'`).nullable(),
    reviewers: p.json<unknown[]>().defaultRaw(`'[]'`).nullable(),
    reviews: () => p.oneToMany(CodeReview).mappedBy('pullRequest'),
  },
});
export type IPullRequest = InferEntity<typeof PullRequest>;
