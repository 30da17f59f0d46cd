import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../db/sql.js';

/**
 * A small but realistic demo organisation: two teams, eight developers, a few months of commits,
 * pull requests and reviews with plausible timing. Deterministic (seeded PRNG) and idempotent:
 * re-running upserts the same rows by their natural keys (github_id, sha).
 */
export const DEMO_ORG_ID = '0d3c9a4e-5b7f-4c1a-9e2d-6f8a1b2c3d4e';

export const DEMO_PEOPLE = [
  { login: 'ada-l', name: 'Ada Lovelace', team: 'Platform', langs: ['TypeScript', 'Go'] },
  { login: 'grace-h', name: 'Grace Hopper', team: 'Platform', langs: ['Go', 'Shell'] },
  { login: 'linus-t', name: 'Linus Torvalds', team: 'Platform', langs: ['C', 'Shell'] },
  { login: 'margaret-h', name: 'Margaret Hamilton', team: 'Platform', langs: ['Python', 'TypeScript'] },
  { login: 'alan-t', name: 'Alan Turing', team: 'Product', langs: ['Python', 'SQL'] },
  { login: 'barbara-l', name: 'Barbara Liskov', team: 'Product', langs: ['TypeScript', 'CSS'] },
  { login: 'ken-t', name: 'Ken Thompson', team: 'Product', langs: ['Go', 'TypeScript'] },
  { login: 'frances-a', name: 'Frances Allen', team: 'Product', langs: ['Python', 'TypeScript'] },
];

const EXT: Record<string, string> = { TypeScript: 'ts', Go: 'go', Shell: 'sh', C: 'c', Python: 'py', SQL: 'sql', CSS: 'css' };
const REPOS = ['aexy/api', 'aexy/web', 'aexy/infra'];

/** mulberry32: tiny deterministic PRNG so the demo prints the same numbers every run. */
function prng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Accounts from 2025 back to 2011: a spread of tenures, so seniority differs. */
export function demoGithubCreatedAt(i: number): string {
  return `${2025 - i * 2}-06-01T00:00:00Z`;
}

export interface SeedSummary {
  developers: number;
  teams: number;
  commits: number;
  pullRequests: number;
  reviews: number;
}

