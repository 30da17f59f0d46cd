import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray, sql, type Query } from '../db/sql.js';
import { commitInOrganizationSql, pullInOrganizationSql, roleOfOrganizationSql } from '../organizations/index.js';

/**
 * Every statement of the career feature: roles, learning paths and their milestones, and the
 * evidence skill levels are computed from. The evidence and path-track reads take a `Query` (an
 * EntityManager's, or a metric's client) so reports compute them on the metrics' connection.
 */

/** One entry of learning_paths.skill_gaps. `start` is the level when the path began (progress is measured from it). */
export interface SkillGap {
  skill: string;
  start: number;
  current: number;
  target: number;
  gap: number;
  evidence: string;
  /** points per month the estimate assumed, and where it came from */
  rate: number;
  rate_source: 'observed' | 'default';
  months: number;
}

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

// ── evidence (what skill levels are computed from) ───────────────────────────────────────────

/**
 * The evidence of some developers in [since, at): their counted commits (authored; merges and bots
 * are not in counted_commits) with the paths they touched, and their reviews of others' pull
 * requests with the hours from the pull request's opening, read through idx_commits_developer_date
 * and idx_code_reviews_reviewer_date. With an organization, only the work in its repositories.
 */
export async function evidenceRows(q: Query, developerIds: string[], since: Date, at: Date, organizationId: string | null) {
  const org = organizationId ? [organizationId] : [];
  const commits = await q<{ developer_id: string; committed_at: Date; languages: Record<string, number> | null; paths: string[] | null }>(
    `SELECT c.developer_id::text AS developer_id, c.committed_at, c.languages,
            (SELECT array_agg(f->>'path') FROM jsonb_array_elements(coalesce(c.files, '[]'::jsonb)) f WHERE f->>'excluded' IS NULL) AS paths
       FROM counted_commits c WHERE c.developer_id = ANY(?::uuid[]) AND c.committed_at >= ? AND c.committed_at < ?${organizationId ? ` AND ${commitInOrganizationSql('c', '?::uuid')}` : ''}`,
    [developerIds, since.toISOString(), at.toISOString(), ...org],
  );
  const reviews = await q<{ reviewer_id: string; submitted_at: Date; hours: number }>(
    `SELECT r.reviewer_id::text AS reviewer_id, r.submitted_at, extract(epoch FROM r.submitted_at - p.created_at) / 3600 AS hours
       FROM counted_code_reviews r JOIN pull_requests p ON p.id = r.pull_request_id
      WHERE r.reviewer_id = ANY(?::uuid[]) AND r.submitted_at >= ? AND r.submitted_at < ? AND p.developer_id IS DISTINCT FROM r.reviewer_id${organizationId ? ` AND ${pullInOrganizationSql('p', '?::uuid')}` : ''}`,
    [developerIds, since.toISOString(), at.toISOString(), ...org],
  );
  return { commits, reviews };
}

/** Each developer's latest learning path toward a standard role: its role's name. */
export async function latestStandardPathRoles(q: Query, developerIds: string[]): Promise<{ developer_id: string; name: string }[]> {
  return q<{ developer_id: string; name: string }>(
    `SELECT DISTINCT ON (p.developer_id) p.developer_id::text AS developer_id, r.name FROM learning_paths p JOIN career_roles r ON r.id = p.target_role_id
      WHERE p.developer_id = ANY(?::uuid[]) AND r.is_custom IS NOT TRUE ORDER BY p.developer_id, p.started_at DESC`,
    [developerIds],
  );
}

/** People (bots never) with their logins: the given ones, or all (null). */
export async function scopePeople(q: Query, developerIds: string[] | null): Promise<{ id: string; login: string }[]> {
  return q<{ id: string; login: string }>(
    `SELECT d.id::text AS id, d.github_username AS login FROM developers d
      WHERE NOT EXISTS (SELECT 1 FROM developer_bots b WHERE b.developer_id = d.id)${developerIds === null ? '' : ' AND d.id = ANY(?::uuid[])'} ORDER BY d.github_username`,
    developerIds === null ? [] : [developerIds],
  );
}

/**
 * Per person with a learning path (of the given ones, or all), the average progress of the
 * milestones of their active and completed paths; with an organization, only paths towards a
 * standard role or one of its own (another's custom roles are its own).
 */
export async function learningProgressRows(q: Query, developerIds: string[] | null, organizationId: string | null): Promise<{ label: string; v: string }[]> {
  return q<{ label: string; v: string }>(
    `SELECT d.github_username AS label, round(avg(m.progress_percentage)) AS v
       FROM learning_paths p JOIN learning_milestones m ON m.learning_path_id = p.id JOIN developers d ON d.id = p.developer_id
       JOIN career_roles r ON r.id = p.target_role_id
      WHERE p.status IN ('active', 'completed')${developerIds === null ? '' : ' AND p.developer_id = ANY(?::uuid[])'}${organizationId ? ` AND ${roleOfOrganizationSql('r', '?::uuid')}` : ''}
      GROUP BY d.github_username ORDER BY v DESC, label`,
    [...(developerIds === null ? [] : [developerIds]), ...(organizationId ? [organizationId] : [])],
  );
}

