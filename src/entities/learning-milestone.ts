import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { LearningPath } from './learning-path.js';

/** A milestone within a learning path. */
export const LearningMilestone = defineEntity({
  name: 'LearningMilestone',
  tableName: 'learning_milestones',
  indexes: [{ name: 'idx_learning_milestones_learning_path_id', properties: ['learningPath'] }],
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    learningPath: () => p.manyToOne(LearningPath).ref().nullable().deleteRule('no action').updateRule('no action'),
    title: p.string().length(255),
    description: p.text().nullable(),
    skill: p.string().length(100).nullable(),
    targetLevel: p.integer().nullable(),
    /** pending, in_progress, completed */
    status: p.string().length(50).defaultRaw(`'pending'`).nullable(),
    progressPercentage: p.integer().defaultRaw('0').nullable(),
    targetDate: p.datetime().columnType('timestamptz').nullable(),
    completedAt: p.datetime().columnType('timestamptz').nullable(),
    createdAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .nullable()
      .onCreate(() => new Date()),
  },
});
export type ILearningMilestone = InferEntity<typeof LearningMilestone>;
