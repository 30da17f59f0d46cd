import type { EntityManager } from '@mikro-orm/postgresql';
import { insertRole, lockLadderSeeding, updateStandardRole } from './queries.js';

/**
 * The standard career ladder: five levels (1 Junior … 5 Principal) on three tracks. Requirements are
 * skill levels of src/career/skills.ts: the track's domain skill (or `infrastructure`), and the
 * practices that grow with seniority (testing, code review, system design, documentation). Seeded
 * idempotently (`seedCareerLadder`, run by `aexy migrate` and the demo): a standard role is matched
 * by name, updated in place, never duplicated.
 */
export const LEVEL_NAMES = ['Junior', 'Mid-level', 'Senior', 'Staff', 'Principal'] as const;
export const TRACKS = ['backend', 'frontend', 'infrastructure'] as const;
export type Track = (typeof TRACKS)[number];

interface LadderRole {
  name: string;
  level: number;
  track: Track;
  required_skills: Record<string, number>;
  optional_skills: Record<string, number>;
  experience_years_min: number;
  description: string;
  responsibilities: string[];
}

const EXPERIENCE = [0, 2, 4, 7, 10];
/** The track's own skill at each level, then the practices'. */
const CORE = [30, 50, 65, 75, 85];
const TESTING = [20, 35, 50, 60, 65];
const REVIEW = [15, 35, 55, 70, 80];
const DESIGN = [0, 0, 35, 55, 70];
const DOCS = [0, 0, 0, 35, 50];

const TRACK: Record<Track, { title: string; core: string; optional: Record<string, number[]>; focus: string }> = {
  backend: {
    title: 'Backend Engineer',
    core: 'backend',
    optional: { sql: [20, 40, 50, 55, 60], docker: [0, 25, 35, 45, 50] },
    focus: 'services, APIs and data',
  },
  frontend: {
    title: 'Frontend Engineer',
    core: 'frontend',
    optional: { css: [20, 35, 45, 50, 55], react: [0, 30, 45, 55, 60] },
    focus: 'user interfaces and their performance',
  },
  infrastructure: {
    title: 'Infrastructure Engineer',
    core: 'infrastructure',
    optional: { shell: [20, 35, 45, 55, 60], terraform: [0, 25, 40, 50, 60] },
    focus: 'delivery pipelines, environments and reliability',
  },
};

const RESPONSIBILITIES = [
  ['Delivers well-scoped tasks with guidance', 'Writes tests for their changes', 'Learns the codebase and the team’s practices'],
  ['Delivers features independently', 'Reviews teammates’ pull requests', 'Keeps their area tested and maintainable'],
  ['Owns a component end to end', 'Shapes designs across modules', 'Mentors mid-level engineers through reviews'],
  ['Leads technical direction across teams', 'Writes and reviews design documents', 'Raises the team’s engineering standards'],
  ['Sets technical strategy for the organization', 'Resolves the hardest cross-cutting problems', 'Grows senior engineers and technical leaders'],
];

export const STANDARD_ROLES: LadderRole[] = TRACKS.flatMap((track) =>
  LEVEL_NAMES.map((levelName, i) => {
    const t = TRACK[track];
    const required: Record<string, number> = { [t.core]: CORE[i]!, testing: TESTING[i]!, code_review: REVIEW[i]! };
    if (DESIGN[i]) required.system_design = DESIGN[i]!;
    if (DOCS[i]) required.documentation = DOCS[i]!;
    const optional = Object.fromEntries(Object.entries(t.optional).flatMap(([k, v]) => (v[i] ? [[k, v[i]!]] : [])));
    return {
      name: `${levelName} ${t.title}`,
      level: i + 1,
      track,
      required_skills: required,
      optional_skills: optional,
      experience_years_min: EXPERIENCE[i]!,
      description: `Level ${i + 1} of the ${track} track: ${t.focus}.`,
      responsibilities: RESPONSIBILITIES[i]!,
    };
  }),
);

/** The track of a standard role (by name), or null for a custom one. */
export function trackOfRole(name: string): Track | null {
  return STANDARD_ROLES.find((r) => r.name === name)?.track ?? null;
}

/** Insert or update the standard roles (is_custom false, no organization). Returns how many were inserted. */
export async function seedCareerLadder(em: EntityManager): Promise<{ inserted: number; updated: number }> {
  // One seeder at a time (the table has no unique name): two processes starting together insert once.
  return em.transactional(async (tx) => {
    await lockLadderSeeding(tx);
    let inserted = 0;
    let updated = 0;
    for (const r of STANDARD_ROLES) {
      const values = {
        name: r.name,
        level: r.level,
        requiredSkills: r.required_skills,
        optionalSkills: r.optional_skills,
        experienceYearsMin: r.experience_years_min,
        description: r.description,
        responsibilities: r.responsibilities,
      };
      if (await updateStandardRole(tx, values)) {
        updated += 1;
        continue;
      }
      await insertRole(tx, values, null);
      inserted += 1;
    }
    return { inserted, updated };
  });
}
