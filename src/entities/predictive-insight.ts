import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Developer } from './developer.js';
import { Team } from './team.js';

export interface InsightFactor {
  factor: string;
  weight: number;
  evidence: string;
  trend?: 'up' | 'down' | 'flat';
}

/** A cached prediction (LLM or heuristic) for a developer or a team, valid until expires_at. */
export const PredictiveInsight = defineEntity({
  name: 'PredictiveInsight',
  tableName: 'predictive_insights',
  indexes: [
    { name: 'idx_predictive_insights_developer_id', properties: ['developer'] },
    { name: 'idx_predictive_insights_type', properties: ['insightType'] },
  ],
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    developer: () => p.manyToOne(Developer).ref().nullable().deleteRule('no action').updateRule('no action'),
    team: () => p.manyToOne(Team).ref().nullable().deleteRule('no action').updateRule('no action'),
    insightType: p.string().length(100),
    riskScore: p.double().columnType('double precision').$type<number>().nullable(),
    confidence: p.double().columnType('double precision').$type<number>().nullable(),
    factors: p.json<InsightFactor[]>().defaultRaw(`'[]'`).nullable(),
    recommendations: p.json<string[]>().defaultRaw(`'[]'`).nullable(),
    dataWindowDays: p.integer().nullable(),
    generatedByModel: p.string().length(100).nullable(),
    generatedAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .nullable()
      .onCreate(() => new Date()),
    expiresAt: p.datetime().columnType('timestamptz').nullable(),
  },
});
export type IPredictiveInsight = InferEntity<typeof PredictiveInsight>;
