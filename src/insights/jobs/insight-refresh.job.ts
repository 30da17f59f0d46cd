import { defineJob } from '../../jobs/handler.js';
import { expiringInsights } from '../expiring.js';
import type { InsightType } from '../types.js';
import { insightGenerate } from './insight-generate.contract.js';
import { insightRefresh } from './insight-refresh.contract.js';

export const insightRefreshJob = defineJob(insightRefresh, async (_data, ctx) => {
  const expiring = await expiringInsights(ctx.em);
  for (const e of expiring) {
    ctx.enqueueAfter(insightGenerate, {
      insightType: e.insight_type as InsightType,
      ...(e.developer_id ? { developerId: e.developer_id } : { teamId: e.team_id! }),
      windowDays: e.data_window_days ?? 30,
      force: true,
    });
  }
  return { queued: expiring.length };
});
