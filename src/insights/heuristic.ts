import type { DeveloperSignals, TeamSignals } from './signals.js';
import type { InsightOutput, InsightType } from './model.js';

/**
 * heuristic-v1: a deterministic, documented model used when no LLM is configured or it keeps
 * failing. Each factor contributes `weight × strength` where strength ∈ [0, 1] is a signal scaled by
 * the threshold at which it is fully concerning; the risk score is the sum of contributions
 * (weights add up to 1). Confidence grows with the amount of data behind the signals.
 */
export const HEURISTIC_MODEL = 'heuristic-v1';

interface Factor {
  factor: string;
  weight: number;
  strength: number;
  evidence: string;
  trend: 'up' | 'down' | 'flat';
  advice: string;
}

const c01 = (v: number) => Math.min(1, Math.max(0, v));
const pct = (v: number) => `${Math.round(v * 100)}%`;
const trendOf = (ratio: number | null): 'up' | 'down' | 'flat' => (ratio === null ? 'flat' : ratio > 1.15 ? 'up' : ratio < 0.85 ? 'down' : 'flat');

/**
 * For each factor, where it becomes fully concerning (its strength reaches 1): said after the
 * evidence, so whoever reads an alert knows what the number is measured against.
 */
const CONCERNING: Record<string, string> = {
  after_hours_work: 'concerning above 40%',
  weekend_work: 'concerning above 30%',
  rising_workload: 'concerning when it doubles',
  no_days_off: 'concerning at 14 days or more',
  review_load: 'concerning at 30 reviews or more',
  declining_activity: 'concerning as it falls toward none',
  disengagement: 'concerning at 21 days or more',
  slowing_delivery: 'concerning when it doubles',
  blocked_work: 'concerning at 3 or more',
  burnout_signals: 'concerning at 1.00',
  output_trend: 'concerning as it falls toward none',
  cycle_time_trend: 'concerning when it doubles',
  waiting_work: 'concerning at 3 or more',
  review_concentration: 'concerning as one reviewer does them all',
  slow_first_review: 'concerning at 48 h or more',
  waiting_prs: 'concerning at 5 or more',
  knowledge_concentration: 'concerning when one member wrote half',
  top_committer_share: 'concerning as it nears 100%',
};

function finish(factors: Factor[], dataPoints: number): InsightOutput {
  const risk = factors.reduce((s, f) => s + f.weight * f.strength, 0);
  const ranked = [...factors].sort((a, b) => b.weight * b.strength - a.weight * a.strength);
  return {
    risk_score: Math.round(c01(risk) * 1000) / 1000,
    confidence: Math.round(c01(0.3 + 0.7 * Math.min(1, dataPoints / 40)) * 1000) / 1000,
    factors: ranked.map((f) => ({
      factor: f.factor,
      weight: Math.round(f.weight * f.strength * 1000) / 1000,
      evidence: CONCERNING[f.factor] ? `${f.evidence}; ${CONCERNING[f.factor]}` : f.evidence,
      trend: f.trend,
    })),
    recommendations: ranked
      .filter((f) => f.strength >= 0.4)
      .slice(0, 3)
      .map((f) => f.advice),
  };
}

function burnoutFactors(s: DeveloperSignals): Factor[] {
  return [
    {
      factor: 'after_hours_work',
      weight: 0.3,
      strength: c01(s.after_hours_share / 0.4),
      evidence: `${pct(s.after_hours_share)} of commits on weekdays outside 09:00-18:00 UTC`,
      trend: 'flat',
      advice: 'Talk about working hours; move deadlines rather than evenings.',
    },
    {
      factor: 'weekend_work',
      weight: 0.25,
      strength: c01(s.weekend_share / 0.3),
      evidence: `${pct(s.weekend_share)} of commits on weekends`,
      trend: 'flat',
      advice: 'Protect weekends: make sure on-call and releases do not spill into them.',
    },
    {
      factor: 'rising_workload',
      weight: 0.2,
      strength: c01(((s.activity_trend ?? 1) - 1) / 1),
      evidence: `${s.commits} commits vs ${s.commits_previous_window} in the previous ${s.window_days} days`,
      trend: trendOf(s.activity_trend),
      advice: 'Review the workload: the pace has risen sharply.',
    },
    {
      factor: 'no_days_off',
      weight: 0.15,
      strength: c01(s.longest_streak_days / 14),
      evidence: `longest run of consecutive active days: ${s.longest_streak_days}`,
      trend: 'flat',
      advice: 'Encourage time off: there has been no break for weeks.',
    },
    {
      factor: 'review_load',
      weight: 0.1,
      strength: c01(s.reviews_given / 30),
      evidence: `${s.reviews_given} reviews given`,
      trend: 'flat',
      advice: 'Spread code reviews across the team.',
    },
  ];
}

