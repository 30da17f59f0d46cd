import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Commit } from './commit.js';
import { PullRequest } from './pull-request.js';
import { CodeReview } from './code-review.js';

/** A tracked developer, keyed by GitHub id (logins can be renamed, ids cannot). */
export const Developer = defineEntity({
  name: 'Developer',
  tableName: 'developers',
  indexes: [
    { name: 'idx_developers_github_username', properties: ['githubUsername'] },
    { name: 'idx_developers_skills', expression: 'create index idx_developers_skills on developers using gin(skills)' },
    {
      name: 'idx_developers_search',
      expression: "create index idx_developers_search on developers using gin(to_tsvector('english', name || ' ' || coalesce(bio, '')))",
    },
  ],
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    githubId: p.bigint('number').unique(),
    githubUsername: p.string().length(255).unique(),
    name: p.string().length(255).nullable(),
    email: p.string().length(255).nullable(),
    avatarUrl: p.text().nullable(),
    bio: p.text().nullable(),
    location: p.string().length(255).nullable(),
    company: p.string().length(255).nullable(),
    skills: p.array().columnType('text[]').defaultRaw(`'{}'`).nullable(),
    /** {language: {lines, commits}} */
    languages: p.json<Record<string, { lines: number; commits: number }>>().defaultRaw(`'{}'`).nullable(),
    frameworks: p.json<Record<string, unknown>>().defaultRaw(`'{}'`).nullable(),
    domains: p.json<Record<string, unknown>>().defaultRaw(`'{}'`).nullable(),
    seniorityLevel: p.string().length(50).nullable(),
    seniorityScore: p.integer().nullable(),
    githubCreatedAt: p.datetime().columnType('timestamptz').nullable(),
    lastActivityAt: p.datetime().columnType('timestamptz').nullable(),
    profileUpdatedAt: p.datetime().columnType('timestamptz').nullable(),
    createdAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .nullable()
      .onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .nullable()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    commits: () => p.oneToMany(Commit).mappedBy('developer'),
    pullRequests: () => p.oneToMany(PullRequest).mappedBy('developer'),
    reviews: () => p.oneToMany(CodeReview).mappedBy('reviewer'),
  },
});
export type IDeveloper = InferEntity<typeof Developer>;
