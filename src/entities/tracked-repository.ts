import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A GitHub repository ("owner/name") whose commits, pull requests and reviews we keep in sync. */
export const TrackedRepository = defineEntity({
  name: 'TrackedRepository',
  tableName: 'tracked_repositories',
  indexes: [{ name: 'idx_tracked_repositories_organization_id', properties: ['organizationId'] }],
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    organizationId: p.uuid().nullable(),
    fullName: p.string().length(255).unique(),
    isActive: p
      .boolean()
      .defaultRaw('true')
      .onCreate(() => true),
    lastSyncedAt: p.datetime().columnType('timestamptz').nullable(),
    lastError: p.text().nullable(),
    createdAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
});
export type ITrackedRepository = InferEntity<typeof TrackedRepository>;
