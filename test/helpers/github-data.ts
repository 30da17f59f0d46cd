import { fakeSha, type GitHubStandIn, type StandInCommit, type StandInPull, type StandInUser } from '../../src/dev/github-stand-in.js';

export const alice: StandInUser = {
  id: 1001,
  login: 'alice',
  name: 'Alice Liddell',
  bio: 'Go and TypeScript',
  company: 'Acme',
  location: 'Oxford',
  created_at: '2012-01-01T00:00:00Z',
};
export const bob: StandInUser = { id: 1002, login: 'bob', name: 'Bob Builder' };
export const carol: StandInUser = { id: 1003, login: 'carol', name: 'Carol Danvers' };

const T0 = Date.parse('2026-09-01T00:00:00Z');
export const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();

/** `n` commits alternating alice/bob (every 10th has no linked GitHub account), one hour apart. */
export function makeCommits(n: number, offsetHours = 0, prefix = 'c'): StandInCommit[] {
  return Array.from({ length: n }, (_, i) => {
    const author = i % 10 === 9 ? null : i % 2 === 0 ? alice : bob;
    const ext = i % 3 === 0 ? 'go' : i % 3 === 1 ? 'ts' : 'py';
    return {
      sha: fakeSha(`${prefix}-${i + offsetHours}`),
      message: `change ${i}`,
      author,
      authorDate: at(offsetHours + i),
      committerDate: at(offsetHours + i),
      files: [
        { filename: `src/module${i % 7}/file.${ext}`, additions: 10 + i, deletions: i % 5 },
        { filename: 'node_modules/left-pad/index.js', additions: 100, deletions: 0 },
        { filename: 'package-lock.json', additions: 50, deletions: 50 },
      ],
    };
  });
}

/** A huge commit touching `files` files (GitHub pages them 300 at a time). */
export function bigCommit(files: number, hours: number): StandInCommit {
  return {
    sha: fakeSha(`big-${files}`),
    message: 'vendor the world',
    author: carol,
    authorDate: at(hours),
    committerDate: at(hours),
    files: Array.from({ length: files }, (_, i) => ({ filename: `lib/gen${i}.rs`, additions: 2, deletions: 1 })),
  };
}

export function makePull(number: number, author: StandInUser, reviewer: StandInUser, opts: Partial<StandInPull> = {}): StandInPull {
  const created = at(number * 5);
  const merged = opts.state === 'open' ? null : at(number * 5 + 3);
  return {
    id: 500_000 + number,
    number,
    title: `PR ${number}`,
    body: 'Fixes things',
    user: author,
    state: 'closed',
    created_at: created,
    updated_at: merged ?? at(number * 5 + 1),
    merged_at: merged,
    closed_at: merged,
    labels: number % 2 ? ['enhancement'] : [],
    requested_reviewers: [],
    additions: 10 * number,
    deletions: number,
    changed_files: number,
    commits: 1 + (number % 3),
    comments: number % 4,
    review_comments: number % 2,
    reviews: [
      { id: 900_000 + number * 10, user: reviewer, state: 'APPROVED', body: 'LGTM', submitted_at: at(number * 5 + 2) },
      { id: 900_000 + number * 10 + 1, user: author, state: 'PENDING', body: 'draft', submitted_at: at(number * 5 + 2) },
    ],
    ...opts,
  };
}

export function seedStandIn(gh: GitHubStandIn): void {
  for (const u of [alice, bob, carol]) gh.users.set(u.login, u);
  gh.repos.set('acme/api', {
    commits: [...makeCommits(250), bigCommit(650, 300)],
    pulls: [
      makePull(1, alice, bob),
      makePull(2, bob, alice),
      makePull(3, alice, carol),
      makePull(4, carol, alice, { state: 'closed', merged_at: null }),
      makePull(5, bob, carol, { state: 'open', merged_at: null, closed_at: null, updated_at: at(26), requested_reviewers: [alice] }),
    ],
  });
  gh.repos.set('acme/empty', { commits: [], pulls: [], empty: true });
}
