import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { insertRole, organizationHasRoleNamed } from './queries.js';
import { issueLines } from '../lib/zod-issues.js';
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
  if (await organizationHasRoleNamed(em, r.organizationId, r.name))
    throw new InvalidCareerRole([`name: organization ${r.organizationId} already has a role named "${r.name}"`]);
  return insertRole(
    em,
    {
      name: r.name,
      level: r.level,
      requiredSkills: r.requiredSkills,
      optionalSkills: r.optionalSkills,
      experienceYearsMin: r.experienceYearsMin ?? null,
      description: r.description ?? null,
      responsibilities: r.responsibilities,
    },
    r.organizationId,
  );
}
