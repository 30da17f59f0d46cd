import type { EntityManager } from '@mikro-orm/postgresql';
import { activePathTo, developerForPath, insertMilestone, insertPath, roleById, type SkillGap } from './queries.js';
import { PermanentError } from '../errors/index.js';
import { organizationsOfDeveloper } from '../organizations/index.js';
import type { Producer } from '../queues/producer.js';
import { formatIssues } from '../lib/zod-issues.js';
import { catalogActivities } from './catalog.js';
import { skillMap } from './roles.js';
import { careerRecommend } from './jobs/career-recommend.contract.js';
import { skillLabel, skillLevels, type SkillLevel } from './skills.js';

/** Assumed growth, in level points per month, where the developer's own history shows none. */
export const DEFAULT_GROWTH_PER_MONTH = 5;
/** How far back a skill's observed growth is measured. */
export const GROWTH_LOOKBACK_DAYS = 90;
const MONTH_DAYS = 30.4375;

/** `months` calendar months after `from` (UTC), the day clamped to the month's last. */
export function addMonths(from: Date, months: number): Date {
  const y = from.getUTCFullYear();
  const m = from.getUTCMonth() + months;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(from.getUTCDate(), last), from.getUTCHours(), from.getUTCMinutes(), from.getUTCSeconds()));
}

/**
 * The gaps between a developer's levels and a role's requirements, with the time each needs:
 * gap = target − current (skills already met are not gaps); the developer's observed growth of that
 * skill over the last 90 days (current level − level 90 days ago, per month) is their rate, or
 * DEFAULT_GROWTH_PER_MONTH when they show none (no history, or a level that did not rise); months =
 * ceil(gap / rate). Skills are worked on side by side, so the path takes as long as its slowest gap.
 */
export function skillGaps(required: Record<string, number>, now: Record<string, SkillLevel>, past: Record<string, SkillLevel>): SkillGap[] {
  const gaps: SkillGap[] = [];
  for (const [skill, target] of Object.entries(required).sort(([a], [b]) => a.localeCompare(b))) {
    const current = now[skill]?.level ?? 0;
    if (current >= target) continue;
    const observed = (current - (past[skill]?.level ?? 0)) / (GROWTH_LOOKBACK_DAYS / MONTH_DAYS);
    const rate = observed > 0 ? Math.round(observed * 10) / 10 : DEFAULT_GROWTH_PER_MONTH;
    gaps.push({
      skill,
      start: current,
      current,
      target,
      gap: target - current,
      evidence: now[skill]?.evidence ?? `no ${skillLabel(skill)} evidence in the last 365 days`,
      rate,
      rate_source: observed > 0 ? 'observed' : 'default',
      months: Math.ceil((target - current) / rate),
    });
  }
  return gaps;
}

export interface CreatedPath {
  learningPathId: string;
  existing: boolean;
  status: string;
  estimatedMonths: number;
  targetDate: string;
  gaps: SkillGap[];
}

/**
 * The producer API of learning paths: a path for a developer toward a role. Computes the gaps (with
 * their evidence), estimated_months and target_date, one milestone per gap (staggered: each due when
 * its own gap should close), and the catalog's recommended activities; then queues
 * `career.recommend`, which asks the LLM for better ones. A developer already on an active path to
 * the role gets that path back (idempotent). A role of another organization is refused; a path with
 * nothing to close is created completed.
 */
export async function createLearningPath(
  em: EntityManager,
  producer: Producer | null,
  { developerId, roleId, now = new Date() }: { developerId: string; roleId: string; now?: Date },
): Promise<CreatedPath> {
  const role = await pathRole(em, developerId, roleId);
  const existing = await activePath(em, developerId, roleId, now);
  if (existing) return existing;

  // Roles may be written by other programs: requirements that do not fit the vocabulary are refused, not guessed.
  const required = skillMap.safeParse(role.required_skills ?? {});
  if (!required.success) throw new PermanentError(`Career role "${role.name}" has invalid required_skills: ${formatIssues(required.error)}`);
  const levels = await skillLevels(em, developerId, now);
  const past = await skillLevels(em, developerId, new Date(now.getTime() - GROWTH_LOOKBACK_DAYS * 86_400_000));
  const gaps = skillGaps(required.data, levels, past);
  const estimatedMonths = Math.max(0, ...gaps.map((g) => g.months));
  const targetDate = addMonths(now, estimatedMonths);
  const status = gaps.length ? 'active' : 'completed';
  const learningPathId = await em.transactional((tx) => createPathRows(tx, { developerId, roleId, status, gaps, estimatedMonths, now, targetDate }));
  // After the commit: the job finds the row it is given.
  if (producer && gaps.length) await producer.enqueue(careerRecommend, { learningPathId });
  return { learningPathId, existing: false, status, estimatedMonths, targetDate: targetDate.toISOString(), gaps };
}

/** The role a developer's path aims at, refused for a bot, an unknown developer or role, or another organization's role. */
async function pathRole(em: EntityManager, developerId: string, roleId: string): Promise<{ name: string; required_skills: Record<string, number> }> {
  const dev = await developerForPath(em, developerId);
  if (!dev) throw new PermanentError(`Developer ${developerId} does not exist`);
  if (dev.bot) throw new PermanentError(`${dev.login} is a bot: no learning path`);
  const role = await roleById(em, roleId);
  if (!role) throw new PermanentError(`Career role ${roleId} does not exist`);
  if (role.organization_id && !(await organizationsOfDeveloper(em, developerId)).includes(role.organization_id)) {
    throw new PermanentError(`"${role.name}" is a role of organization ${role.organization_id}, which ${dev.login} is not in`);
  }
  return role;
}

/** The developer's active path to the role, if there is one. */
async function activePath(em: EntityManager, developerId: string, roleId: string, now: Date): Promise<CreatedPath | null> {
  const existing = await activePathTo(em, developerId, roleId);
  if (!existing) return null;
  return {
    learningPathId: existing.id,
    existing: true,
    status: existing.status,
    estimatedMonths: existing.estimated_months ?? 0,
    targetDate: new Date(existing.target_date ?? now).toISOString(),
    gaps: existing.skill_gaps,
  };
}

/** The path's row and one milestone per gap, staggered: the smallest gap's first, each due when its own gap should close. */
async function createPathRows(
  tx: EntityManager,
  p: { developerId: string; roleId: string; status: string; gaps: SkillGap[]; estimatedMonths: number; now: Date; targetDate: Date },
): Promise<string> {
  const id = await insertPath(tx, {
    developerId: p.developerId,
    roleId: p.roleId,
    status: p.status,
    gaps: p.gaps,
    activities: catalogActivities(p.gaps),
    estimatedMonths: p.estimatedMonths,
    startedAt: p.now,
    targetDate: p.targetDate,
    completedAt: p.gaps.length ? null : p.now,
  });
  for (const g of [...p.gaps].sort((a, b) => a.months - b.months || a.skill.localeCompare(b.skill))) {
    await insertMilestone(tx, {
      learningPathId: id,
      title: `Raise ${skillLabel(g.skill)} from ${g.start} to ${g.target}`.slice(0, 255),
      description: `Now: ${g.evidence}. Expected in ${g.months} month(s) at ${g.rate} points a month (${g.rate_source === 'observed' ? 'your growth over the last 90 days' : 'the default rate: no growth observed'}).`,
      skill: g.skill,
      targetLevel: g.target,
      targetDate: addMonths(p.now, g.months),
    });
  }
  return id;
}
