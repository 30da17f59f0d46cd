import { beforeAll, describe, expect, it } from 'vitest';
import {
  computeCommitAggregates,
  computeMetrics,
  computePerDeveloper,
  computeSeries,
  countedCommitsView,
  mergesFitInMemory,
  METRIC_NAMES,
} from '../src/metrics/library.js';
import pg from 'pg';
import { useTestWorld } from './hooks.js';
import { METRICS_ORG, seedMetricsFixture } from './helpers/metrics-data.js';

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

  it("a value per developer in one grouped query equals one query per developer, for every single-value metric, in and out of the organization's scope", async () => {
    const people = [ids.ann!, ids.bo!, ids.cat!];
    let grouped = 0;
    for (const filters of [window, { ...window, organization_id: METRICS_ORG }, { date_range: { days: 60 }, organization_id: METRICS_ORG }]) {
      for (const name of METRIC_NAMES) {
        const first = (await computeMetrics(w.db.sql, [name], { ...filters, developer_ids: [people[0]!] }, now))[name]!;
        if (first.kind !== 'scalar') continue;
        const together = await computePerDeveloper(w.db.sql, name, filters, people, now);
        const one = [];
        for (const id of people)
          one.push(((await computeMetrics(w.db.sql, [name], { ...filters, developer_ids: [id] }, now))[name] as { value: number | null }).value);
        if (together === null) continue;
        grouped += 1;
        expect(
          people.map((id) => together.get(id)),
          `${name} ${JSON.stringify(filters)}`,
        ).toEqual(one);
      }
    }
    // Nearly every single-value metric is one statement that binds the developer set: grouped, not computed one by one.
    expect(grouped).toBeGreaterThanOrEqual(3 * 30);
    // Not all zeros: ann 3 commits, bo 1, cat 1 in March.
    expect([...(await computePerDeveloper(w.db.sql, 'commits', window, people, now))!.values()]).toEqual([3, 1, 1]);
    await expect(computePerDeveloper(w.db.sql, 'language_mix', window, people, now)).resolves.toBeNull();
  }, 120_000);
  it('the commit aggregates computed together are the values written down above, one statement for all, in any scope', async () => {
    const names = ['commits', 'lines_added', 'lines_deleted', 'after_hours_share', 'weekend_share', 'active_days', 'prs_opened'];
    const sent: string[] = [];
    const recording = { query: (text: string, params: unknown[]) => (sent.push(text), w.db.sql.query(text, params)) } as unknown as pg.Pool;
    const together = await computeCommitAggregates(recording, names, window, now);
    // The five that are aggregates of the window's commits, in one statement; the others are left to computeMetrics.
    expect(Object.keys(together).sort()).toEqual(['after_hours_share', 'commits', 'lines_added', 'lines_deleted', 'weekend_share']);
    expect(sent.filter((t) => t.includes('counted_commits'))).toHaveLength(1);
    const v = (m: Record<string, unknown>, k: string) => (m[k] as { value: number | null }).value;
    expect([v(together, 'commits'), v(together, 'lines_added'), v(together, 'lines_deleted')]).toEqual([5, 136, 58]);
    expect(v(together, 'after_hours_share')).toBeCloseTo(0.2, 4);
    expect(v(together, 'weekend_share')).toBeCloseTo(0.2, 4);
    // Each scope as each metric alone gives it (units included): a team, one person, a repository, an empty window.
    for (const filters of [
      { ...window, team_ids: [teamId] },
      { ...window, developer_ids: [ids.ann!] },
      { ...window, repositories: ['acme/r'] },
      { date_range: { start: '2020-01-01', end: '2020-02-01' } },
    ]) {
      const alone = await computeMetrics(w.db.sql, names.slice(0, 5), filters, now);
      expect(await computeCommitAggregates(w.db.sql, names, filters, now)).toEqual(alone);
    }
  });
});

/**
 * counted_commits and counted_commits_wide (read for scopes of many people) hold the same rows:
 * merges and bots' commits left out, a commit of no developer kept.
 */