export async function seedDemoOrg(em: EntityManager, now = new Date()): Promise<SeedSummary> {
  const rand = prng(42);
  return em.transactional(async (tx) => {
    // Statements go through the transaction (sql(tx, …)); MikroORM's connection.execute would not.
    const c = { execute: <T = Record<string, unknown>>(text: string, params: unknown[] = []) => sql<T>(tx, text, params) };
    const devIds: string[] = [];
    for (const [i, p] of DEMO_PEOPLE.entries()) {
      const rows = await c.execute<{ id: string }>(
        `INSERT INTO developers (github_id, github_username, name, email, avatar_url, company, github_created_at)
         VALUES (?, ?, ?, ?, ?, 'Aexy Demo', ?)
         ON CONFLICT (github_id) DO UPDATE SET github_username = EXCLUDED.github_username, name = EXCLUDED.name, github_created_at = EXCLUDED.github_created_at
         RETURNING id`,
        [9_000_000 + i, p.login, p.name, `${p.login}@demo.aexy.dev`, `https://avatars.githubusercontent.com/u/${9_000_000 + i}`, demoGithubCreatedAt(i)],
      );
      devIds.push(rows[0]!.id);
    }
    for (const team of ['Platform', 'Product']) {
      const members = DEMO_PEOPLE.flatMap((p, i) => (p.team === team ? [devIds[i]] : []));
      // Update in place (insights and reports reference teams), insert only the first time.
      const updated = await c.execute(`UPDATE teams SET developer_ids = ?::uuid[], updated_at = now() WHERE organization_id = ? AND name = ? RETURNING id`, [
        `{${members.join(',')}}`,
        DEMO_ORG_ID,
        team,
      ]);
      if (updated.length === 0) {
        await c.execute(`INSERT INTO teams (name, description, organization_id, developer_ids) VALUES (?, ?, ?, ?::uuid[])`, [
          team,
          `The ${team} team`,
          DEMO_ORG_ID,
          `{${members.join(',')}}`,
        ]);
      }
    }

    let commits = 0;
    let prs = 0;
    let reviews = 0;
    const day = 86_400_000;
    // Nothing in the demo happens in the future.
    const past = (d: Date) => (d > now ? new Date(now.getTime() - Math.floor(1 + rand() * 90) * 60_000) : d);
    for (const [i, p] of DEMO_PEOPLE.entries()) {
      // 90 days of history; developer 2 (linus-t) works late and on weekends, for later insights.
      const perDay = 0.6 + rand() * 1.2;
      for (let d = 90; d >= 0; d--) {
        const n = Math.floor(perDay * rand() * 2);
        for (let k = 0; k < n; k++) {
          const lang = p.langs[Math.floor(rand() * p.langs.length)]!;
          const repo = REPOS[Math.floor(rand() * REPOS.length)]!;
          const hour = i === 2 ? 20 + Math.floor(rand() * 5) : 9 + Math.floor(rand() * 9);
          const at = new Date(now.getTime() - d * day);
          at.setUTCHours(hour % 24, Math.floor(rand() * 60), 0, 0);
          const committedAt = past(at);
          const adds = 5 + Math.floor(rand() * 200);
          const dels = Math.floor(rand() * adds);
          const dir = ['core', 'api', 'ui', 'lib'][Math.floor(rand() * 4)];
          const file = Math.floor(rand() * 50);
          // One change in five is to a test file (what the career model's testing skill counts).
          const path = `src/${dir}/file${file}${file % 5 === 0 ? '.test' : ''}.${EXT[lang]}`;
          const sha = hex(rand, 40);
          await c.execute(
            `INSERT INTO commits (sha, developer_id, repository_name, repository_full_name, message, additions, deletions, files_changed, files, languages, committed_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT (sha) DO NOTHING`,
            [
              sha,
              devIds[i],
              repo.split('/')[1],
              repo,
              `${['fix', 'feat', 'chore', 'refactor'][Math.floor(rand() * 4)]}: change ${k} on day ${d}`,
              adds,
              dels,
              JSON.stringify([{ path, additions: adds, deletions: dels, language: lang }]),
              JSON.stringify({ [lang]: adds + dels }),
              committedAt,
            ],
          );
          commits++;
        }
      }
      // About one PR a week, most merged, each reviewed by a teammate.
      for (let w = 0; w < 12; w++) {
        const created = new Date(now.getTime() - (w * 7 + rand() * 5) * day);
        const merged = rand() < 0.8 ? past(new Date(created.getTime() + (2 + rand() * 60) * 3_600_000)) : null;
        const ghId = 70_000_000 + i * 100 + w;
        const prRows = await c.execute(
          `INSERT INTO pull_requests (github_id, number, developer_id, repository_name, title, state, additions, deletions, changed_files, commits_count, created_at, updated_at, merged_at, closed_at, labels)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (github_id) DO UPDATE SET state = EXCLUDED.state RETURNING id`,
          [
            ghId,
            100 + i * 20 + w,
            devIds[i],
            REPOS[w % 3]!.split('/')[1],
            `Improve ${['caching', 'auth', 'reports', 'sync'][w % 4]} (${p.login} #${w})`,
            merged ? 'merged' : w === 0 ? 'open' : 'closed',
            Math.floor(rand() * 400),
            Math.floor(rand() * 150),
            1 + Math.floor(rand() * 12),
            1 + Math.floor(rand() * 6),
            created,
            merged ?? created,
            merged,
            merged,
            JSON.stringify(w % 3 === 0 ? ['enhancement'] : []),
          ],
        );
        prs++;
        const teammates = DEMO_PEOPLE.flatMap((q, j) => (q.team === p.team && j !== i ? [j] : []));
        const reviewer = teammates[Math.floor(rand() * teammates.length)]!;
        await c.execute(
          `INSERT INTO code_reviews (github_id, pull_request_id, reviewer_id, state, body, submitted_at)
           VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (github_id) DO NOTHING`,
          [
            80_000_000 + ghId,
            prRows[0]!.id,
            devIds[reviewer],
            merged ? 'approved' : 'changes_requested',
            'Looks reasonable',
            past(new Date(created.getTime() + (1 + rand() * 20) * 3_600_000)),
          ],
        );
        reviews++;
      }
    }
    return { developers: DEMO_PEOPLE.length, teams: 2, commits, pullRequests: prs, reviews };
  });
}

function hex(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 16).toString(16);
  return s;
}
