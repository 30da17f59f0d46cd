import OpenAI from 'openai';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { AppConfig } from '../config/index.js';
import { formatIssues } from '../lib/zod-issues.js';
import type { LlmBudget } from './budget.js';

export class LlmUnavailable extends Error {
  override name = 'LlmUnavailable';
}

/** The day's LLM budget is spent: not a failure, the deterministic model answers until the next UTC day. */
export class LlmBudgetSpent extends LlmUnavailable {
  override name = 'LlmBudgetSpent';
}

/**
 * One strict structured-output completion from the configured model (any OpenAI-compatible server),
 * validated by `schema` (which may clamp values into range). A malformed answer is asked again once.
 * Transport errors, 429s (honouring Retry-After) and 5xx are retried by the openai SDK itself;
 * whatever still fails becomes LlmUnavailable, and the caller falls back to its deterministic model.
 * Each request (the second ask included) is first taken from the day's budget; a refusal is
 * LlmBudgetSpent. Only what the caller puts in `user` is sent.
 */
export async function structuredCompletion<T>(
  config: AppConfig,
  log: Logger,
  request: { system: string; user: unknown; name: string; jsonSchema: Record<string, unknown>; schema: z.ZodType<T> },
  budget: LlmBudget,
): Promise<{ output: T; model: string }> {
  if (!config.OPENAI_MODEL) throw new LlmUnavailable('no model configured');
  const client = new OpenAI({
    apiKey: config.OPENAI_API_KEY ?? 'not-needed',
    baseURL: config.OPENAI_BASE_URL,
    timeout: config.LLM_TIMEOUT_MS,
    maxRetries: 2,
  });
  const user = JSON.stringify(request.user);
  let lastProblem = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    let content: string | null | undefined;
    const refused = await budget.reserve();
    if (refused) throw new LlmBudgetSpent(refused);
    try {
      const completion = await client.chat.completions.create({
        model: config.OPENAI_MODEL,
        temperature: 0,
        messages: [
          { role: 'system', content: request.system },
          { role: 'user', content: user },
        ],
        response_format: { type: 'json_schema', json_schema: { name: request.name, strict: true, schema: request.jsonSchema } },
      });
      await budget.record(completion.usage);
      content = completion.choices[0]?.message?.content;
    } catch (err) {
      throw new LlmUnavailable(`LLM request failed: ${(err as Error).message}`);
    }
    try {
      const parsed = request.schema.safeParse(JSON.parse(content ?? ''));
      if (parsed.success) return { output: parsed.data, model: config.OPENAI_MODEL.slice(0, 100) };
      lastProblem = formatIssues(parsed.error, 3);
    } catch {
      lastProblem = 'not JSON';
    }
    log.warn({ attempt, name: request.name, problem: lastProblem }, 'malformed LLM output');
  }
  throw new LlmUnavailable(`LLM output was malformed twice (${lastProblem})`);
}
