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

/** Retries of one completion after a transport error, a timeout, a 408/409/429 or a 5xx. */
export const LLM_RETRIES = 2;

/**
 * One strict structured-output completion from the configured model (any OpenAI-compatible server),
 * validated by `schema` (which may clamp values into range). A malformed answer is asked again once.
 * Transport errors, timeouts, 429s (honouring Retry-After) and 5xx are retried here, LLM_RETRIES
 * times with backoff (the SDK's own retries are off, so that every request sent is counted);
 * whatever still fails becomes LlmUnavailable, and the caller falls back to its deterministic model.
 * Each request sent (every retry and the second ask included) is first taken from the day's budget;
 * a refusal is LlmBudgetSpent. Only what the caller puts in `user` is sent.
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
    maxRetries: 0,
  });
  const user = JSON.stringify(request.user);
  /** One request, retried; each try taken from the budget first. */
  const send = async <R>(create: () => Promise<R>): Promise<R> => {
    for (let n = 0; ; n++) {
      const refused = await budget.reserve();
      if (refused) throw new LlmBudgetSpent(refused);
      try {
        return await create();
      } catch (err) {
        const wait = n < LLM_RETRIES ? retryDelayMs(err, n) : null;
        if (wait === null) throw new LlmUnavailable(`LLM request failed: ${(err as Error).message}`);
        log.info({ name: request.name, retry: n + 1, waitMs: wait, err: (err as Error).message }, 'LLM request retried');
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  };
  let lastProblem = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    const completion = await send(() =>
      client.chat.completions.create({
        model: config.OPENAI_MODEL!,
        temperature: 0,
        messages: [
          { role: 'system', content: request.system },
          { role: 'user', content: user },
        ],
        response_format: { type: 'json_schema', json_schema: { name: request.name, strict: true, schema: request.jsonSchema } },
      }),
    );
    await budget.record(completion.usage);
    const content = completion.choices[0]?.message?.content;
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

/**
 * How long to wait before retrying after `err` (the `n`th retry), or null when it is not worth
 * retrying: transport errors and timeouts, 408, 409, 429 and 5xx are; Retry-After (ms or seconds)
 * is honoured up to a minute, else 0.5 s doubling, with jitter.
 */
export function retryDelayMs(err: unknown, n: number): number | null {
  const backoff = Math.round(500 * 2 ** n * (0.75 + Math.random() * 0.5));
  if (err instanceof OpenAI.APIConnectionError) return backoff;
  if (!(err instanceof OpenAI.APIError) || err.status === undefined) return null;
  if (![408, 409, 429].includes(err.status) && err.status < 500) return null;
  const headers = err.headers as Headers | undefined;
  const ms = Number(headers?.get?.('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return Math.min(ms, 60_000);
  const after = headers?.get?.('retry-after');
  if (after) {
    const seconds = Number(after);
    const at = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(after) - Date.now();
    if (Number.isFinite(at) && at >= 0) return Math.min(at, 60_000);
  }
  return backoff;
}
