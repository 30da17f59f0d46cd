import type { QueryResultRow } from 'pg';
import { roleOfOrganizationSql } from '../organizations/repositories.js';
import { pathTracks, readinessFrom } from './readiness.js';
import { evidenceOf, levelsFrom, skillLabel, type Query, type SkillLevel } from './skills.js';

/** How a metric reads the database and what it is scoped to (src/metrics/library.ts's context). */
interface MetricCtx {
  q: <T extends QueryResultRow>(text: string, params: unknown[]) => Promise<T[]>;
  scope: { end: Date; developerIds: string[] | null; organizationId: string | null };
}
type Breakdown = { kind: 'breakdown'; unit: string; items: { label: string; value: number }[] };

/** The scope's people (bots never), with their logins. */
async function people(ctx: MetricCtx): Promise<{ id: string; login: string }[]> {
  const ids = ctx.scope.developerIds;
  return ctx.q<{ id: string; login: string }>(
    `SELECT d.id::text AS id, d.github_username AS login FROM developers d
      WHERE NOT EXISTS (SELECT 1 FROM developer_bots b WHERE b.developer_id = d.id)${ids === null ? '' : ' AND d.id = ANY(?::uuid[])'} ORDER BY d.github_username`,
    ids === null ? [] : [ids],
  );
}

/** Every person's skill levels at the end of the window (one query for commits, one for reviews). */
async function levelsOfScope(ctx: MetricCtx, ids: string[]): Promise<Map<string, Record<string, SkillLevel>>> {
  const at = ctx.scope.end;
  const evidence = await evidenceOf(ctx.q as Query, ids, at, ctx.scope.organizationId);
  return new Map(ids.map((id) => [id, levelsFrom(evidence.get(id)!.commits, evidence.get(id)!.reviews, at)]));
}

/**
 * `skill_levels`: the average level of each skill over the scope's people at the end of the window
 * (a person without evidence of a skill counts 0), strongest first.
 */
export async function skillLevelsMetric(ctx: MetricCtx): Promise<Breakdown> {
  const who = await people(ctx);
  if (who.length === 0) return { kind: 'breakdown', unit: 'level', items: [] };
  const levels = await levelsOfScope(
    ctx,
    who.map((p) => p.id),
  );
  const sums = new Map<string, number>();
  for (const l of levels.values()) for (const [k, v] of Object.entries(l)) sums.set(k, (sums.get(k) ?? 0) + v.level);
  const items = [...sums]
    .map(([k, sum]) => ({ label: skillLabel(k), value: Math.round(sum / who.length) }))
    .sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
  return { kind: 'breakdown', unit: 'level', items };
}

/**
 * `career_readiness`: per person, the share of the next level's required skills they meet on their
 * track (src/career/readiness.ts), in percent.
 */
export async function readinessMetric(ctx: MetricCtx): Promise<Breakdown> {
  const who = await people(ctx);
  if (who.length === 0) return { kind: 'breakdown', unit: '%', items: [] };
  const ids = who.map((p) => p.id);
  const levels = await levelsOfScope(ctx, ids);
  const track = await pathTracks(ctx.q as Query, ids);
  const items = who.map((p) => ({ label: p.login, value: Math.round(readinessFrom(levels.get(p.id) ?? {}, track.get(p.id) ?? null).share * 100) }));
  return { kind: 'breakdown', unit: '%', items: items.sort((a, b) => b.value - a.value || a.label.localeCompare(b.label)) };
}

/**
 * `learning_progress`: per person with a learning path, the average progress of the milestones of
 * their active and completed paths, in percent (the team's learning progress at a glance).
 */
export async function learningProgressMetric(ctx: MetricCtx): Promise<Breakdown> {
  const ids = ctx.scope.developerIds;
  const org = ctx.scope.organizationId;
  // Paths towards a standard role or one of the organization's own (another's custom roles are its own).
  const rows = await ctx.q<{ label: string; v: string }>(
    `SELECT d.github_username AS label, round(avg(m.progress_percentage)) AS v
       FROM learning_paths p JOIN learning_milestones m ON m.learning_path_id = p.id JOIN developers d ON d.id = p.developer_id
       JOIN career_roles r ON r.id = p.target_role_id
      WHERE p.status IN ('active', 'completed')${ids === null ? '' : ' AND p.developer_id = ANY(?::uuid[])'}${org ? ` AND ${roleOfOrganizationSql('r', '?::uuid')}` : ''}
      GROUP BY d.github_username ORDER BY v DESC, label`,
    [...(ids === null ? [] : [ids]), ...(org ? [org] : [])],
  );
  return { kind: 'breakdown', unit: '%', items: rows.map((r) => ({ label: r.label, value: Number(r.v) })) };
}
