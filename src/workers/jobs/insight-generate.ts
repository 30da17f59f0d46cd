import { z } from 'zod';
import { sql, withPgClient } from '../../db/sql.js';
import { HEURISTIC_MODEL, heuristicInsight } from '../../insights/heuristic.js';
import { LlmUnavailable, llmInsight } from '../../insights/llm.js';
import { DEVELOPER_INSIGHTS, INSIGHT_TTL_HOURS, INSIGHT_TYPES, TEAM_INSIGHTS, type InsightType } from '../../insights/model.js';
import { developerSignals, teamSignals, type DeveloperSignals, type TeamSignals } from '../../insights/signals.js';
import { PermanentError } from '../../queues/errors.js';
import { defineJob } from '../../queues/job-definition.js';
import { slackInsightAlert } from './slack-insight-alert.js';

export const insightGenerateSchema = z
  .object({
    insightType: z.enum(INSIGHT_TYPES, { message: `must be one of ${INSIGHT_TYPES.join(', ')}` }),
    developerId: z.uuid().optional(),
    teamId: z.uuid().optional(),
    windowDays: z.number().int().min(7).max(365).default(30),
    /** regenerate even if a cached insight is still valid */
    force: z.boolean().default(false),
  })
  .strict()
  .superRefine((d, ctx) => {
    const team = (TEAM_INSIGHTS as readonly string[]).includes(d.insightType);
    if (team && !d.teamId) ctx.addIssue({ code: 'custom', path: ['teamId'], message: `is required for ${d.insightType}` });
    if (!team && !d.developerId) ctx.addIssue({ code: 'custom', path: ['developerId'], message: `is required for ${d.insightType}` });
    if (d.developerId && d.teamId) ctx.addIssue({ code: 'custom', path: ['teamId'], message: 'give either developerId or teamId' });
  });

/**
 * Generate (or reuse) one predictive insight. Inside its TTL a cached row is returned without any
 * model call. Otherwise: signals in SQL → the LLM (structured output, validated) or, when none is
 * configured or it keeps failing, heuristic-v1 → a new predictive_insights row. Crossing the alert
 * threshold (below or absent before, at or above now) queues a Slack alert.
 */
export const insightGenerate = defineJob({
  name: 'insight.generate',
  queue: 'insights',
  schema: insightGenerateSchema,
  options: { attempts: 3, backoff: { type: 'exponential', delay: 10_000 } },
  deduplicationId: (d) => `insight.generate-${d.insightType}-${d.developerId ?? d.teamId}`,
  async process(data, ctx) {
    const { em, config, log } = ctx;
    const type = data.insightType as InsightType;
    const subjectCol = data.developerId ? 'developer_id' : 'team_id';
    const subjectId = (data.developerId ?? data.teamId)!;
    const [previous] = await sql<{ id: string; risk_score: number | null; expires_at: string | null }>(
      em,
      `SELECT id, risk_score, expires_at FROM predictive_insights WHERE ${subjectCol} = ? AND insight_type = ? ORDER BY generated_at DESC LIMIT 1`,
      [subjectId, type],
    );
    if (!data.force && previous?.expires_at && new Date(previous.expires_at) > new Date()) {
      return { insightId: previous.id, cached: true };
    }
    const exists = await sql(em, `SELECT 1 FROM ${data.developerId ? 'developers' : 'teams'} WHERE id = ?`, [subjectId]);
    if (exists.length === 0) throw new PermanentError(`${data.developerId ? 'Developer' : 'Team'} ${subjectId} does not exist`);
    // Bots are not people: no insight is generated about them (nor alerted, nor reported).
    if (data.developerId && (await sql(em, `SELECT 1 FROM developer_bots WHERE developer_id = ?`, [subjectId])).length > 0) {
      log.info({ developerId: subjectId }, 'insight skipped: the developer is a bot');
      return { skipped: 'bot' as const };
    }

    const subject = (DEVELOPER_INSIGHTS as readonly string[]).includes(type) ? 'developer' : 'team';
    const signals: DeveloperSignals | TeamSignals = await withPgClient<DeveloperSignals | TeamSignals>(em, (c) =>
      subject === 'developer' ? developerSignals(c, subjectId, data.windowDays) : teamSignals(c, subjectId, data.windowDays),
    );
    let output;
    let model: string;
    let fallbackReason: string | undefined;
    try {
      ({ output, model } = await llmInsight(config, log, type, subject, signals));
    } catch (err) {
      if (!(err instanceof LlmUnavailable)) throw err;
      // The LLM server's error text may echo our request (its Authorization header included).
      fallbackReason = ctx.scrub(err.message);
      if (config.OPENAI_MODEL) log.warn({ type, subjectId, reason: fallbackReason }, 'LLM unavailable: using heuristic-v1');
      output = heuristicInsight(type, signals);
      model = HEURISTIC_MODEL;
    }
    const [row] = await sql<{ id: string }>(
      em,
      `INSERT INTO predictive_insights (${subjectCol}, insight_type, risk_score, confidence, factors, recommendations, data_window_days, generated_by_model, generated_at, expires_at)
       VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, now(), now() + make_interval(hours => ?)) RETURNING id`,
      [subjectId, type, output.risk_score, output.confidence, JSON.stringify(output.factors), JSON.stringify(output.recommendations), data.windowDays, model, INSIGHT_TTL_HOURS[type]],
    );
    const crossed = output.risk_score >= config.INSIGHT_ALERT_THRESHOLD && (previous?.risk_score ?? 0) < config.INSIGHT_ALERT_THRESHOLD;
    if (crossed) ctx.enqueueAfter(slackInsightAlert, { insightId: row!.id });
    return { insightId: row!.id, cached: false, model, riskScore: output.risk_score, alerted: crossed, ...(fallbackReason && config.OPENAI_MODEL ? { fallbackReason } : {}) };
  },
});
