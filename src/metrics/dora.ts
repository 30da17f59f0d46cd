/**
 * DORA performance levels by the thresholds of the 2023 Accelerate State of DevOps report (as Apache
 * DevLake applies them), made contiguous so every value has exactly one level:
 *
 * | level | deployment frequency | lead time for changes (median) | change failure rate | time to restore (median) |
 * |---|---|---|---|---|
 * | elite (4) | at least once a day | under 24 hours | at most 5 % | under 1 hour |
 * | high (3) | at least once a week | at most 7 days | at most 10 % | under 24 hours |
 * | medium (2) | at least once a month (30 days) | at most 30 days | at most 15 % | at most 7 days |
 * | low (1) | less often | longer | more | longer |
 */
export const DORA_LEVELS = ['low', 'medium', 'high', 'elite'] as const;
export type DoraLevel = (typeof DORA_LEVELS)[number];

/** The four numbers, as the metrics library computes them (null: nothing to measure in the window). */
export interface DoraNumbers {
  /** successful production deployments per day */
  deployment_frequency: number | null;
  /** median hours */
  lead_time_for_changes: number | null;
  /** share, 0..1 */
  change_failure_rate: number | null;
  /** median hours */
  time_to_restore: number | null;
}

const level = (n: 1 | 2 | 3 | 4) => n;

/** Each metric's level, 1 (low) to 4 (elite); a metric with nothing to measure has none. */
export function doraLevels(n: DoraNumbers): Partial<Record<keyof DoraNumbers, 1 | 2 | 3 | 4>> {
  const out: Partial<Record<keyof DoraNumbers, 1 | 2 | 3 | 4>> = {};
  const f = n.deployment_frequency;
  if (f !== null) out.deployment_frequency = f >= 1 ? level(4) : f >= 1 / 7 ? level(3) : f >= 1 / 30 ? level(2) : level(1);
  const lt = n.lead_time_for_changes;
  if (lt !== null) out.lead_time_for_changes = lt < 24 ? level(4) : lt <= 7 * 24 ? level(3) : lt <= 30 * 24 ? level(2) : level(1);
  const cfr = n.change_failure_rate;
  if (cfr !== null) out.change_failure_rate = cfr <= 0.05 ? level(4) : cfr <= 0.1 ? level(3) : cfr <= 0.15 ? level(2) : level(1);
  const ttr = n.time_to_restore;
  if (ttr !== null) out.time_to_restore = ttr < 1 ? level(4) : ttr < 24 ? level(3) : ttr <= 7 * 24 ? level(2) : level(1);
  return out;
}

/** The overall level: the lowest of the metrics that have one (a team is elite only when elite on all it is measured on); null when none has. */
export function overallDoraLevel(levels: Partial<Record<keyof DoraNumbers, number>>): number | null {
  const values = Object.values(levels);
  return values.length ? Math.min(...values) : null;
}

export const doraLevelName = (n: number): DoraLevel => DORA_LEVELS[n - 1]!;
