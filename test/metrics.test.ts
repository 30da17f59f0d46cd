import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeMetrics, METRIC_NAMES } from '../src/metrics/library.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';

/**
 * Hand-made data whose every metric is known in advance, so the expected values are written down
 * here rather than recomputed with the same SQL.
 */
describe('metrics library', () => {
  let db: TestDatabase;
  const ids: Record<string, string> = {};
  let teamId: string;
  const now = new Date('2026-03-31T00:00:00Z');
  const window = { date_range: { start: '2026-03-01', end: '2026-03-31' } };

  beforeAll(async () => {
    db = await createTestDatabase();
    for (const [i, login] of ['ann', 'bo', 'cat'].entries()) {
      ids[login] = (await db.sql.query(`INSERT INTO developers (github_id, github_username) VALUES ($1, $2) RETURNING id`, [i + 1, login])).rows[0].id;
    }
    teamId = (await db.sql.query(`INSERT INTO teams (name, developer_ids) VALUES ('Duo', $1::uuid[]) RETURNING id`, [[ids.ann, ids.bo]])).rows[0].id;
    const commit = (sha: string, dev: string, at: string, add: number, del: number, langs: object) =>
      db.sql.query(`INSERT INTO commits (sha, developer_id, repository_name, additions, deletions, languages, committed_at) VALUES ($1, $2, 'r', $3, $4, $5, $6)`, [
        sha.padEnd(40, '0'),
        dev,
        add,
        del,
        JSON.stringify(langs),
        at,
      ]);
    // ann: Mon 10:00, Mon 22:00 (after hours), Sat 12:00 (weekend) — 3 commits on 2 days
    await commit('a1', ids.ann!, '2026-03-02T10:00:00Z', 10, 2, { Go: 12 });
    await commit('a2', ids.ann!, '2026-03-02T22:00:00Z', 20, 0, { Go: 15, SQL: 5 });
    await commit('a3', ids.ann!, '2026-03-07T12:00:00Z', 5, 5, { TypeScript: 10 });
    // bo: Tue 11:00
    await commit('b1', ids.bo!, '2026-03-03T11:00:00Z', 100, 50, { TypeScript: 150 });
    // cat: one in the window, one before it
    await commit('c1', ids.cat!, '2026-03-04T09:30:00Z', 1, 1, { Python: 2 });
    await commit('c2', ids.cat!, '2026-02-01T09:30:00Z', 999, 999, { Python: 1998 });

    const pr = async (gid: number, dev: string, created: string, merged: string | null, add: number, del: number) =>
      (
        await db.sql.query(
          `INSERT INTO pull_requests (github_id, number, developer_id, repository_name, state, additions, deletions, created_at, merged_at)
           VALUES ($1::bigint, $1::int, $2, 'r', $3, $4, $5, $6, $7) RETURNING id`,
          [gid, dev, merged ? 'merged' : 'open', add, del, created, merged],
        )
      ).rows[0].id as string;
    const review = (gid: number, prId: string, reviewer: string, at: string) =>
      db.sql.query(`INSERT INTO code_reviews (github_id, pull_request_id, reviewer_id, state, submitted_at) VALUES ($1, $2, $3, 'approved', $4)`, [
        gid,
        prId,
        reviewer,
        at,
      ]);
    // ann's PR: opened 03-02 00:00, self-comment after 1h, bo reviews after 4h, merged after 10h. Size 8 (XS).
    const p1 = await pr(1, ids.ann!, '2026-03-02T00:00:00Z', '2026-03-02T10:00:00Z', 5, 3);
    await review(11, p1, ids.ann!, '2026-03-02T01:00:00Z');
    await review(12, p1, ids.bo!, '2026-03-02T04:00:00Z');
    // bo's PR: opened 03-05, ann reviews after 2h, merged after 30h. Size 300 (L).
    const p2 = await pr(2, ids.bo!, '2026-03-05T00:00:00Z', '2026-03-06T06:00:00Z', 200, 100);
    await review(21, p2, ids.ann!, '2026-03-05T02:00:00Z');
    // bo's second PR: still open, no review. Size 60 (M).
    await pr(3, ids.bo!, '2026-03-10T00:00:00Z', null, 50, 10);
  });
  afterAll(async () => db?.drop());

  it('computes every metric for everyone in the window', async () => {
    const m = await computeMetrics(db.sql, METRIC_NAMES, window, now);
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
    const team = await computeMetrics(db.sql, ['commits', 'reviews_given', 'prs_opened'], { ...window, team_ids: [teamId] }, now);
    expect([team.commits, team.reviews_given, team.prs_opened].map((r) => (r as { value: number }).value)).toEqual([4, 3, 3]);
    const cat = await computeMetrics(db.sql, ['commits', 'lines_added', 'merge_rate'], { ...window, developer_ids: [ids.cat!] }, now);
    expect((cat.commits as { value: number }).value).toBe(1);
    expect((cat.lines_added as { value: number }).value).toBe(1);
    expect((cat.merge_rate as { value: number | null }).value).toBeNull(); // no PRs: no rate, not 0
    const days = await computeMetrics(db.sql, ['commits'], { date_range: { days: 60 } }, now);
    expect((days.commits as { value: number }).value).toBe(6);
  });

  it('unknown metrics are a clear error; SQL-ish filter values are only ever bound parameters', async () => {
    await expect(computeMetrics(db.sql, ['commits', 'happiness'], {}, now)).rejects.toThrow('Unknown metric(s): happiness. Known metrics: commits, lines_added');
    await expect(computeMetrics(db.sql, ['commits'], { developer_ids: ["x'); DROP TABLE commits; --"] }, now)).rejects.toThrow(/invalid input syntax for type uuid/);
    expect((await db.sql.query(`SELECT count(*)::int AS n FROM commits`)).rows[0].n).toBe(6);
  });

});
