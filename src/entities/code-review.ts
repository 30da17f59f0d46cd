import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Developer } from './developer.js';
import { PullRequest } from './pull-request.js';

/** A review submitted on a pull request, unique by GitHub id. */
export const CodeReview = defineEntity({
  name: 'CodeReview',
  tableName: 'code_reviews',
  indexes: [
    { name: 'idx_code_reviews_reviewer_id', properties: ['reviewer'] },
    { name: 'idx_code_reviews_pull_request_id', properties: ['pullRequest'] },
    { name: 'idx_code_reviews_reviewer_date', expression: 'create index idx_code_reviews_reviewer_date on code_reviews(reviewer_id, submitted_at desc)' },
  ],
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    githubId: p.bigint('number').unique(),
    pullRequest: () => p.manyToOne(PullRequest).ref().nullable().deleteRule('no action').updateRule('no action'),
    reviewer: () => p.manyToOne(Developer).ref().nullable().deleteRule('no action').updateRule('no action'),
    /** approved, changes_requested, commented */
    state: p.string().length(50).nullable(),
    body: p.text().nullable(),
    submittedAt: p.datetime().columnType('timestamptz').nullable(),
    createdAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .nullable()
      .onCreate(() => new Date()),
  },
});
export type ICodeReview = InferEntity<typeof CodeReview>;
