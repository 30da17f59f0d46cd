import type { EntityManager } from '@mikro-orm/postgresql';
import { activePathIds, lockPath, milestonesOf, moveMilestone, updatePath } from './queries.js';
import type { Needs } from '../jobs/helpers.js';
import { slackNotify } from '../slack/jobs/slack-notify.contract.js';
import { skillLevels } from './skills.js';

export async function hasActivePaths(em: EntityManager, developerId: string): Promise<boolean> {
  return (await activePathIds(em, developerId, 1)).length > 0;
}

/** Progress of a milestone from the path's start level to its target, 0-100. */
export function progressOf(start: number, current: number, target: number): number {
  if (target <= start) return 100;
  return Math.min(100, Math.max(0, Math.round((100 * (current - start)) / (target - start))));
}

/**
 * Move a developer's active paths with their current skill levels (run after each profile refresh):
 * each milestone's progress_percentage goes from the level when the path began to its target;
 * pending → in_progress → completed (with completed_at). A completed milestone stays completed, even
 * if its level later decays as its evidence ages; the others follow the level both ways. A path is
 * completed when all its milestones are. The gaps' current levels are updated. Paused (and completed)
 * paths are left alone. Idempotent: a second run with the same data changes nothing and tells nobody.
 * Completions are told to the developer on Slack (a direct message) after the commit.
 */
export async function refreshLearningPaths(ctx: Needs<'em' | 'enqueueAfter'>, developerId: string, now = new Date()) {
  const { em } = ctx;
  const active = await activePathIds(em, developerId);
  if (active.length === 0) return { developerId, paths: 0 };
  const levels = await skillLevels(em, developerId, now);
  const completedMilestones: string[] = [];
  const completedPaths: string[] = [];
  let moved = 0;
  for (const id of active) {
    await em.transactional(async (tx) => {
      const path = await lockPath(tx, id);
      if (!path || path.status !== 'active') return;
      const gaps = (path.skill_gaps ?? []).map((g) => {
        const current = levels[g.skill]?.level ?? 0;
        return { ...g, current, gap: Math.max(0, g.target - current), evidence: levels[g.skill]?.evidence ?? g.evidence };
      });
      const milestones = await milestonesOf(tx, id);
      let open = 0;
      for (const m of milestones) {
        if (m.status === 'completed') continue;
        const gap = gaps.find((g) => g.skill === m.skill);
        const progress = progressOf(gap?.start ?? 0, levels[m.skill ?? '']?.level ?? 0, m.target_level ?? gap?.target ?? 0);
        const status = progress >= 100 ? 'completed' : progress > 0 ? 'in_progress' : 'pending';
        if (status !== 'completed') open += 1;
        if (status === m.status && progress === m.progress_percentage) continue;
        moved += 1;
        await moveMilestone(tx, m.id, status, progress, now);
        if (status === 'completed') completedMilestones.push(m.id);
      }
      const done = open === 0;
      await updatePath(tx, id, gaps, done, now);
      if (done) completedPaths.push(id);
    });
  }
  for (const milestoneId of completedMilestones) ctx.enqueueAfter(slackNotify, { kind: 'career_milestone', milestoneId });
  for (const learningPathId of completedPaths) ctx.enqueueAfter(slackNotify, { kind: 'career_path', learningPathId });
  return { developerId, paths: active.length, milestonesMoved: moved, milestonesCompleted: completedMilestones.length, pathsCompleted: completedPaths.length };
}
