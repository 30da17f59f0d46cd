import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A career level / target role, e.g. "Senior Backend Engineer" at level 3. */
export const CareerRole = defineEntity({
  name: 'CareerRole',
  tableName: 'career_roles',
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    name: p.string().length(255),
    /** 1=Junior, 2=Mid, … */
    level: p.integer(),
    /** {skill: minimum proficiency 0..100} */
    requiredSkills: p.json<Record<string, number>>().defaultRaw(`'{}'`).nullable(),
    optionalSkills: p.json<Record<string, number>>().defaultRaw(`'{}'`).nullable(),
    experienceYearsMin: p.integer().nullable(),
    description: p.text().nullable(),
    responsibilities: p.array().columnType('text[]').nullable(),
    isCustom: p.boolean().defaultRaw('false').nullable(),
    organizationId: p.uuid().nullable(),
    createdAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .nullable()
      .onCreate(() => new Date()),
  },
});
export type ICareerRole = InferEntity<typeof CareerRole>;
