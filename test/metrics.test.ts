import { beforeAll, describe, expect, it } from 'vitest';
import { computeMetrics, computeSeries, METRIC_NAMES } from '../src/metrics/library.js';
import { useTestWorld } from './hooks.js';
import { seedMetricsFixture } from './helpers/metrics-data.js';

/**
 * Hand-made data whose every metric is known in advance, so the expected values are written down
 * here rather than recomputed with the same SQL.
 */
describe('metrics library', () => {
  const w = useTestWorld();
  let ids: Record<string, string> = {};
  let teamId: string;
  const now = new Date('2026-03-31T00:00:00Z');
  const window = { date_range: { start: '2026-03-01', end: '2026-03-31' } };

  beforeAll(async () => {
    ({ ids, teamId } = await seedMetricsFixture(w.db));
  });

  it('computes every metric for everyone in the window', async () => {
    const m = await computeMetrics(w.db.sql, METRIC_NAMES, window, now);
    const v = (k: string) => (m[k] as { value: number | null }).value;
    expect(v('commits')).toBe(5);
    expect(v('lines_added')).toBe(136);
    expect(v('lines_deleted')).toBe(58);
    expect(v('active_days')).toBe(4); // ann 2 days + bo 1 + cat 1
    expect(v('prs_opened')).toBe(3);
    expect(v('prs_merged')).toBe(2);
    expect(v('merge_rate')).toBeCloseTo(0.6667, 4);
    expect(v('pr_cycle_time')).toBe(20); // median of 10 h and 30 h
    expect(v('time_to_first_review')).toBe(3); // median of 4 h (the self-review is ignored) and 2 h
    expect(v('reviews_given')).toBe(3);
    expect(v('review_turnaround')).toBe(3); // median of 4 h and 2 h (the self-review is excluded)
    expect(v('after_hours_share')).toBeCloseTo(0.2, 4); // a2 only
    expect(v('weekend_share')).toBeCloseTo(0.2, 4); // a3 only
    expect(m.pr_size_distribution).toEqual({
      kind: 'breakdown',
      unit: 'pull requests',
      items: [
        { label: 'XS', value: 1 },
        { label: 'S', value: 0 },
        { label: 'M', value: 1 },
        { label: 'L', value: 1 },
        { label: 'XL', value: 0 },
      ],
    });
    expect(m.language_mix).toMatchObject({
      items: [
        { label: 'TypeScript', value: 160 },
        { label: 'Go', value: 27 },
        { label: 'SQL', value: 5 },
        { label: 'Python', value: 2 },
      ],
    });
  });

  it('filters by team and by developer', async () => {
    const team = await computeMetrics(w.db.sql, ['commits', 'reviews_given', 'prs_opened'], { ...window, team_ids: [teamId] }, now);
    expect([team.commits, team.reviews_given, team.prs_opened].map((r) => (r as { value: number }).value)).toEqual([4, 3, 3]);
    const cat = await computeMetrics(w.db.sql, ['commits', 'lines_added', 'merge_rate'], { ...window, developer_ids: [ids.cat!] }, now);
    expect((cat.commits as { value: number }).value).toBe(1);
    expect((cat.lines_added as { value: number }).value).toBe(1);
    expect((cat.merge_rate as { value: number | null }).value).toBeNull(); // no PRs: no rate, not 0
    const days = await computeMetrics(w.db.sql, ['commits'], { date_range: { days: 60 } }, now);
    expect((days.commits as { value: number }).value).toBe(6);
  });

  it('unknown metrics are a clear error; SQL-ish filter values are only ever bound parameters', async () => {
    await expect(computeMetrics(w.db.sql, ['commits', 'happiness'], {}, now)).rejects.toThrow(
      'Unknown metric(s): happiness. Known metrics: commits, lines_added',
    );
    await expect(computeMetrics(w.db.sql, ['commits'], { developer_ids: ["x'); DROP TABLE commits; --"] }, now)).rejects.toThrow(
      /invalid input syntax for type uuid/,
    );
    expect((await w.db.sql.query(`SELECT count(*)::int AS n FROM commits`)).rows[0].n).toBe(6);
  });

  it("a line chart's series in one grouped query equals one query per bucket, for every single-value metric and scope", async () => {
    const days = Array.from({ length: 31 }, (_, i) => ({ start: new Date(Date.UTC(2026, 2, 1 + i)), end: new Date(Date.UTC(2026, 2, 2 + i)) }));
    const weeks = Array.from({ length: 5 }, (_, i) => ({ start: new Date(Date.UTC(2026, 2, 1 + 7 * i)), end: new Date(Date.UTC(2026, 2, 8 + 7 * i)) }));
    const scalars = [];
    for (const n of METRIC_NAMES) if ((await computeMetrics(w.db.sql, [n], window, now))[n]!.kind === 'scalar') scalars.push(n);
    expect(scalars.length).toBeGreaterThanOrEqual(12);
    for (const filters of [window, { ...window, developer_ids: [ids.ann!] }, { ...window, team_ids: [teamId] }]) {
      for (const name of scalars) {
        for (const buckets of [days, weeks]) {
          const grouped = await computeSeries(w.db.sql, name, filters, buckets, now);
          const one = [];
          for (const b of buckets) {
            const r = (await computeMetrics(w.db.sql, [name], { ...filters, date_range: { start: b.start.toISOString(), end: b.end.toISOString() } }, now))[
              name
            ] as { value: number | null };
            one.push(r.value);
          }
          expect(grouped, `${name} ${JSON.stringify(filters)} ${buckets.length}`).toEqual(one);
        }
      }
    }
    // The fixture's commits fall on real days: the series is not all zeros.
    expect((await computeSeries(w.db.sql, 'commits', window, days, now)).reduce((a, b) => a! + (b ?? 0), 0)).toBe(5);
    await expect(computeSeries(w.db.sql, 'language_mix', window, days, now)).rejects.toThrow('needs a single-value metric');
    // Some 4,500 statements (every single-value metric, three scopes, 36 buckets each way): more than the default 30 s on a busy machine.
  }, 120_000);
});
