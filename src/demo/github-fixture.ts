import { fakeSha, type GitHubStandIn, type StandInCommit, type StandInPull, type StandInUser } from '../dev/github-stand-in.js';
import { DEMO_PEOPLE, demoGithubCreatedAt } from './seed.js';

/**
 * The demo org's GitHub side: repository aexy/workers with a month of commits and a handful of pull
 * requests by the same people (same GitHub ids) as the seeded history, so the sync attributes them
 * to the existing developers.
 */
export const DEMO_REPO = 'aexy/workers';

export function seedDemoGitHub(gh: GitHubStandIn, now = new Date()): void {
  const users: StandInUser[] = DEMO_PEOPLE.map((p, i) => ({
    id: 9_000_000 + i,
    login: p.login,
    name: p.name,
    company: 'Aexy Demo',
    created_at: demoGithubCreatedAt(i),
  }));
  for (const u of users) gh.users.set(u.login, u);
  const hour = 3_600_000;
  const paths = [
    'src/workers/runtime.ts',
    'src/sync/writers.ts',
    'migrations/schema.sql',
    'Dockerfile',
    '.github/workflows/ci.yml',
    'src/web/App.tsx',
    'scripts/release.sh',
    'docs/README.md',
  ];
  const commits: StandInCommit[] = Array.from({ length: 48 }, (_, i) => {
    const at = new Date(now.getTime() - (48 - i) * 14 * hour).toISOString();
    return {
      sha: fakeSha(`demo-${i}`),
      message: `${['feat', 'fix', 'refactor', 'docs'][i % 4]}: demo change ${i}`,
      author: users[i % users.length]!,
      authorDate: at,
      committerDate: at,
      files: [
        { filename: paths[i % paths.length]!, additions: 5 + ((i * 7) % 60), deletions: (i * 3) % 20 },
        { filename: paths[(i + 3) % paths.length]!, additions: 2 + (i % 9), deletions: i % 4 },
        ...(i % 6 === 0 ? [{ filename: 'package-lock.json', additions: 400, deletions: 380 }] : []),
      ],
    };
  });
  const pulls: StandInPull[] = Array.from({ length: 6 }, (_, n) => {
    const author = users[n]!;
    const reviewer = users[(n + 1) % users.length]!;
    const created = new Date(now.getTime() - (10 - n) * 24 * hour);
    const open = n === 5;
    const merged = open ? null : new Date(created.getTime() + (5 + n * 3) * hour).toISOString();
    return {
      id: 61_000_000 + n,
      number: 40 + n,
      title: `Demo PR ${n}: ${['incremental sync', 'ETag cache', 'profiles', 'webhooks', 'scheduler', 'bench'][n]}`,
      body: 'Part of the demo org',
      user: author,
      state: open ? 'open' : 'closed',
      created_at: created.toISOString(),
      updated_at: merged ?? new Date(created.getTime() + hour).toISOString(),
      merged_at: merged,
      closed_at: merged,
      labels: n % 2 ? ['enhancement'] : ['bug'],
      requested_reviewers: open ? [reviewer] : [],
      additions: 40 * (n + 1),
      deletions: 7 * n,
      changed_files: n + 2,
      commits: n + 1,
      comments: n,
      review_comments: open ? 0 : n % 3,
      reviews: open
        ? []
        : [{ id: 62_000_000 + n, user: reviewer, state: 'APPROVED', body: 'LGTM', submitted_at: new Date(created.getTime() + 2 * hour).toISOString() }],
    };
  });
  gh.repos.set(DEMO_REPO, { commits, pulls });
}

/**
 * New work by one person, pushed to the demo repository after the first sync (the career section):
 * commits with tests, documentation and a change across the codebase. Fixed shas, so a second demo
 * run finds them already synced.
 */
export function pushDemoCareerWork(gh: GitHubStandIn, login: string, now = new Date()): number {
  const repo = gh.repos.get(DEMO_REPO)!;
  const author = gh.users.get(login)!;
  const files = [
    [{ filename: 'src/sync/writers.test.ts', additions: 80, deletions: 4 }],
    [{ filename: 'src/workers/runtime.test.ts', additions: 60, deletions: 2 }],
    [{ filename: 'docs/ARCHITECTURE.md', additions: 120, deletions: 10 }],
    ['src/queues/producer.ts', 'src/workers/runtime.ts', 'migrations/schema.sql', 'docs/queues.md', 'scripts/release.sh'].map((filename) => ({
      filename,
      additions: 12,
      deletions: 3,
    })),
    [{ filename: 'src/reports/render.test.ts', additions: 45, deletions: 0 }],
    [{ filename: 'src/api/server.test.ts', additions: 70, deletions: 5 }],
  ];
  files.forEach((f, i) => {
    const at = new Date(now.getTime() - (files.length - i) * 60_000).toISOString();
    repo.commits.push({ sha: fakeSha(`demo-career-${login}-${i}`), message: `test: career demo ${i}`, author, authorDate: at, committerDate: at, files: f });
  });
  return files.length;
}
