/** The insight vocabulary (job contracts import this and nothing heavier). */
export const DEVELOPER_INSIGHTS = ['attrition_risk', 'burnout_risk', 'performance_trajectory'] as const;
export const TEAM_INSIGHTS = ['team_health', 'review_bottleneck', 'bus_factor'] as const;
export const INSIGHT_TYPES = [...DEVELOPER_INSIGHTS, ...TEAM_INSIGHTS] as const;
export type InsightType = (typeof INSIGHT_TYPES)[number];