function declineStrength(s: DeveloperSignals | TeamSignals): number {
  if (s.activity_trend === null) return s.commits === 0 && s.commits_previous_window === 0 ? 0.5 : 0;
  return c01(1 - s.activity_trend);
}

/** heuristic-v1, one explainable function per insight type. */
const HEURISTICS: Record<InsightType, (signals: DeveloperSignals | TeamSignals) => InsightOutput> = {
  burnout_risk: (s) => burnoutRisk(s as DeveloperSignals),
  attrition_risk: (s) => attritionRisk(s as DeveloperSignals),
  performance_trajectory: (s) => performanceTrajectory(s as DeveloperSignals),
  team_health: (s) => teamHealth(s as TeamSignals),
  review_bottleneck: (s) => reviewBottleneck(s as TeamSignals),
  bus_factor: (s) => busFactor(s as TeamSignals),
};

export function heuristicInsight(type: InsightType, signals: DeveloperSignals | TeamSignals): InsightOutput {
  return HEURISTICS[type](signals);
}

/**
 * Each known factor of an insight type in plain language, from the signals: what an alert says about
 * a factor (a model's own factor names, which this does not know, keep the model's evidence).
 */
export function explainFactors(type: string, signals: DeveloperSignals | TeamSignals): Map<string, string> {
  // A type written by another program (not one of ours) has no heuristic: the model's evidence stands.
  if (!Object.hasOwn(HEURISTICS, type)) return new Map();
  return new Map(heuristicInsight(type as InsightType, signals).factors.map((f) => [f.factor, f.evidence]));
}

function burnoutRisk(s: DeveloperSignals): InsightOutput {
  return finish(burnoutFactors(s), s.commits + s.reviews_given);
}

function attritionRisk(s: DeveloperSignals): InsightOutput {
  const burnout = burnoutFactors(s).reduce((sum, f) => sum + f.weight * f.strength, 0);
  return finish(
    [
      {
        factor: 'declining_activity',
        weight: 0.35,
        strength: declineStrength(s),
        evidence: `${s.commits} commits vs ${s.commits_previous_window} in the previous ${s.window_days} days`,
        trend: trendOf(s.activity_trend),
        advice: 'Have a 1:1 about motivation and growth.',
      },
      {
        factor: 'disengagement',
        weight: 0.25,
        strength: c01((s.days_since_last_activity ?? 0) / 21),
        evidence: `${s.days_since_last_activity ?? 'no'} days since the last commit`,
        trend: 'down',
        advice: 'Check in: activity has stopped for weeks.',
      },
      {
        factor: 'slowing_delivery',
        weight: 0.15,
        strength: s.pr_cycle_time_hours && s.pr_cycle_time_hours_previous ? c01(s.pr_cycle_time_hours / s.pr_cycle_time_hours_previous - 1) : 0,
        evidence: `median PR cycle ${s.pr_cycle_time_hours ?? '—'} h vs ${s.pr_cycle_time_hours_previous ?? '—'} h before`,
        trend: 'up',
        advice: 'Unblock their pull requests.',
      },
      {
        factor: 'blocked_work',
        weight: 0.1,
        strength: c01(s.open_prs_waiting_over_48h / 3),
        evidence: `${s.open_prs_waiting_over_48h} pull requests open for more than 48 h`,
        trend: 'flat',
        advice: 'Get waiting pull requests reviewed.',
      },
      {
        factor: 'burnout_signals',
        weight: 0.15,
        strength: c01(burnout),
        evidence: `burnout signal score ${burnout.toFixed(2)}`,
        trend: 'flat',
        advice: 'Address workload and hours (see burnout risk).',
      },
    ],
    s.commits + s.commits_previous_window,
  );
}

function performanceTrajectory(s: DeveloperSignals): InsightOutput {
  return finish(
    [
      {
        factor: 'output_trend',
        weight: 0.5,
        strength: declineStrength(s),
        evidence: `${s.commits} commits vs ${s.commits_previous_window} before`,
        trend: trendOf(s.activity_trend),
        advice: 'Look at what changed in their work: scope, blockers, support.',
      },
      {
        factor: 'cycle_time_trend',
        weight: 0.3,
        strength: s.pr_cycle_time_hours && s.pr_cycle_time_hours_previous ? c01(s.pr_cycle_time_hours / s.pr_cycle_time_hours_previous - 1) : 0,
        evidence: `median PR cycle ${s.pr_cycle_time_hours ?? '—'} h vs ${s.pr_cycle_time_hours_previous ?? '—'} h`,
        trend: 'up',
        advice: 'Smaller pull requests and faster reviews.',
      },
      {
        factor: 'waiting_work',
        weight: 0.2,
        strength: c01(s.open_prs_waiting_over_48h / 3),
        evidence: `${s.open_prs_waiting_over_48h} pull requests waiting over 48 h`,
        trend: 'flat',
        advice: 'Clear the review queue.',
      },
    ],
    s.commits + s.commits_previous_window,
  );
}

