import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** What the retention job has deleted of one kind, in all (src/retention). */
export const PrunedTotal = defineEntity({
  name: 'PrunedTotal',
  tableName: 'pruned_totals',
  properties: {
    kind: p.string().length(50).primary(),
    rowsDeleted: p.bigint('number').default(0),
    filesDeleted: p.bigint('number').default(0),
    lastRunAt: p.datetime().columnType('timestamptz').nullable(),
  },
});
export type IPrunedTotal = InferEntity<typeof PrunedTotal>;
