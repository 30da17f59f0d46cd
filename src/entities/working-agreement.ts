import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAtColumn, updatedAtColumn } from './timestamps.js';

/** A team's working agreement: a target on a metric, and where its alerts go (migration WorkingAgreements). */
export const WorkingAgreement = defineEntity({
  name: 'WorkingAgreement',
  tableName: 'working_agreements',
  uniques: [{ name: 'working_agreements_team_name_key', properties: ['teamId', 'name'] }],
  indexes: [{ name: 'idx_working_agreements_organization', properties: ['organizationId'] }],
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    organizationId: p.uuid(),
    teamId: p.uuid(),
    name: p.string().length(200),
    /** a metric of the library (src/metrics/agreements.ts says how each is held to a target) */
    metric: p.string().length(64),
    /** <= | < | >= | > | = */
    comparison: p.string().length(2),
    /** in the metric's unit (lines, hours, days, a ratio, per day …) */
    target: p.decimal().columnType('numeric'),
    /** for agreements on pull requests: the share of them that must meet it (null: each one) */
    share: p.decimal().columnType('numeric').nullable(),
    /** the Slack channel of its alerts (null: the organization's agreement_alert route, else its default channel) */
    channel: p.string().length(32).nullable(),
    pausedAt: p.datetime().columnType('timestamptz').nullable(),
    createdAt: createdAtColumn(),
    updatedAt: updatedAtColumn(),
  },
});
export type IWorkingAgreement = InferEntity<typeof WorkingAgreement>;

/** An organization's policy for numbers about people (migration OrganizationPolicies; no row: all, 3). */
export const OrganizationPolicy = defineEntity({
  name: 'OrganizationPolicy',
  tableName: 'organization_policies',
  properties: {
    organizationId: p.uuid().primary(),
    /** all | leads | off */
    individualMetrics: p.string().length(10).default('all'),
    minGroupSize: p.integer().default(3),
    updatedAt: updatedAtColumn(),
  },
});
export type IOrganizationPolicy = InferEntity<typeof OrganizationPolicy>;
