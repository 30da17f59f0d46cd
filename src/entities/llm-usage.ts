import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** The LLM calls of one UTC day, drawn on by every worker (src/llm/budget.ts). */
export const LlmUsage = defineEntity({
  name: 'LlmUsage',
  tableName: 'llm_usage',
  properties: {
    day: p.date().primary(),
    requests: p.integer().default(0),
    promptTokens: p.bigint('number').default(0),
    completionTokens: p.bigint('number').default(0),
    refused: p.integer().default(0),
    updatedAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
});
export type ILlmUsage = InferEntity<typeof LlmUsage>;
