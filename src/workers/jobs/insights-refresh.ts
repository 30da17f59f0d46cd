import { z } from 'zod';
import { sql } from '../../db/sql.js';
import type { InsightType } from '../../insights/model.js';
import { defineJob } from '../../queues/job-definition.js';
import { insightGenerate } from './insight-generate.js';

/** Scheduled hourly: regenerate the latest insights that expire within the next hour. */
export const insightsRefresh = defineJob({
  name: 'insights.refresh',
  queue: 'insights',
  schema: z.object({}).strict(),
  options: { attempts: 5 },
  async process(_data, ctx) {
    const expiring = await sql<{ insight_type: string; developer_id: string | null; team_id: string | null; data_window_days: number | null }>(
      ctx.em,
      `SELECT * FROM (SELECT DISTINCT ON (insight_type, developer_id, team_id) insight_type, developer_id, team_id, data_window_days, expires_at
                         FROM predictive_insights ORDER BY insight_type, developer_id, team_id, generated_at DESC) latest
        WHERE expires_at IS NULL OR expires_at < now() + interval '1 hour'`,
    );
    for (const e of expiring) {
      ctx.enqueueAfter(insightGenerate, {
        insightType: e.insight_type as InsightType,
        ...(e.developer_id ? { developerId: e.developer_id } : { teamId: e.team_id! }),
        windowDays: e.data_window_days ?? 30,
        force: true,
      });
    }
    const queued = expiring.length;
    return { queued };
  },
});
