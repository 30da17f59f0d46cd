// An OpenAI-compatible chat-completions stand-in for the offline demo and the tests.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeLocal, listenLocal, readBody, sendJson } from './local-server.js';

/**
 * Speaks POST /v1/chat/completions as documented by OpenAI (response object, usage, error objects,
 * 429 with Retry-After). Its "model" is deterministic: it reads the signals JSON from the user
 * message and scores it, so rankings can be tested; scripted behaviours inject 429s, 500s,
 * malformed JSON, out-of-range numbers and slow answers.
 */
export type Behaviour =
  | { kind: 'status'; status: number; retryAfter?: number }
  | { kind: 'malformed' }
  | { kind: 'out_of_range' }
  | { kind: 'slow'; ms: number }
  /** A valid answer whose texts carry a NUL byte and a lone surrogate (models do emit them). */
  | { kind: 'nul' }
  /** A careless proxy: an error that quotes the request's Authorization header back. */
  | { kind: 'echo_auth' };

export class OpenAIStandIn {
  readonly requests: { model: string; messages: { role: string; content: string }[]; response_format?: unknown }[] = [];
  /** The usage each successful answer reported, in order: what a client's token count must add up to. */
  readonly usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number }[] = [];
  readonly script: Behaviour[] = [];
  url = '';
  private server?: Server;

  async start(): Promise<this> {
    const { server, origin } = await listenLocal((req, res) => void this.handle(req, res));
    this.server = server;
    this.url = `${origin}/v1`;
    return this;
  }

  async stop(): Promise<void> {
    await closeLocal(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => sendJson(res, status, body, headers);
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      return send(404, { error: { message: 'Unknown request URL', type: 'invalid_request_error', param: null, code: 'unknown_url' } });
    }
    const body = JSON.parse(raw.toString());
    this.requests.push(body);
    const b = this.script.shift();
    if (b?.kind === 'status') {
      const error =
        b.status === 429
          ? { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' }
          : { message: 'The server had an error while processing your request.', type: 'server_error', code: null };
      return send(b.status, { error: { ...error, param: null } }, b.retryAfter !== undefined ? { 'retry-after': String(b.retryAfter) } : {});
    }
    if (b?.kind === 'echo_auth') {
      return send(400, {
        error: { message: `Bad request with Authorization: ${req.headers.authorization}`, type: 'invalid_request_error', param: null, code: null },
      });
    }
    if (b?.kind === 'slow') await new Promise((r) => setTimeout(r, b.ms));
    const user = body.messages.find((m: { role: string }) => m.role === 'user')?.content ?? '{}';
    let content: string;
    const schemaName = (body.response_format as { json_schema?: { name?: string } } | undefined)?.json_schema?.name;
    if (b?.kind === 'malformed') content = '{"risk_score": 0.5, "confidence": "high", "factors": [';
    else if (schemaName === 'learning_activities') content = JSON.stringify(this.coach(JSON.parse(user), b?.kind === 'out_of_range'));
    else {
      const answer = this.model(JSON.parse(user), b?.kind === 'out_of_range');
      if (b?.kind === 'nul') {
        answer.factors = answer.factors.map((f) => ({ ...f, evidence: `${f.evidence}\u0000 and \ud800 more` }));
        answer.recommendations = [...answer.recommendations, 'Rest\u0000 well'];
      }
      content = JSON.stringify(answer);
    }
    const usage = {
      prompt_tokens: Math.ceil(user.length / 4),
      completion_tokens: Math.ceil(content.length / 4),
      total_tokens: Math.ceil(user.length / 4) + Math.ceil(content.length / 4),
    };
    this.usage.push(usage);
    send(200, {
      id: `chatcmpl-${this.requests.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage,
      system_fingerprint: 'fp_standin',
    });
  }

  /**
   * A deterministic career coach: one activity per gap, its weeks from the gap's size. Out of range:
   * absurd numbers and an activity for a skill that was not asked about.
   */
  private coach(input: { target_level: number; gaps: { skill: string; current: number; target: number }[] }, outOfRange: boolean) {
    const activities = input.gaps.map((g) => ({
      skill: g.skill,
      title: `Practise ${g.skill} every week`,
      description: `Close the gap from ${g.current} to ${g.target} with weekly practice at level ${input.target_level}.`,
      hours_per_week: outOfRange ? 500 : 4,
      weeks: outOfRange ? -3 : Math.max(1, Math.ceil((g.target - g.current) / 5)),
    }));
    if (outOfRange)
      activities.push({ skill: 'underwater_basket_weaving', title: 'Something else', description: 'Not asked for.', hours_per_week: 1, weeks: 1 });
    return { activities };
  }

  /** A small, deterministic scorer standing in for a real model. */
  private model(input: { insight_type: string; signals: Record<string, number | null> }, outOfRange: boolean) {
    const s = input.signals;
    const num = (k: string) => Number(s[k] ?? 0);
    const c = (v: number) => Math.min(1, Math.max(0, v));
    const scorers: Record<string, () => [number, string[]]> = {
      burnout_risk: () => [
        0.45 * c(num('after_hours_share') / 0.35) + 0.35 * c(num('weekend_share') / 0.25) + 0.2 * c((num('activity_trend') || 1) - 1),
        ['after_hours_share', 'weekend_share', 'activity_trend'],
      ],
      attrition_risk: () => [
        c(1 - (num('activity_trend') || 1)) * 0.7 + c(num('days_since_last_activity') / 30) * 0.3,
        ['activity_trend', 'days_since_last_activity'],
      ],
      performance_trajectory: () => [c(1 - (num('activity_trend') || 1)), ['activity_trend', 'pr_cycle_time_hours']],
      team_health: () => [
        0.5 * c(num('after_hours_share') / 0.4) + 0.5 * c(num('open_prs_waiting_over_48h') / 5),
        ['after_hours_share', 'open_prs_waiting_over_48h'],
      ],
      review_bottleneck: () => [
        c(num('top_reviewer_share')) * 0.7 + 0.3 * c(num('median_time_to_first_review_hours') / 48),
        ['top_reviewer_share', 'median_time_to_first_review_hours'],
      ],
      bus_factor: () => [c(num('top_committer_share')), ['top_committer_share', 'bus_factor']],
    };
    const [score, keys] = (scorers[input.insight_type] ?? (() => [0.5, []]))();
    return {
      risk_score: outOfRange ? 1.7 : Math.round(score * 1000) / 1000,
      confidence: outOfRange ? -0.2 : 0.8,
      factors: keys.map((k, i) => ({ factor: k, weight: Math.round((1 / (i + 1)) * 100) / 100, evidence: `${k}=${s[k]}`, trend: 'flat' })),
      recommendations: ['Discuss the numbers with the people involved before acting on them.'],
    };
  }
}
