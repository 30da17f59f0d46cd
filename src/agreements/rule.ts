import { COMPARISONS, type Comparison } from '../metrics/index.js';

/** A rule as people write it: `pr_size <= 400 lines`, `pickup_time <= 8h`, `deployment_frequency >= 1 per day`. */
export interface Rule {
  metric: string;
  comparison: Comparison;
  /** the number as written */
  value: number;
  /** the unit as written (lower case, trimmed; '' when none) */
  unit: string;
}

const RULE = /^\s*([a-z][a-z0-9_]*)\s*(<=|>=|<|>|=)\s*(-?\d+(?:\.\d+)?)\s*([a-z%/ ]*?)\s*$/i;

/** Parse a rule, or say what a rule looks like. */
export function parseRule(text: string): Rule | string {
  const m = RULE.exec(text);
  if (!m)
    return `${JSON.stringify(text)} is not a rule: write <metric> <comparison> <number> [unit], e.g. "pr_size <= 400 lines" (comparisons ${COMPARISONS.join(' ')})`;
  return { metric: m[1]!.toLowerCase(), comparison: m[2] as Comparison, value: Number(m[3]), unit: m[4]!.toLowerCase().trim() };
}

const HOURS = ['h', 'hr', 'hrs', 'hour', 'hours'];
const DAYS = ['d', 'day', 'days'];
const MINUTES = ['m', 'min', 'mins', 'minute', 'minutes'];

/**
 * The number in the metric's own unit (the library's: hours, days, a ratio, lines, …): a time in
 * hours, days or minutes is converted, a percentage of a ratio divided by 100, the metric's own unit
 * (or none) taken as it is; anything else is refused with the reason.
 */
export function inMetricUnit(rule: Rule, metricUnit: string): number | string {
  const { value, unit } = rule;
  const own = metricUnit.toLowerCase();
  if (unit === '' || unit === own || unit === own.replace(/s$/, '') || `${unit}s` === own) return value;
  if (own === 'hours' && (HOURS.includes(unit) || DAYS.includes(unit) || MINUTES.includes(unit)))
    return DAYS.includes(unit) ? value * 24 : MINUTES.includes(unit) ? value / 60 : value;
  if (own === 'days' && (HOURS.includes(unit) || DAYS.includes(unit))) return HOURS.includes(unit) ? value / 24 : value;
  if (own === 'ratio' && unit === '%') return value / 100;
  if (own === 'per day' && ['/day', 'per day', 'a day', '/d'].includes(unit)) return value;
  return `${rule.metric} is measured in ${metricUnit}: ${value} ${unit} is not one`;
}

/** A share as written (`80%`, `0.8`): a number in (0, 1], or the reason it is not. */
export function parseShare(text: string): number | string {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  const v = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  return v > 0 && v <= 1 ? v : `share: ${JSON.stringify(text)} must be a share of the pull requests, above 0 and at most 100 % (80% or 0.8)`;
}

/** The rule as people read it, in the metric's unit. */
export const ruleText = (a: { metric: string; comparison: string; target: number; share: number | null }, unit: string) =>
  `${a.metric} ${a.comparison} ${a.target}${unit ? ` ${unit}` : ''}${a.share !== null ? ` for ${Math.round(a.share * 1000) / 10} % of pull requests` : ''}`;