describe('the two views of counted commits', () => {
  const w = useTestWorld();

  it('leave out the same merges and bots, keep a commit of no developer, and give every metric the same number', async () => {
    const now = new Date('2026-03-31T00:00:00Z');
    const window = { date_range: { start: '2026-03-01', end: '2026-03-31' } };
    const person = await w.rows.developer({ login: 'person' });
    const bot = await w.rows.developer({ login: 'helper[bot]' });
    await w.db.sql.query(`INSERT INTO developer_bots (developer_id, reason) VALUES ($1, 'login')`, [bot]);
    const at = (d: number) => new Date(Date.UTC(2026, 2, d, 12)).toISOString();
    const sha = (n: number) => n.toString(16).padStart(40, 'e');
    const rows: [number, string | null, boolean][] = [
      [1, person, false],
      [2, person, false],
      [3, person, true], // a merge
      [4, bot, false], // a bot's
      [5, null, false], // no developer known
      [6, person, false], // its graph row not written: not known to be a merge
    ];
    for (const [n, dev, merge] of rows) {
      await w.rows.commit({ sha: sha(n), developer_id: dev, committed_at: at(n), additions: n, deletions: 0 });
      if (n !== 6) await w.db.sql.query(`INSERT INTO commit_graph (sha, parent_shas, is_merge) VALUES ($1, '{}', $2)`, [sha(n), merge]);
    }
    const shas = async (view: string) => (await w.db.sql.query(`SELECT sha FROM ${view} ORDER BY sha`)).rows.map((r) => r.sha);
    expect(await shas('counted_commits')).toEqual([1, 2, 5, 6].map(sha));
    expect(await shas('counted_commits_wide')).toEqual(await shas('counted_commits'));
    // Everyone (the wide view) and one person (the narrow one), by hand: active developer-days are the
    // person's 1st, 2nd and 6th and the unknown developer's 5th.
    const everyone = await computeMetrics(w.db.sql, ['commits', 'lines_added', 'active_days'], window, now);
    expect(Object.values(everyone).map((m) => (m as { value: number }).value)).toEqual([4, 1 + 2 + 5 + 6, 4]);
    const one = await computeMetrics(w.db.sql, ['commits', 'lines_added'], { ...window, developer_ids: [person] }, now);
    expect(Object.values(one).map((m) => (m as { value: number }).value)).toEqual([3, 1 + 2 + 6]);
  });

  it("the wide view is read for many people only while the merges' hashed lookup fits in the session's hash memory", async () => {
    const many = Array.from({ length: 21 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    expect(countedCommitsView({ developerIds: null, mergesFit: true })).toBe('counted_commits_wide');
    expect(countedCommitsView({ developerIds: many, mergesFit: true })).toBe('counted_commits_wide');
    expect(countedCommitsView({ developerIds: many.slice(0, 20), mergesFit: true })).toBe('counted_commits');
    expect(countedCommitsView({ developerIds: many.slice(0, 1), manyPeople: true, mergesFit: true })).toBe('counted_commits_wide');
    expect(countedCommitsView({ developerIds: null, mergesFit: false })).toBe('counted_commits');
    // The lookup is made only where it decides: one person's metrics read counted_commits without it.
    const sent: string[] = [];
    const recording = { query: (text: string, params: unknown[]) => (sent.push(text), w.db.sql.query(text, params)) } as unknown as pg.Pool;
    await computeMetrics(recording, ['commits'], { date_range: { days: 30 }, developer_ids: [many[0]!] });
    expect(sent.filter((t) => t.includes('idx_commit_graph_merges'))).toHaveLength(0);
    expect(sent.some((t) => t.includes('FROM counted_commits c'))).toBe(true);
    await computeMetrics(recording, ['commits'], { date_range: { days: 30 } });
    expect(sent.filter((t) => t.includes('idx_commit_graph_merges'))).toHaveLength(1);
    // 1,000 merges: 80 kB of hashed shas by our estimate, over a session's 64 kB, under the default 4 MB × 2.
    await w.db.sql.query(
      `INSERT INTO commit_graph (sha, parent_shas, is_merge) SELECT 'b' || lpad(to_hex(g), 39, '0'), '{}', true FROM generate_series(1, 1000) g`,
    );
    await w.db.sql.query('ANALYZE commit_graph');
    const small = new pg.Client({ connectionString: w.db.url });
    await small.connect();
    try {
      await small.query(`SET work_mem = '64kB'`);
      await small.query('SET hash_mem_multiplier = 1');
      expect(await mergesFitInMemory(small)).toBe(false);
      await small.query('RESET work_mem');
      await small.query('RESET hash_mem_multiplier');
      expect(await mergesFitInMemory(small)).toBe(true);
    } finally {
      await small.end();
    }
  });
});
