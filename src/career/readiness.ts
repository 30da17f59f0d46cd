import type { EntityManager } from '@mikro-orm/postgresql';
import { queryOn, type Query } from '../db/sql.js';
import { latestStandardPathRoles } from './queries.js';
import { STANDARD_ROLES, TRACKS, trackOfRole, type Track } from './ladder.js';
import { skillLevels, type SkillLevel } from './skills.js';

export interface Readiness {
  track: Track;
  /** how the track was chosen */
  trackFrom: 'learning path' | 'strongest track skill';
  /** the highest standard level of the track whose required skills are all met (null: none yet) */
  current: { name: string; level: number } | null;
  /** the level above it (null: already at the top) */
  next: { name: string; level: number } | null;
  /** share of the next level's required skills met, 0-1 */
  share: number;
  met: string[];
  missing: { skill: string; current: number; target: number }[];
}

/**
 * Readiness for the next level of a developer's track on the standard ladder. The track is that of
 * their latest learning path toward a standard role, else the track whose own skill (backend,
 * frontend, infrastructure) is their strongest. Their level on it is the highest whose required
 * skills are all met; readiness is the share of the next level's required skills met, and what is
 * missing. Years of experience are not judged (nothing synced measures them reliably).
 */
export function readinessFrom(levels: Record<string, SkillLevel>, preferred: Track | null): Readiness {
  const level = (k: string) => levels[k]?.level ?? 0;
  const track = preferred ?? [...TRACKS].sort((a, b) => level(b) - level(a) || TRACKS.indexOf(a) - TRACKS.indexOf(b))[0]!;
  const ladder = STANDARD_ROLES.filter((r) => r.track === track).sort((a, b) => a.level - b.level);
  const meets = (r: (typeof ladder)[number]) => Object.entries(r.required_skills).every(([k, v]) => level(k) >= v);
  let reached: (typeof ladder)[number] | null = null;
  for (const r of ladder) {
    if (!meets(r)) break;
    reached = r;
  }
  const next = ladder.find((r) => r.level === (reached?.level ?? 0) + 1) ?? null;
  const required = Object.entries(next?.required_skills ?? {});
  const met = required.filter(([k, v]) => level(k) >= v).map(([k]) => k);
  return {
    track,
    trackFrom: preferred ? 'learning path' : 'strongest track skill',
    current: reached ? { name: reached.name, level: reached.level } : null,
    next: next ? { name: next.name, level: next.level } : null,
    share: required.length ? Math.round((met.length / required.length) * 100) / 100 : 1,
    met,
    missing: required.filter(([k, v]) => level(k) < v).map(([skill, target]) => ({ skill, current: level(skill), target })),
  };
}

/** Each developer's track: that of their latest learning path toward a standard role (absent: none). */
export async function pathTracks(q: Query, developerIds: string[]): Promise<Map<string, Track | null>> {
  const latest = await latestStandardPathRoles(q, developerIds);
  return new Map(latest.map((l) => [l.developer_id, trackOfRole(l.name)]));
}

export async function readinessOf(em: EntityManager, developerId: string, now = new Date()): Promise<Readiness> {
  const tracks = await pathTracks(queryOn(em), [developerId]);
  return readinessFrom(await skillLevels(em, developerId, now), tracks.get(developerId) ?? null);
}
