import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../db/sql.js';

/** llm_usage: one row per UTC day of requests, tokens and refusals (src/llm/budget.ts). */

const TODAY = `(now() AT TIME ZONE 'UTC')::date`;

/** Take one request from today's row while both limits hold; returns whether it was granted. */
export async function takeRequest(em: EntityManager, limits: { requests: number; tokens: number }): Promise<boolean> {
  await sql(em, `INSERT INTO llm_usage (day) VALUES (${TODAY}) ON CONFLICT (day) DO NOTHING`);
  const granted = await sql(
    em,
    `UPDATE llm_usage SET requests = requests + 1, updated_at = now()
      WHERE day = ${TODAY} AND requests < ? AND prompt_tokens + completion_tokens < ? RETURNING requests`,
    [limits.requests, limits.tokens],
  );
  return granted.length > 0;
}

/** Count a refusal; returns what today has spent. */
export async function recordRefusal(em: EntityManager): Promise<{ requests: number; tokens: number }> {
  const [spent] = await sql<{ requests: number; tokens: string }>(
    em,
    `UPDATE llm_usage SET refused = refused + 1, updated_at = now() WHERE day = ${TODAY} RETURNING requests, prompt_tokens + completion_tokens AS tokens`,
  );
  return { requests: spent?.requests ?? 0, tokens: Number(spent?.tokens ?? 0) };
}

export async function addTokens(em: EntityManager, prompt: number, completion: number): Promise<void> {
  await sql(em, `UPDATE llm_usage SET prompt_tokens = prompt_tokens + ?, completion_tokens = completion_tokens + ?, updated_at = now() WHERE day = ${TODAY}`, [
    prompt,
    completion,
  ]);
}

/** Today's usage (UTC), or null when nothing was asked today. */
export async function usageToday(em: EntityManager): Promise<{ requests: number; tokens: number; refused: number } | null> {
  const [row] = await sql<{ requests: number; tokens: string; refused: number }>(
    em,
    `SELECT requests, prompt_tokens + completion_tokens AS tokens, refused FROM llm_usage WHERE day = ${TODAY}`,
  );
  return row ? { requests: row.requests, tokens: Number(row.tokens), refused: row.refused } : null;
}
