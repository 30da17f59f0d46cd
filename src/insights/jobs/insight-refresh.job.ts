import { defineJob } from '../../jobs/handler.js';
import { dueInsights } from '../queries.js';
import type { InsightType } from '../types.js';
import { insightGenerate } from './insight-generate.contract.js';
import { insightRefresh } from './insight-refresh.contract.js';

export const insightRefreshJob = defineJob(insightRefresh, async (_data, ctx) => {
  const due = await dueInsights(ctx.em, ctx.config.INSIGHT_ACTIVE_DAYS);
  for (const d of due) {
    ctx.enqueueAfter(insightGenerate, {
      insightType: d.insight_type as InsightType,
      ...(d.developer_id ? { developerId: d.developer_id, ...(d.organization_id ? { organizationId: d.organization_id } : {}) } : { teamId: d.team_id! }),
      windowDays: d.data_window_days ?? ctx.config.INSIGHT_ACTIVE_DAYS,
      force: d.renewal,
    });
  }
  const first = due.filter((d) => !d.renewal).length;
  return { queued: due.length, renewals: due.length - first, first };
});
