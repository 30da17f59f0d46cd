import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** How often commits were read from the API because git could not be used, per reason (src/github/sync/git-fallbacks.ts). */
export const GitFallbackTotal = defineEntity({
  name: 'GitFallbackTotal',
  tableName: 'git_fallback_totals',
  properties: {
    reason: p.string().length(50).primary(),
    fallbacks: p.bigint('number').default(0),
    lastAt: p.datetime().columnType('timestamptz').nullable(),
  },
});
export type IGitFallbackTotal = InferEntity<typeof GitFallbackTotal>;
