import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A group of developers; membership is denormalised into developer_ids (GIN-indexed). */
export const Team = defineEntity({
  name: 'Team',
  tableName: 'teams',
  indexes: [{ name: 'idx_teams_developer_ids', expression: 'create index idx_teams_developer_ids on teams using gin(developer_ids)' }],
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    name: p.string().length(255),
    description: p.text().nullable(),
    organizationId: p.uuid().nullable(),
    developerIds: p.array().columnType('uuid[]').defaultRaw(`'{}'`).nullable(),
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
  },
});
export type ITeam = InferEntity<typeof Team>;
