import type { MetricResult } from '../../src/metrics/index.js';

/** The hand computations' tools: PostgreSQL's percentile_cont (linear between the closest ranks), rounding as the metrics round, a scalar's value. */
export function percentile(xs: number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo]! + (s[Math.ceil(pos)]! - s[lo]!) * (pos - lo);
}
export const round = (x: number | null, digits = 2) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);
export const scalar = (r: MetricResult | undefined) => (r?.kind === 'scalar' ? r.value : undefined);
export const HOUR = 3_600_000;
