import type { StandInPull, StandInUser } from '../../src/dev/github-fixture-types.js';

/** A pull request for the GitHub stand-in: `PR <n>`, closed, unmerged, one line, no review, unless given. */
export const standInPull = (id: number, number: number, user: StandInUser, fields: Partial<StandInPull> = {}): StandInPull => ({
  id,
  number,
  title: `PR ${number}`,
  body: null,
  user,
  state: 'closed',
  created_at: '2026-06-01T00:00:00Z',
  updated_at: '2026-06-09T00:00:00Z',
  merged_at: null,
  closed_at: null,
  labels: [],
  requested_reviewers: [],
  additions: 1,
  deletions: 0,
  changed_files: 1,
  commits: 1,
  comments: 0,
  review_comments: 0,
  reviews: [],
  ...fields,
});
