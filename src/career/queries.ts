import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray, sql } from '../db/sql.js';

/** The career feature's statements that read what a person sees of their path (the CLI's `career` commands). */

export async function developerByLogin(em: EntityManager, login: string): Promise<{ id: string; login: string }> {
  const [dev] = await sql<{ id: string; login: string }>(em, `SELECT id, github_username AS login FROM developers WHERE lower(github_username) = lower(?)`, [
    login,
  ]);
  if (!dev) throw new Error(`no developer with the GitHub login ${login}`);
  return dev;
}

/** The roles of that name a person may aim at: the standard ones and their organizations' own. */
export async function rolesNamed(
  em: EntityManager,
  name: string,
  organizationIds: string[],
): Promise<{ id: string; name: string; organization_id: string | null }[]> {
  return sql(
    em,
    `SELECT id, name, organization_id FROM career_roles WHERE lower(name) = lower(?) AND (organization_id IS NULL OR organization_id = ANY(?::uuid[]))`,
    [name, pgArray(organizationIds)],
  );
}

export interface RecommendedActivity {
  skill: string;
  title: string;
  weeks: number;
  hours_per_week: number;
  source: string;
}

export async function recommendedActivities(em: EntityManager, learningPathId: string): Promise<RecommendedActivity[]> {
  const [row] = await sql<{ recommended_activities: RecommendedActivity[] | null }>(em, `SELECT recommended_activities FROM learning_paths WHERE id = ?`, [
    learningPathId,
  ]);
  return row?.recommended_activities ?? [];
}

export interface PathSummary {
  id: string;
  role: string;
  status: string;
  estimated_months: number | null;
  target_date: Date | null;
}

export interface MilestoneSummary {
  learning_path_id: string;
  title: string;
  status: string;
  progress_percentage: number;
  target_date: Date | null;
}

export type PathWithMilestones = PathSummary & { milestones: MilestoneSummary[] };

/** A developer's learning paths, newest first, each with its milestones. */
export async function pathsWithMilestones(em: EntityManager, developerId: string): Promise<PathWithMilestones[]> {
  const paths = await sql<PathSummary>(
    em,
    `SELECT p.id, r.name AS role, p.status, p.estimated_months, p.target_date FROM learning_paths p JOIN career_roles r ON r.id = p.target_role_id
      WHERE p.developer_id = ? ORDER BY p.started_at DESC`,
    [developerId],
  );
  const milestones = await sql<MilestoneSummary>(
    em,
    `SELECT learning_path_id, title, status, progress_percentage, target_date FROM learning_milestones WHERE learning_path_id = ANY(?::uuid[]) ORDER BY target_date, title`,
    [pgArray(paths.map((p) => p.id))],
  );
  return paths.map((p) => ({ ...p, milestones: milestones.filter((m) => m.learning_path_id === p.id) }));
}