function reviewBottleneck(t: TeamSignals): InsightOutput {
  const reviewConcentration = reviewConcentrationOf(t);
  return finish(
    [
      {
        factor: 'review_concentration',
        weight: 0.5,
        strength: reviewConcentration,
        evidence: `busiest reviewer does ${t.top_reviewer_share === null ? '—' : pct(t.top_reviewer_share)} of reviews (${t.members} members)`,
        trend: 'flat',
        advice: 'Rotate reviewers; pair newer members on reviews.',
      },
      {
        factor: 'slow_first_review',
        weight: 0.3,
        strength: c01((t.median_time_to_first_review_hours ?? 0) / 48),
        evidence: `median time to first review ${t.median_time_to_first_review_hours ?? '—'} h`,
        trend: 'flat',
        advice: 'Set a review turnaround goal (e.g. one working day).',
      },
      {
        factor: 'waiting_prs',
        weight: 0.2,
        strength: c01(t.open_prs_waiting_over_48h / 5),
        evidence: `${t.open_prs_waiting_over_48h} pull requests open for more than 48 h`,
        trend: 'flat',
        advice: 'Hold a weekly review-queue clean-up.',
      },
    ],
    t.commits,
  );
}

function busFactor(t: TeamSignals): InsightOutput {
  const spread = t.members <= 1 ? 1 : c01(1 - (t.bus_factor - 1) / Math.max(1, t.members / 2));
  return finish(
    [
      {
        factor: 'knowledge_concentration',
        weight: 0.7,
        strength: spread,
        evidence: `${t.bus_factor} of ${t.members} members wrote half of the commits`,
        trend: 'flat',
        advice: 'Spread ownership: pairing, rotations, documented runbooks.',
      },
      {
        factor: 'top_committer_share',
        weight: 0.3,
        strength: c01(t.top_committer_share ?? 0),
        evidence: `most active member wrote ${t.top_committer_share === null ? '—' : pct(t.top_committer_share)} of commits`,
        trend: 'flat',
        advice: 'Have others own changes in the busiest member’s areas.',
      },
    ],
    t.commits,
  );
}

function teamHealth(t: TeamSignals): InsightOutput {
  const reviewConcentration = reviewConcentrationOf(t);
  // team_health
  return finish(
    [
      {
        factor: 'after_hours_work',
        weight: 0.3,
        strength: c01(t.after_hours_share / 0.4),
        evidence: `${pct(t.after_hours_share)} of the team's commits after hours`,
        trend: 'flat',
        advice: 'Look at on-call and deadlines: the team works late.',
      },
      {
        factor: 'declining_activity',
        weight: 0.3,
        strength: declineStrength(t),
        evidence: `${t.commits} commits vs ${t.commits_previous_window} before`,
        trend: trendOf(t.activity_trend),
        advice: 'Find out what is slowing the team down.',
      },
      {
        factor: 'waiting_prs',
        weight: 0.2,
        strength: c01(t.open_prs_waiting_over_48h / 5),
        evidence: `${t.open_prs_waiting_over_48h} pull requests waiting over 48 h`,
        trend: 'flat',
        advice: 'Clear the review queue.',
      },
      {
        factor: 'review_concentration',
        weight: 0.2,
        strength: reviewConcentration,
        evidence: `busiest reviewer share ${t.top_reviewer_share === null ? '—' : pct(t.top_reviewer_share)}`,
        trend: 'flat',
        advice: 'Spread reviews across the team.',
      },
    ],
    t.commits,
  );
}
/** How far the busiest reviewer's share of reviews is above a fair share (0 = even, 1 = one reviewer does all). */
function reviewConcentrationOf(t: TeamSignals): number {
  const fairShare = t.members > 0 ? 1 / t.members : 1;
  const reviewConcentration = t.top_reviewer_share === null || t.members <= 1 ? 0 : c01((t.top_reviewer_share - fairShare) / (1 - fairShare));
  return reviewConcentration;
}