// ── roles ────────────────────────────────────────────────────────────────────────────────────

export interface CareerRoleRow {
  id: string;
  name: string;
  level: number;
  required_skills: Record<string, number>;
  optional_skills: Record<string, number>;
  experience_years_min: number | null;
  is_custom: boolean | null;
  organization_id: string | null;
}

/** The roles an organization may use: the standard ladder and its own custom roles (null: the ladder only). */
export async function rolesFor(em: EntityManager, organizationId: string | null): Promise<CareerRoleRow[]> {
  return sql<CareerRoleRow>(
    em,
    `SELECT id, name, level, required_skills, optional_skills, experience_years_min, is_custom, organization_id FROM career_roles
      WHERE ${roleOfOrganizationSql('career_roles', '?')} ORDER BY is_custom NULLS FIRST, name, level`,
    [organizationId],
  );
}

export async function roleById(
  em: EntityManager,
  roleId: string,
): Promise<{ name: string; required_skills: Record<string, number>; organization_id: string | null } | null> {
  const [role] = await sql<{ name: string; required_skills: Record<string, number>; organization_id: string | null }>(
    em,
    `SELECT name, required_skills, organization_id FROM career_roles WHERE id = ?`,
    [roleId],
  );
  return role ?? null;
}

export async function organizationHasRoleNamed(em: EntityManager, organizationId: string, name: string): Promise<boolean> {
  return (await sql(em, `SELECT 1 FROM career_roles WHERE organization_id = ? AND lower(name) = lower(?)`, [organizationId, name])).length > 0;
}

export interface RoleValues {
  name: string;
  level: number;
  requiredSkills: Record<string, number>;
  optionalSkills: Record<string, number>;
  experienceYearsMin: number | null;
  description: string | null;
  responsibilities: string[];
}

const roleParams = (r: RoleValues) => [
  r.level,
  JSON.stringify(r.requiredSkills),
  JSON.stringify(r.optionalSkills),
  r.experienceYearsMin,
  r.description,
  pgArray(r.responsibilities),
];

/** A role: custom (of an organization) or standard (organization null). Returns its id. */
export async function insertRole(em: EntityManager, r: RoleValues, organizationId: string | null): Promise<string> {
  const [row] = await sql<{ id: string }>(
    em,
    `INSERT INTO career_roles (name, level, required_skills, optional_skills, experience_years_min, description, responsibilities, is_custom, organization_id)
     VALUES (?, ?, ?::jsonb, ?::jsonb, ?, ?, ?::text[], ?, ?) RETURNING id`,
    [r.name, ...roleParams(r), organizationId !== null, organizationId],
  );
  return row!.id;
}

/** Update the standard role of that name; false when there is none. */
export async function updateStandardRole(em: EntityManager, r: RoleValues): Promise<boolean> {
  const rows = await sql(
    em,
    `UPDATE career_roles SET level = ?, required_skills = ?::jsonb, optional_skills = ?::jsonb, experience_years_min = ?, description = ?, responsibilities = ?::text[]
      WHERE name = ? AND is_custom IS NOT TRUE AND organization_id IS NULL RETURNING id`,
    [...roleParams(r), r.name],
  );
  return rows.length > 0;
}

/** One seeder of the standard ladder at a time (until this transaction ends). */
export async function lockLadderSeeding(em: EntityManager): Promise<void> {
  await sql(em, `SELECT pg_advisory_xact_lock(hashtext('aexy.career_ladder'))`);
}

// ── learning paths and milestones ────────────────────────────────────────────────────────────

export async function developerForPath(em: EntityManager, developerId: string): Promise<{ login: string; bot: boolean } | null> {
  const [dev] = await sql<{ login: string; bot: boolean }>(
    em,
    `SELECT github_username AS login, EXISTS (SELECT 1 FROM developer_bots b WHERE b.developer_id = d.id) AS bot FROM developers d WHERE id = ?`,
    [developerId],
  );
  return dev ?? null;
}

export interface ActivePathRow {
  id: string;
  status: string;
  estimated_months: number | null;
  target_date: Date | null;
  skill_gaps: SkillGap[];
}

/** The developer's active path to the role, if there is one. */
export async function activePathTo(em: EntityManager, developerId: string, roleId: string): Promise<ActivePathRow | null> {
  const [row] = await sql<ActivePathRow>(
    em,
    `SELECT id, status, estimated_months, target_date, skill_gaps FROM learning_paths WHERE developer_id = ? AND target_role_id = ? AND status = 'active' LIMIT 1`,
    [developerId, roleId],
  );
  return row ?? null;
}

