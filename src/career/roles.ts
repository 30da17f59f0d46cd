import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { pgArray, sql } from '../db/sql.js';
import { issueLines } from '../lib/zod-issues.js';
import { roleOfOrganizationSql } from '../organizations/repositories.js';
import { DOMAIN_SKILLS, PRACTICE_SKILLS, skillKind } from './skills.js';

const KNOWN = `practices ${PRACTICE_SKILLS.join(', ')}; domains ${DOMAIN_SKILLS.join(', ')}; languages and frameworks by name (python, typescript, cpp, react, docker …)`;

/** {skill: level}: known skill keys, whole levels 0-100. */
export const skillMap = z
  .record(
    z.string(),
    z.number({ message: 'must be a level from 0 to 100' }).int('must be a whole level').min(0, 'must be 0 to 100').max(100, 'must be 0 to 100'),
  )
  .superRefine((m, ctx) => {
    for (const key of Object.keys(m)) if (skillKind(key) === null) ctx.addIssue({ code: 'custom', path: [key], message: `unknown skill (known: ${KNOWN})` });
  });

/** A custom career role of an organization, as the producer API and the CLI take it. */
export const careerRoleInputSchema = z
  .object({
    organizationId: z.uuid({ message: 'must be an organization UUID' }),
    name: z.string().trim().min(1, 'is required').max(255),
    level: z.number().int().min(1, 'must be 1 to 10').max(10, 'must be 1 to 10'),
    requiredSkills: skillMap.refine((m) => Object.keys(m).length > 0, 'name at least one skill'),
    optionalSkills: skillMap.default({}),
    experienceYearsMin: z.number().int().min(0).max(60).optional(),
    description: z.string().max(5_000).optional(),
    responsibilities: z.array(z.string().trim().min(1).max(500)).max(50).default([]),
  })
  .strict();
export type CareerRoleInput = z.input<typeof careerRoleInputSchema>;

export class InvalidCareerRole extends Error {
  override name = 'InvalidCareerRole';
  constructor(readonly problems: string[]) {
    super(`Invalid career role: ${problems.join('; ')}`);
  }
}

/** Create a custom role (is_custom, organization_id) after validating it; a name the organization already uses is refused. */
export async function createCareerRole(em: EntityManager, input: CareerRoleInput): Promise<string> {
  const parsed = careerRoleInputSchema.safeParse(input);
  if (!parsed.success) throw new InvalidCareerRole(issueLines(parsed.error));
  const r = parsed.data;
  const taken = await sql(em, `SELECT 1 FROM career_roles WHERE organization_id = ? AND lower(name) = lower(?)`, [r.organizationId, r.name]);
  if (taken.length) throw new InvalidCareerRole([`name: organization ${r.organizationId} already has a role named "${r.name}"`]);
  const [row] = await sql<{ id: string }>(
    em,
    `INSERT INTO career_roles (name, level, required_skills, optional_skills, experience_years_min, description, responsibilities, is_custom, organization_id)
     VALUES (?, ?, ?::jsonb, ?::jsonb, ?, ?, ?::text[], true, ?) RETURNING id`,
    [
      r.name,
      r.level,
      JSON.stringify(r.requiredSkills),
      JSON.stringify(r.optionalSkills),
      r.experienceYearsMin ?? null,
      r.description ?? null,
      pgArray(r.responsibilities),
      r.organizationId,
    ],
  );
  return row!.id;
}

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
