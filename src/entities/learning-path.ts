import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Developer } from './developer.js';
import { CareerRole } from './career-role.js';
import { LearningMilestone } from './learning-milestone.js';

/** A developer's path toward a target role. */
export const LearningPath = defineEntity({
  name: 'LearningPath',
  tableName: 'learning_paths',
  indexes: [
    { name: 'idx_learning_paths_developer_id', properties: ['developer'] },
    { name: 'idx_learning_paths_active', expression: "create index idx_learning_paths_active on learning_paths(developer_id) where status = 'active'" },
  ],
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    developer: () => p.manyToOne(Developer).ref().nullable().deleteRule('no action').updateRule('no action'),
    targetRole: () => p.manyToOne(CareerRole).ref().nullable().deleteRule('no action').updateRule('no action'),
    /** active, completed, paused */
    status: p.string().length(50).defaultRaw(`'active'`).nullable(),
    skillGaps: p.json<unknown[]>().defaultRaw(`'[]'`).nullable(),
    recommendedActivities: p.json<unknown[]>().defaultRaw(`'[]'`).nullable(),
    estimatedMonths: p.integer().nullable(),
    startedAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .nullable()
      .onCreate(() => new Date()),
    targetDate: p.datetime().columnType('timestamptz').nullable(),
    completedAt: p.datetime().columnType('timestamptz').nullable(),
    createdAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .nullable()
      .onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .nullable()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    milestones: () => p.oneToMany(LearningMilestone).mappedBy('learningPath'),
  },
});
export type ILearningPath = InferEntity<typeof LearningPath>;