export async function insertPath(
  em: EntityManager,
  p: {
    developerId: string;
    roleId: string;
    status: string;
    gaps: SkillGap[];
    activities: unknown[];
    estimatedMonths: number;
    startedAt: Date;
    targetDate: Date;
    completedAt: Date | null;
  },
): Promise<string> {
  const [row] = await sql<{ id: string }>(
    em,
    `INSERT INTO learning_paths (developer_id, target_role_id, status, skill_gaps, recommended_activities, estimated_months, started_at, target_date, completed_at)
     VALUES (?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?) RETURNING id`,
    [
      p.developerId,
      p.roleId,
      p.status,
      JSON.stringify(p.gaps),
      JSON.stringify(p.activities),
      p.estimatedMonths,
      p.startedAt.toISOString(),
      p.targetDate.toISOString(),
      p.completedAt?.toISOString() ?? null,
    ],
  );
  return row!.id;
}

export async function insertMilestone(
  em: EntityManager,
  m: { learningPathId: string; title: string; description: string; skill: string; targetLevel: number; targetDate: Date },
): Promise<void> {
  await sql(
    em,
    `INSERT INTO learning_milestones (learning_path_id, title, description, skill, target_level, status, progress_percentage, target_date)
     VALUES (?, ?, ?, ?, ?, 'pending', 0, ?)`,
    [m.learningPathId, m.title, m.description, m.skill, m.targetLevel, m.targetDate.toISOString()],
  );
}

/** A developer's active learning paths (served by the contract's partial index idx_learning_paths_active). */
export async function activePathIds(em: EntityManager, developerId: string, limit?: number): Promise<string[]> {
  const rows = await sql<{ id: string }>(em, `SELECT id FROM learning_paths WHERE developer_id = ? AND status = 'active'${limit ? ' LIMIT ?' : ''}`, [
    developerId,
    ...(limit ? [limit] : []),
  ]);
  return rows.map((r) => r.id);
}

/** A path's status and gaps, locked for this transaction. */
export async function lockPath(em: EntityManager, id: string): Promise<{ status: string; skill_gaps: SkillGap[] } | null> {
  const [path] = await sql<{ status: string; skill_gaps: SkillGap[] }>(em, `SELECT status, skill_gaps FROM learning_paths WHERE id = ? FOR UPDATE`, [id]);
  return path ?? null;
}

export interface MilestoneRow {
  id: string;
  skill: string | null;
  target_level: number | null;
  status: string;
  progress_percentage: number | null;
}

export async function milestonesOf(em: EntityManager, learningPathId: string): Promise<MilestoneRow[]> {
  return sql<MilestoneRow>(
    em,
    `SELECT id, skill, target_level, status, progress_percentage FROM learning_milestones WHERE learning_path_id = ? ORDER BY target_date, id`,
    [learningPathId],
  );
}

/** Set a milestone's status and progress (completed_at: `at` when completed, else none). */
export async function moveMilestone(em: EntityManager, id: string, status: string, progress: number, at: Date): Promise<void> {
  await sql(
    em,
    `UPDATE learning_milestones SET status = ?, progress_percentage = ?, completed_at = CASE WHEN ? = 'completed' THEN ?::timestamptz ELSE NULL END WHERE id = ?`,
    [status, progress, status, at.toISOString(), id],
  );
}

/** Store a path's current gaps, and complete it (at `at`) when `done`. */
export async function updatePath(em: EntityManager, id: string, gaps: SkillGap[], done: boolean, at: Date): Promise<void> {
  await sql(
    em,
    `UPDATE learning_paths SET skill_gaps = ?::jsonb, updated_at = now(), status = ?, completed_at = CASE WHEN ? THEN ?::timestamptz ELSE completed_at END WHERE id = ?`,
    [JSON.stringify(gaps), done ? 'completed' : 'active', done, at.toISOString(), id],
  );
}

/** A path's status, gaps and its role's level (what a recommendation is made for). */
export async function pathForRecommendation(
  em: EntityManager,
  learningPathId: string,
): Promise<{ status: string; skill_gaps: SkillGap[]; level: number } | null> {
  const [path] = await sql<{ status: string; skill_gaps: SkillGap[]; level: number }>(
    em,
    `SELECT p.status, p.skill_gaps, r.level FROM learning_paths p JOIN career_roles r ON r.id = p.target_role_id WHERE p.id = ?`,
    [learningPathId],
  );
  return path ?? null;
}

export async function storeRecommendedActivities(em: EntityManager, learningPathId: string, activities: unknown[]): Promise<void> {
  await sql(em, `UPDATE learning_paths SET recommended_activities = ?::jsonb, updated_at = now() WHERE id = ?`, [JSON.stringify(activities), learningPathId]);
}
