import type { TestDatabase } from './db.js';
import { attachRepository } from './repositories.js';
import { rowsOf } from './rows.js';

/** The organization of the fixture's two teams. */
export const METRICS_ORG = '3e3e3e3e-4f4f-4a5a-8b6b-7c7c7c7c7c7c';

/**
 * Hand-made activity in March 2026 whose every metric is known in advance (see metrics.test.ts):
 * ann, bo (team Duo) and cat (team Data), all of METRICS_ORG; 5 commits in the window and one before; 3 PRs; 3 reviews.
 */
export async function seedMetricsFixture(db: TestDatabase): Promise<{ ids: Record<string, string>; teamId: string }> {
  const rows = rowsOf(db.sql);
  const ids: Record<string, string> = {};
  for (const [i, login] of ['ann', 'bo', 'cat'].entries()) {
    ids[login] = await rows.developer({ githubId: i + 1, login });
  }
  const teamId = await rows.team({ name: 'Duo', organizationId: METRICS_ORG, developerIds: [ids.ann!, ids.bo!] });
  await rows.team({ name: 'Data', organizationId: METRICS_ORG, developerIds: [ids.cat!] });
  const commit = (sha: string, dev: string, at: string, add: number, del: number, langs: object) =>
    rows.commit({ sha: sha.padEnd(40, '0'), developer_id: dev, repository_name: 'r', additions: add, deletions: del, languages: langs, committed_at: at });
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
    rows.pullRequest({
      github_id: gid,
      number: gid,
      developer_id: dev,
      repository_name: 'r',
      state: merged ? 'merged' : 'open',
      additions: add,
      deletions: del,
      created_at: created,
      merged_at: merged,
    });
  const review = (gid: number, prId: string, reviewer: string, at: string) =>
    rows.codeReview({ github_id: gid, pull_request_id: prId, reviewer_id: reviewer, submitted_at: at });
  // ann's PR: opened 03-02 00:00, self-comment after 1h, bo reviews after 4h, merged after 10h. Size 8 (XS).
  const p1 = await pr(1, ids.ann!, '2026-03-02T00:00:00Z', '2026-03-02T10:00:00Z', 5, 3);
  await review(11, p1, ids.ann!, '2026-03-02T01:00:00Z');
  await review(12, p1, ids.bo!, '2026-03-02T04:00:00Z');
  // bo's PR: opened 03-05, ann reviews after 2h, merged after 30h. Size 300 (L).
  const p2 = await pr(2, ids.bo!, '2026-03-05T00:00:00Z', '2026-03-06T06:00:00Z', 200, 100);
  await review(21, p2, ids.ann!, '2026-03-05T02:00:00Z');
  // bo's second PR: still open, no review. Size 60 (M).
  await pr(3, ids.bo!, '2026-03-10T00:00:00Z', null, 50, 10);
  // All of it in the organization's repository.
  await attachRepository(db, 'acme/r', METRICS_ORG);
  return { ids, teamId };
}
