import type { EntityManager } from '@mikro-orm/postgresql';
import type { Job } from 'bullmq';
import { createLearningPath, readinessOf, seedCareerLadder, skillLabel } from '../career/index.js';
import { sql } from '../db/sql.js';
import type { GitHubStandIn } from '../dev/github-stand-in.js';
import { githubSyncRepo } from '../jobs/index.js';
import type { Producer } from '../queues/producer.js';
import type { QueueName } from '../queues/names.js';
import { DEMO_REPO, pushDemoCareerWork } from './github-fixture.js';

const LOGIN = 'ada-l';

/**
 * The demo's career section: ada's learning path toward the next level of her track (gaps, estimate,
 * milestones, recommended activities), then new work of hers pushed to GitHub and synced, and her
 * milestones' progress after the profile refresh that follows.
 */
export async function showCareer(d: {
  em: EntityManager;
  producer: Producer;
  gh: GitHubStandIn;
  drain: (queues: QueueName[]) => Promise<void>;
  finish: (job: Job) => Promise<unknown>;
}): Promise<void> {
  const { em } = d;
  await seedCareerLadder(em);
  const [ada] = await sql<{ id: string }>(em, `SELECT id FROM developers WHERE github_username = ?`, [LOGIN]);
  const readiness = await readinessOf(em, ada!.id);
  const target = readiness.next ?? readiness.current!;
  const [role] = await sql<{ id: string }>(em, `SELECT id FROM career_roles WHERE name = ? AND organization_id IS NULL`, [target.name]);
  const path = await createLearningPath(em, d.producer, { developerId: ada!.id, roleId: role!.id });
  await d.drain(['insights']);
  const milestones = () =>
    sql<{ title: string; skill: string; status: string; progress_percentage: number; target_date: Date }>(
      em,
      `SELECT title, skill, status, progress_percentage, target_date FROM learning_milestones WHERE learning_path_id = ? ORDER BY target_date, skill`,
      [path.learningPathId],
    );
  const before = await milestones();
  const [acts] = await sql<{ recommended_activities: { skill: string; title: string; source: string }[] }>(
    em,
    `SELECT recommended_activities FROM learning_paths WHERE id = ?`,
    [path.learningPathId],
  );
  console.log(
    `9. career: ${LOGIN} is ${Math.round(readiness.share * 100)}% ready for ${target.name} (${readiness.track} track); ` +
      `${path.existing ? 'her' : 'a new'} learning path: ${path.gaps.length} gap(s), about ${path.estimatedMonths} month(s), target ${path.targetDate.slice(0, 10)}; ` +
      `activities: ${(acts?.recommended_activities ?? [])
        .slice(0, 3)
        .map((a) => `${a.title} (${a.source})`)
        .join('; ')}`,
  );
  // New work of hers: tests, documentation, a change across the codebase; synced, then her profile and path follow.
  const pushed = pushDemoCareerWork(d.gh, LOGIN);
  await d.finish(await d.producer.enqueue(githubSyncRepo, { repository: DEMO_REPO }));
  await d.drain(['github-sync', 'profiles', 'slack']);
  const after = await milestones();
  console.log(`   after ${pushed} new commits of hers were synced (the profile refresh moves the path):`);
  console.table(
    before.map((m, i) => ({
      milestone: m.title,
      skill: skillLabel(m.skill),
      before: `${m.progress_percentage}% ${m.status}`,
      after: `${after[i]?.progress_percentage ?? '?'}% ${after[i]?.status ?? '?'}`,
      due: new Date(m.target_date).toISOString().slice(0, 10),
    })),
  );
}
