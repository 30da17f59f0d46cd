import type { QueryResultRow } from 'pg';
import { learningProgressRows, scopePeople } from './queries.js';
import { pathTracks, readinessFrom } from './readiness.js';
import type { Query } from '../db/sql.js';
import { evidenceOf, levelsFrom, skillLabel, type SkillLevel } from './skills.js';

/** How a metric reads the database and what it is scoped to (src/metrics/library.ts's context). */
interface MetricCtx {
  q: <T extends QueryResultRow>(text: string, params: unknown[]) => Promise<T[]>;
  scope: { end: Date; developerIds: string[] | null; organizationId: string | null };
}
type Breakdown = { kind: 'breakdown'; unit: string; items: { label: string; value: number }[] };

/** The scope's people (bots never), with their logins. */
async function people(ctx: MetricCtx): Promise<{ id: string; login: string }[]> {
  return scopePeople(ctx.q as Query, ctx.scope.developerIds);
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
  const rows = await learningProgressRows(ctx.q as Query, ctx.scope.developerIds, ctx.scope.organizationId);
  return { kind: 'breakdown', unit: '%', items: rows.map((r) => ({ label: r.label, value: Number(r.v) })) };
}
