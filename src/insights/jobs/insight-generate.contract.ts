import { z } from 'zod';
import { defineContract } from '../../jobs/contract.js';
import { INSIGHT_TYPES, TEAM_INSIGHTS } from '../types.js';

export const insightGenerateSchema = z
  .object({
    insightType: z.enum(INSIGHT_TYPES, { message: `must be one of ${INSIGHT_TYPES.join(', ')}` }),
    developerId: z.uuid().optional(),
    teamId: z.uuid().optional(),
    /** a person's insight is of one organization: computed from its repositories' work, shown to it alone (default: their only one) */
    organizationId: z.uuid().optional(),
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
    if (d.organizationId && !d.developerId)
      ctx.addIssue({ code: 'custom', path: ['organizationId'], message: "goes with developerId (a team's organization is its own)" });
  });

/** Generate (or reuse, inside its TTL) one predictive insight about a developer or a team. */
export const insightGenerate = defineContract({
  name: 'insight.generate',
  queue: 'insights',
  handler: () => import('./insight-generate.job.js'),
  schema: insightGenerateSchema,
  options: { attempts: 3, backoff: { type: 'exponential', delay: 10_000 } },
  deduplicationId: (d) => `insight.generate-${d.insightType}-${d.developerId ?? d.teamId}${d.organizationId ? `-${d.organizationId}` : ''}`,
});
