import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { PredictiveInsight } from './predictive-insight.js';

/**
 * The organization an insight about a person was computed for: from the work in that organization's
 * repositories only, and shown to that organization only (a person in two organizations has an
 * insight of each type in each). Team insights need none: a team is of one organization.
 */
export const PredictiveInsightOrganization = defineEntity({
  name: 'PredictiveInsightOrganization',
  tableName: 'predictive_insight_organizations',
  indexes: [{ name: 'idx_predictive_insight_organizations_organization_id', properties: ['organizationId'] }],
  properties: {
    insight: () => p.oneToOne(PredictiveInsight).primary().ref().owner().deleteRule('cascade').updateRule('no action').fieldName('insight_id'),
    organizationId: p.uuid(),
  },
});
export type IPredictiveInsightOrganization = InferEntity<typeof PredictiveInsightOrganization>;
