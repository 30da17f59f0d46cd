import { z } from 'zod';
import { storableText } from '../lib/text.js';

import type { InsightType } from './types.js';

export { DEVELOPER_INSIGHTS, TEAM_INSIGHTS, INSIGHT_TYPES, type InsightType } from './types.js';

/** How long an insight stays valid before it is regenerated. */
export const INSIGHT_TTL_HOURS: Record<InsightType, number> = {
  attrition_risk: 24,
  burnout_risk: 24,
  performance_trajectory: 48,
  team_health: 12,
  review_bottleneck: 12,
  bus_factor: 72,
};

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
/** Model text stored in JSONB: no NUL bytes, no lone surrogates (PostgreSQL refuses both). */
const storable = (s: string) => storableText(s, 500);

/**
 * The structured output every model (LLM or heuristic) must produce. Numbers are clamped into range
 * rather than rejected (a model saying 1.2 means "very high"); shapes that are wrong are rejected.
 */
export const insightOutputSchema = z.object({
  risk_score: z.number().transform(clamp01),
  confidence: z.number().transform(clamp01),
  factors: z
    .array(
      z.object({
        factor: z.string().min(1).max(100).transform(storable),
        weight: z.number().transform(clamp01),
        evidence: z.string().min(1).max(500).transform(storable),
        trend: z.enum(['up', 'down', 'flat']),
      }),
    )
    .max(10),
  recommendations: z.array(z.string().min(1).max(500).transform(storable)).max(6),
});
export type InsightOutput = z.infer<typeof insightOutputSchema>;

/**
 * The same shape without value constraints, for the model: strict structured output accepts types,
 * enums, required and additionalProperties everywhere, while ranges and lengths are enforced (and
 * clamped) by insightOutputSchema on our side.
 */
const llmShape = z.strictObject({
  risk_score: z.number().describe('0 (no risk) to 1 (certain)'),
  confidence: z.number().describe('0 to 1: how much the data supports the score'),
  factors: z.array(
    z.strictObject({
      factor: z.string(),
      weight: z.number().describe('0 to 1'),
      evidence: z.string().describe('the signal values that support this factor'),
      trend: z.enum(['up', 'down', 'flat']),
    }),
  ),
  recommendations: z.array(z.string()),
});

/** The JSON schema sent to the LLM (strict structured output), generated from zod. */
export const INSIGHT_JSON_SCHEMA: Record<string, unknown> = (() => {
  const { $schema: _drop, ...schema } = z.toJSONSchema(llmShape, { target: 'draft-7' }) as Record<string, unknown>;
  void _drop;
  return schema;
})();
