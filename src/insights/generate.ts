import type { z } from 'zod';
import { withPgClient } from '../db/sql.js';
import { insertInsight, isBot, latestInsight, subjectExists } from './queries.js';
import { PermanentError } from '../errors/index.js';
import { organizationPolicy, organizationsOfDeveloper, teamWithheld } from '../organizations/index.js';
import type { Needs, ServiceHelpers } from '../jobs/helpers.js';
import { slackInsightAlert } from '../slack/jobs/slack-insight-alert.contract.js';
import { HEURISTIC_MODEL, heuristicInsight } from './heuristic.js';
import type { insightGenerateSchema } from './jobs/insight-generate.contract.js';
import { LlmBudgetSpent, LlmUnavailable, llmInsight } from './llm.js';
import { dailyLlmBudget } from '../llm/index.js';
import { DEVELOPER_INSIGHTS, INSIGHT_TTL_HOURS, type InsightType } from './model.js';
import { developerSignals, teamSignals, type DeveloperSignals, type TeamSignals } from './signals.js';

export async function generateInsight(ctx: Needs<'em' | 'config' | 'log' | 'scrub' | 'enqueueAfter'>, data: z.infer<typeof insightGenerateSchema>) {
  const { em, config, log } = ctx;
  const type = data.insightType as InsightType;
  const column = data.developerId ? ('developer_id' as const) : ('team_id' as const);
  const subjectId = (data.developerId ?? data.teamId)!;
  // A person's insight is of one organization: the one named, else their only one.
  const organizationId = data.developerId ? await insightOrganization(em, data.developerId, data.organizationId) : null;
  const previous = await latestInsight(em, { column, id: subjectId }, type, organizationId);
  if (!data.force && previous?.expires_at && new Date(previous.expires_at) > new Date()) {
    return { insightId: previous.id, cached: true };
  }
  if (!(await subjectExists(em, { column, id: subjectId }))) throw new PermanentError(`${data.developerId ? 'Developer' : 'Team'} ${subjectId} does not exist`);
  // Bots are not people: no insight is generated about them (nor alerted, nor reported).
  if (data.developerId && (await isBot(em, subjectId))) {
    log.info({ developerId: subjectId }, 'insight skipped: the developer is a bot');
    return { skipped: 'bot' as const };
  }
  // The organization's policy: no insight about a person where numbers per person are off; none
  // about a team of fewer people than its group size (it would be about them).
  if (data.developerId && organizationId && (await organizationPolicy(em, organizationId)).individual_metrics === 'off') {
    log.info({ developerId: subjectId, organizationId }, 'insight skipped: individual metrics are off for the organization');
    return { skipped: 'individual metrics are off' as const };
  }
  if (data.teamId) {
    const withheld = await teamWithheld(em, data.teamId);
    if (withheld) {
      log.info({ teamId: subjectId }, `insight skipped: ${withheld}`);
      return { skipped: withheld };
    }
  }

  const subject = (DEVELOPER_INSIGHTS as readonly string[]).includes(type) ? 'developer' : 'team';
  const signals: DeveloperSignals | TeamSignals = await withPgClient<DeveloperSignals | TeamSignals>(em, (c) =>
    subject === 'developer' ? developerSignals(c, subjectId, data.windowDays, new Date(), organizationId) : teamSignals(c, subjectId, data.windowDays),
  );
  let output;
  let model: string;
  let fallbackReason: string | undefined;
  try {
    ({ output, model } = await llmInsight(config, log, type, subject, signals, dailyLlmBudget(em, config)));
  } catch (err) {
    if (!(err instanceof LlmUnavailable)) throw err;
    // The LLM server's error text may echo our request (its Authorization header included).
    fallbackReason = ctx.scrub(err.message);
    if (err instanceof LlmBudgetSpent) log.info({ type, subjectId, reason: fallbackReason }, 'LLM budget spent: using heuristic-v1');
    else if (config.OPENAI_MODEL) log.warn({ type, subjectId, reason: fallbackReason }, 'LLM unavailable: using heuristic-v1');
    output = heuristicInsight(type, signals);
    model = HEURISTIC_MODEL;
  }
  const insightId = await insertInsight(em, {
    subject: { column, id: subjectId },
    type,
    output,
    windowDays: data.windowDays,
    model,
    ttlHours: INSIGHT_TTL_HOURS[type],
    organizationId,
  });
  const crossed = output.risk_score >= config.INSIGHT_ALERT_THRESHOLD && (previous?.risk_score ?? 0) < config.INSIGHT_ALERT_THRESHOLD;
  if (crossed) ctx.enqueueAfter(slackInsightAlert, { insightId });
  return {
    insightId,
    cached: false,
    ...(organizationId ? { organizationId } : {}),
    model,
    riskScore: output.risk_score,
    alerted: crossed,
    ...(fallbackReason && config.OPENAI_MODEL ? { fallbackReason } : {}),
  };
}

/**
 * The organization a person's insight is of: the one asked for (they must be in its teams), else
 * their only one; a person of several must be given one (their work in each is that one's own), a
 * person of none has insights of no organization.
 */
async function insightOrganization(em: ServiceHelpers['em'], developerId: string, asked: string | undefined): Promise<string | null> {
  const orgs = await organizationsOfDeveloper(em, developerId);
  if (asked) {
    if (!orgs.includes(asked)) throw new PermanentError(`developer ${developerId} is in no team of organization ${asked}`);
    return asked;
  }
  if (orgs.length > 1)
    throw new PermanentError(`developer ${developerId} is in the teams of ${orgs.length} organizations (${orgs.join(', ')}): give organizationId`);
  return orgs[0] ?? null;
}
